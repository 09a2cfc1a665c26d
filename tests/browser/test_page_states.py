"""The states a page shows only after something was done — messages, errors, Quick Send's answers,
a new token, an open menu, a workspace without a line — checked like every page (axe-core in the
light and the dark theme, the top bar, no sideways scroll) at 1440 px, with their screenshots."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from page_checks import DESKTOP, check_shown_page
from services import leads as lead_store
from services import members
from support import PASSWORD

pytestmark = pytest.mark.browser


def quick_send(page, base, recipient, state):
    page.goto(f"{base}/leads/quick-send/")
    page.fill("#recipient", recipient)
    expect(page.locator("#recipient-status")).to_have_attribute("data-state", state)


def test_states_after_an_action(signed_in, live_server, app, user, demo_line):
    page, base = signed_in, live_server
    with app.app_context():
        owner = db.session.get(User, user)
        members.add_member(owner.workspace_id, "grace@example.com", PASSWORD)
        for name, phone in (("Ada Lovelace", "(202) 555-0142"), ("Alan Turing", "202 555 0143")):
            lead_id = lead_store.create_lead(owner.workspace, {"first_name": name, "phone": phone})[0].id
    page.set_viewport_size(DESKTOP)
    problems = []

    def check(name, nav, signed_in=True):
        problems.extend(check_shown_page(page, name, nav, signed_in, dark=True))

    page.goto(f"{base}/leads/?sort=name")
    expect(page.locator("thead [aria-sort]")).to_have_count(1)
    check("leads-sorted", "Leads")
    page.locator(".topbar .account summary").click()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    check("account-menu", "Leads")
    page.reload()
    page.locator("tbody tr").first.get_by_role("button", name="Check Availability").click()
    expect(page.locator("tbody tr").first).to_have_attribute("data-status", "checking")
    check("leads-checking", "Leads")
    page.locator("input[name=all_matching]").check()
    page.locator(".bulk").get_by_role("button", name="Check Availability").click()
    expect(page.locator(".batch progress")).to_be_visible()  # no worker runs: it stays under way
    check("leads-batch", "Leads")

    page.goto(f"{base}/leads/{lead_id}/edit")
    page.fill("input[name=email]", "not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-warning")).to_be_visible()
    check("lead-saved-with-a-warning", "Leads")
    page.goto(f"{base}/leads/{lead_id}/edit")
    page.fill("input[name=phone]", "")
    page.fill("input[name=email]", "")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-error")).to_be_visible()
    check("lead-edit-error", "Leads")

    for recipient, state in (
        ("(202) 555-0142", "available"),
        ("nobody@example.com", "unavailable"),
        ("hello", "invalid"),
    ):
        quick_send(page, base, recipient, state)
        check(f"quick-send-{state}", "Quick Send")

    page.goto(f"{base}/settings/tokens/")
    page.fill("input[name=name]", "Zapier")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    check("tokens-created", "Settings")
    page.goto(f"{base}/settings/team/")
    page.fill("input[name=email]", "linus@example.com")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.locator("#invitation-link")).to_be_visible()
    check("team-invited", "Settings")

    page.goto(f"{base}/lines/")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".test-result .result")).to_be_visible()
    check("line-tested", "Lines")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".line-status")).to_have_text("Inactive")
    check("line-inactive", "Lines")
    page.goto(f"{base}/leads/")
    expect(page.locator(".banner")).to_contain_text("No active line")
    check("leads-without-a-line", "Leads")
    quick_send(page, base, "ada@icloud.com", "no_active_line")
    check("quick-send-no_active_line", "Quick Send")

    page.locator(".topbar .account summary").click()
    page.get_by_role("button", name="Log out", exact=True).click()
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login"))
    check("login-failed", None, signed_in=False)
    assert not problems, "\n".join(problems)
