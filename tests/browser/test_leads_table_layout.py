"""The leads table as a sales team reads it: at 1440 × 900, 60 ordinary leads show one line a row
(a muted second line for the company), at least 12 above the fold, nothing spilling out of its
cell, columns that stay put as a status changes; the row's check is an icon button still named
"Check Availability"; times are relative in a <time>. At 390 px the rows become cards and the
page doesn't scroll sideways. Screenshots go to $SCREENSHOT_DIR when it is set (a test artifact)."""

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from models.types import utcnow
from services import leads as lead_store

pytestmark = pytest.mark.browser

DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
FIRST = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Backus"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises"]
# Each status, with what a real row of it carries: an answer's address, a line's error.
STATUSES = ["available", "unavailable", "not_checked", "error", "no_active_line", "available"]
AGES = [timedelta(minutes=3), timedelta(hours=2), timedelta(days=1), timedelta(days=20), timedelta(seconds=20)]


def ordinary_leads(app, user, count=60):
    """`count` leads as a CRM exports them, in every status; phones typed every which way, a
    few abroad, one with an alternate phone. The newest (first in the table) is not checked."""
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        now = utcnow()
        for k in reversed(range(count)):
            first, last = FIRST[k % 10], LAST[(k // 10 + k) % 10]
            phone = [f"(202) 555-01{k:02d}", f"202-555-01{k:02d}", f"+1 202 555 01{k:02d}", "+44 20 7946 0018"][k % 4]
            data = {
                "first_name": first,
                "last_name": last,
                "company": COMPANIES[k % 6],
                "phone": phone,
                "email": f"{first}.{last}{k}@example.com".lower(),
            }
            if k == 7:
                data["alt_phone1"] = "(202) 555-0199"
            lead, _ = lead_store.create_lead(workspace, data)
            lead.status = "not_checked" if k == 0 else STATUSES[k % 6]
            if lead.status not in ("not_checked", "no_active_line"):
                lead.checked_at = now - AGES[k % 5]
            if lead.status == "available":
                lead.available_address = lead.phone_norm
            if lead.status == "error":
                lead.error = "The line didn't answer in time; it will be asked again."
        db.session.commit()


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=name.endswith("-full.png"))


MEASURE = """() => {
  const rows = [...document.querySelectorAll('table.leads tbody tr')];
  const spill = [];
  for (const cell of document.querySelectorAll('table.leads th, table.leads td')) {
    if (cell.offsetParent === null) continue;  // hidden (the phone layout's column headings)
    const box = cell.getBoundingClientRect();
    const out = cell.scrollWidth > cell.clientWidth || cell.scrollHeight > cell.clientHeight + 1 ||
      [...cell.querySelectorAll('*')].some(el => {
        const r = el.getBoundingClientRect();
        return r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1);
      });
    // Ordinary data fits whole: no text cut short by an ellipsis either (scrollWidth rounds a
    // fraction of a pixel away; the text's own box doesn't).
    const cut = [...cell.querySelectorAll('.clip')].some(el => {
      const text = document.createRange();
      text.selectNodeContents(el);
      return text.getBoundingClientRect().width > el.getBoundingClientRect().width;
    });
    if (out || cut) spill.push(cell.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60));
  }
  return {
    heights: rows.map(r => r.getBoundingClientRect().height),
    above: rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length,
    spill,
    columns: [...document.querySelectorAll('table.leads thead th')].map(th => th.getBoundingClientRect().width),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def test_sixty_ordinary_leads_make_a_dense_calm_table(app, user, signed_in, demo_line, demo_server, worker_process):
    ordinary_leads(app, user)
    page = signed_in
    page.set_viewport_size(DESKTOP)
    page.reload()
    page.wait_for_function("typeof window.htmx === 'object'")
    shoot(page, "leads-1440.png")
    m = page.evaluate(MEASURE)
    assert len(m["heights"]) == 50
    assert max(m["heights"]) <= 56, m["heights"]
    assert m["above"] >= 12, m
    assert not m["spill"], m["spill"]

    # Phones one way: national for the workspace's region (US), international otherwise.
    text = page.locator("table.leads tbody").inner_text()
    assert "(202) 555-0101" in text and "+44 20 7946 0018" in text
    assert not re.search(r"202-555|\+1 202", text)
    # Times relative, the exact time on hover.
    when = page.locator("tbody tr time").first
    expect(when).to_have_text(re.compile(r"^(just now|\d+ (min|h) ago|yesterday|\d+ days ago|\d+ \w+)$"))
    expect(when).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*Z$"))
    expect(when).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$"))
    # The header stays in view as the table scrolls.
    assert page.evaluate("scrollTo(0, 1200), scrollY") == 1200
    expect(page.locator("table.leads thead th").first).to_be_in_viewport()

    # Among the leads not checked yet (no "available via", no time), a check gives the first its
    # status, then its answer, address and time: no column moves.
    page.locator("#status-filters a", has_text="Not checked").click()
    expect(page.locator("tbody tr")).to_have_count(11)
    before = page.evaluate(MEASURE)["columns"]
    demo_server.latency = 1.0
    row = page.locator("tbody tr").first
    button = row.get_by_role("button", name="Check Availability")
    expect(button).to_have_text("")  # an icon: its name comes from aria-label
    button.click()
    expect(row).to_have_attribute("data-status", "checking")
    assert page.evaluate(MEASURE)["columns"] == before
    expect(row).to_have_attribute("data-status", "available", timeout=15_000)  # (202) 555-0100: even
    expect(row.locator("time")).to_have_text("just now")
    after = page.evaluate(MEASURE)
    assert after["columns"] == before
    assert not after["spill"], after["spill"]

    page.emulate_media(color_scheme="dark")
    page.goto(page.url.split("?")[0])
    shoot(page, "leads-1440-dark.png")


def test_on_a_phone_each_lead_is_a_card_with_its_status_and_check_in_reach(app, user, signed_in):
    ordinary_leads(app, user, count=8)
    page = signed_in
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, "leads-390.png")
    shoot(page, "leads-390-full.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("tbody tr").nth(3)
    row.scroll_into_view_if_needed()
    card, status = row.bounding_box(), row.locator(".status").bounding_box()
    button = row.get_by_role("button", name="Check Availability")
    check = button.bounding_box()
    # A card: the row as wide as the screen (less the page's margins), its cells stacked.
    assert card["width"] >= PHONE["width"] - 40 and card["x"] >= 0
    assert card["x"] + card["width"] <= PHONE["width"]
    # Status and check share the card's first line, the check at the right edge, a thumb's size.
    assert abs(status["y"] - check["y"]) < check["height"]
    assert check["x"] + check["width"] >= card["x"] + card["width"] - 60
    assert check["width"] >= 40 and check["height"] >= 40
    # Each value carries its heading in the card.
    email = row.locator("td[data-label='Email']")
    expect(email).to_be_visible()
    assert page.evaluate("td => getComputedStyle(td, '::before').content", email.element_handle()) == '"Email"'
    page.emulate_media(color_scheme="dark")
    shoot(page, "leads-390-dark.png")
