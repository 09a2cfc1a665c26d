"""From the keyboard alone: Tab reaches a lead row's checkbox and its Check Availability button,
each showing where the focus is, and Space and Enter use them; Quick Send's answer lands in a live
region that stays in the page, so a screen reader announces it."""

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from services import leads as lead_store

pytestmark = pytest.mark.browser

FOCUS_SHOWN = """el => el === document.activeElement && el.matches(':focus-visible')
    && getComputedStyle(el).outlineStyle !== 'none' && parseFloat(getComputedStyle(el).outlineWidth) >= 2"""


def tab_to(page, target, presses: int = 60) -> int:
    """Press Tab until `target` has the focus; how many presses it took."""
    for count in range(1, presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return count
    raise AssertionError(f"{presses} presses of Tab never reached {target}")


def test_tab_reaches_a_rows_checkbox_and_check_button(signed_in, live_server, app, user, demo_line):
    page = signed_in
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        lead_id = lead_store.create_lead(workspace, {"first_name": "Ada", "phone": "(202) 555-0142"})[0].id
    page.goto(f"{live_server}/leads/")
    row = page.locator(f"#lead-{lead_id}")
    box = row.locator("input[name=lead_ids]")

    tab_to(page, box)
    assert box.evaluate(FOCUS_SHOWN), "the focused checkbox shows no focus outline"
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("1")

    button = row.get_by_role("button", name="Check Availability")
    tab_to(page, button, presses=10)  # in the same row
    assert button.evaluate(FOCUS_SHOWN), "the focused Check Availability button shows no focus outline"
    page.keyboard.press("Enter")
    expect(row).to_have_attribute("data-status", "checking")  # no worker runs: it stays queued


def test_quick_sends_answer_is_announced(signed_in, live_server, demo_line):
    page = signed_in
    page.goto(f"{live_server}/leads/quick-send/")
    # The answer (#recipient-status) is replaced on every check: the live region must be an element
    # around it that stays, or a screen reader may not announce the new answer.
    region = page.evaluate_handle("document.getElementById('recipient-status').parentElement.closest('[aria-live]')")
    assert region.evaluate("el => el !== null"), "no aria-live region around Quick Send's answer"
    assert region.evaluate("el => el.getAttribute('aria-live')") == "polite"
    page.locator("#recipient").press_sequentially("(202) 555-0142")
    expect(page.locator("#recipient-status")).to_have_attribute("data-state", "available")
    assert region.evaluate("el => el.isConnected && el.contains(document.getElementById('recipient-status'))")
    assert "iMessage available" in region.evaluate("el => el.textContent")


def test_first_tab_offers_a_skip_to_the_page(signed_in, live_server, demo_line):
    page = signed_in
    page.goto(f"{live_server}/leads/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement"), "the first Tab does not reach the skip link"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
