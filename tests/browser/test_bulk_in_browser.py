"""Bulk checks in the browser: a selection kept across pages, "all matching this filter", the
batch's progress to 100 %, Cancel, and how many requests a page of Checking rows makes."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import CheckBatch, Lead, Line, User
from services import leads as lead_store

pytestmark = pytest.mark.browser


def make_leads(app, user, count, company="Acme", first=0):
    """`count` leads whose phones end in an even digit (the demo rule: on iMessage)."""
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        ids = []
        for k in range(first, first + count):
            lead, _ = lead_store.create_lead(
                workspace, {"first_name": f"Lead {k:02d}", "company": company, "phone": f"20255501{2 * k:02d}"}
            )
            ids.append(lead.id)
        return ids


def set_pace(app, line_id, per_minute):
    with app.app_context():
        db.session.get(Line, line_id).rate_per_minute = per_minute
        db.session.commit()


def statuses(app, ids):
    with app.app_context():
        return dict(db.session.execute(db.select(Lead.id, Lead.status).where(Lead.id.in_(ids))).all())


def bulk_button(page):
    return page.locator(".bulk button.primary")


def test_a_selection_survives_paging_and_only_it_is_checked(signed_in, app, user, demo_line, worker_process):
    page = signed_in
    app.config["LEADS_PER_PAGE"] = 20
    set_pace(app, demo_line, 6000)
    ids = make_leads(app, user, 30)
    page.reload()
    first_page_pick = page.locator("tbody input[name=lead_ids]").first
    picked = [int(first_page_pick.get_attribute("value"))]
    first_page_pick.check()
    page.click("text=Next")
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2")
    second_page_pick = page.locator("tbody input[name=lead_ids]").nth(3)
    picked.append(int(second_page_pick.get_attribute("value")))
    second_page_pick.check()
    expect(page.locator("#selected-count")).to_have_text("2")

    bulk_button(page).click()
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2")  # back where the user was
    expect(page.locator(f"#lead-{picked[1]}")).to_have_attribute("data-status", "available")
    expect(page.locator("#selected-count")).to_have_text("0")  # a sent selection is cleared
    with app.app_context():
        batch = db.session.scalar(db.select(CheckBatch))
        assert (batch.kind, batch.total) == ("bulk", 2)
    after = statuses(app, ids)
    assert {i for i, s in after.items() if s != "not_checked"} <= set(picked)


def test_check_all_matching_a_search_and_watch_it_reach_100_percent(signed_in, app, user, demo_line, worker_process):
    page = signed_in
    app.config["LEADS_PER_PAGE"] = 10
    acme = make_leads(app, user, 30)
    others = make_leads(app, user, 5, company="Other", first=30)
    page.reload()
    page.fill("input[type=search]", "acme")  # debounced: the table follows without a reload
    expect(page.locator(".pager")).to_contain_text("Page 1 of 3")
    expect(page.locator("#lead-count")).to_have_text("30")  # the heading's count follows too
    expect(page).to_have_url(re.compile(r"q=acme"))  # the URL keeps the search
    page.check("input[name=all_matching]")
    expect(page.locator("label:has(input[name=all_matching])")).to_contain_text("all 30 leads")
    bulk_button(page).click()

    batch = page.locator(".batch")
    expect(batch).to_contain_text("of 30 done")
    page.evaluate("window.notReloaded = true")
    # 30 calls at the demo line's 120 a minute: about 15 s.
    expect(batch.locator("progress")).to_have_attribute("value", "30", timeout=60_000)
    expect(batch).to_contain_text("30 available")
    expect(batch).to_contain_text("Finished.")
    expect(page.locator("tbody tr[data-status=available]")).to_have_count(10)
    # The chips' counts follow the checks too, their links keeping the search.
    chips = page.locator("#status-filters")
    expect(chips.get_by_role("link", name=re.compile(r"^Available"))).to_have_text(re.compile(r"Available\s+30$"))
    expect(chips.get_by_role("link", name=re.compile(r"^Checking"))).to_have_text(re.compile(r"Checking\s+0$"))
    expect(chips.get_by_role("link", name=re.compile(r"^Available"))).to_have_attribute("href", re.compile(r"q=acme"))
    assert page.evaluate("window.notReloaded") is True
    assert set(statuses(app, acme).values()) == {"available"}
    assert set(statuses(app, others).values()) == {"not_checked"}


def test_cancel_stops_a_batch_and_puts_the_rest_back(signed_in, app, user, demo_line, demo_server, worker_process):
    page = signed_in
    set_pace(app, demo_line, 6)  # one call every 10 s: most of the batch is still waiting
    ids = make_leads(app, user, 10)
    page.reload()
    page.check("input[name=all_matching]")
    bulk_button(page).click()
    expect(page.locator(".batch")).to_contain_text("min left")
    page.locator(".batch").get_by_role("button", name="Cancel").click()
    expect(page.locator(".flash")).to_contain_text("leads were not checked")
    expect(page.locator(".batch")).to_have_count(0)
    calls = demo_server.stats["calls"]
    page.wait_for_timeout(12_000)  # past the line's next slot: no cancelled lead may use it
    assert demo_server.stats["calls"] == calls <= 1
    after = statuses(app, ids)
    assert sorted(after.values()).count("not_checked") >= 9 and "checking" not in after.values()


def test_fifty_checking_rows_make_at_most_sixty_requests_a_minute(
    signed_in, app, user, demo_line, worker_process, live_server
):
    page = signed_in
    set_pace(app, demo_line, 1)  # the batch stays Checking for the whole measurement
    make_leads(app, user, 50)
    page.reload()
    page.check("input[name=all_matching]")
    bulk_button(page).click()
    expect(page.locator(".batch")).to_contain_text("of 50 done")
    assert page.locator("tbody tr[data-status=checking]").count() >= 49

    requests = []
    page.on("request", lambda request: requests.append(request.url))
    window = 30
    page.wait_for_timeout(window * 1000)  # not time.sleep: Playwright delivers events while it waits
    to_app = [url for url in requests if url.startswith(live_server)]
    # Everything the page asked for in 30 s, rows and progress together: within 60 a minute.
    assert len(to_app) <= window, to_app
    assert sum("/leads/updates" in url for url in to_app) >= window // 2 - 2  # and it does poll
