"""A phone layout: at 390 px wide no page scrolls sideways, and every top-bar link and Log out is
reachable; at 1440 px nothing scrolls sideways either. Long emails, company names, URLs and tokens
are the usual culprits, so the data here has them."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG_EMAIL = "bartholomew.featherstonehaugh-cholmondeley@extraordinarily-long-company-domain.example.com"
LONG_COMPANY = "Featherstonehaugh-Cholmondeley International Holdings Incorporated Worldwide"
CSV = (
    "Name,Company,Cell,Email Address\n"
    f"Ada Lovelace,{LONG_COMPANY},(202) 555-0142,{LONG_EMAIL}\n"
    "Grace Hopper,Navy,202-555-0143,grace@icloud.com\n"
    "Bad Row,,555-1234,\n"
)
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1440, "height": 900}


def _too_wide(page):
    """The page's width when it scrolls sideways at the page's current width, else None."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return f"{page.url} is {width} px wide at {viewport} px" if width > viewport else None


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(signed_in, live_server, demo_line, worker_process, tmp_path):
    page = signed_in
    # Data with long values: an import (which also gives the mapping page and the report), a
    # token and an invitation link, each shown once.
    csv = tmp_path / "a-crm-export-with-a-rather-long-file-name-from-the-marketing-department.csv"
    csv.write_text(CSV)
    page.goto(f"{live_server}/leads/import/")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button:has-text('Upload')")
    expect(page.locator("h1")).to_contain_text("Map the columns")
    mapping = page.url
    page.click("button:has-text('Import')")
    expect(page.locator("#import-progress [data-state]")).to_have_attribute("data-state", "done")
    report = page.url
    lead = page.evaluate("fetch('/leads/?q=Ada').then(r => r.text())")
    lead_path = re.search(r'href="(/leads/\d+)"', lead).group(1)

    pages = [
        "/leads/",
        lead_path,
        f"{lead_path}/edit",
        "/leads/quick-send/",
        "/leads/import/",
        mapping,
        report,
        "/lines/",
        "/lines/new",
        f"/lines/{demo_line}/edit",
        "/operations/",
        "/settings/",
        "/settings/tokens/",
        "/settings/team/",
        "/account/password",
    ]
    wide = []
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for path in pages:
            page.goto(path if path.startswith("http") else live_server + path)
            page.wait_for_load_state()
            wide.append(_too_wide(page))
        page.goto(f"{live_server}/settings/tokens/")
        page.fill("input[name=name]", "A token")
        page.click("button:has-text('Create token')")
        expect(page.locator("#new-token")).to_be_visible()
        wide.append(_too_wide(page))
        page.goto(f"{live_server}/settings/team/")
        page.fill("input[name=email]", LONG_EMAIL)
        page.click("button:has-text('Create invitation link')")
        expect(page.locator("#invitation-link")).to_be_visible()
        wide.append(_too_wide(page))
    wide = [w for w in wide if w]
    assert not wide, "\n".join(wide)

    # On a phone every link of the top bar and Log out can be seen and pressed.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/leads/")
    account = page.locator(".topbar .account summary")
    for target in [page.locator(".topbar nav a", has_text=t) for t in ("Leads", "Quick Send", "Lines", "Settings")] + [
        account
    ]:
        target.scroll_into_view_if_needed()
        expect(target).to_be_in_viewport(ratio=1)
    account.click()  # the account menu holds Log out
    log_out = page.get_by_role("button", name="Log out", exact=True)
    expect(log_out).to_be_in_viewport(ratio=1)
    account.click()  # closed again: open, it lies over the links below it
    page.locator(".topbar nav a", has_text="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    account.click()
    log_out.click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert _too_wide(page) is None
