"""A person's first run: log in, see the demo line, add a lead, check it, watch the row change."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_add_a_lead_and_watch_its_check_without_reloading(signed_in, demo_line, worker_process):
    page = signed_in
    # htmx loaded from the local fallback: the CDN is unreachable here.
    page.wait_for_function("typeof window.htmx === 'object'")

    page.click("text=Lines")
    expect(page.locator(".line h2")).to_contain_text("Demo")
    expect(page.locator(".line-status")).to_have_text("Active")

    page.click("text=Leads")
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=phone]", "(202) 555-0142")
    page.click("text=Add lead")
    row = page.locator("tbody tr").first
    # New leads are checked automatically; the demo rule says an even last digit is available.
    expect(row).to_have_attribute("data-status", "available")
    expect(row).to_contain_text("(202) 555-0142")  # the workspace's region (US): national format

    page.evaluate("window.notReloaded = true")
    button = row.get_by_role("button", name="Check Availability")
    with page.expect_response(re.compile(r"/leads/\d+/check$")):
        button.click()
    expect(row).to_have_attribute("data-status", "available", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    expect(row.locator(".status")).to_contain_text("Available")


def test_a_check_shows_checking_then_the_answer(signed_in, demo_line, demo_server, worker_process):
    page = signed_in
    demo_server.latency = 1.0  # long enough to see the spinner
    page.fill("input[name=phone]", "202-555-0143")
    page.click("text=Add lead")
    row = page.locator("tbody tr").first
    expect(row).to_have_attribute("data-status", "checking")
    expect(row.locator(".icon-checking")).to_be_visible()
    expect(row.get_by_role("button", name="Check Availability")).to_be_disabled()
    expect(row).to_have_attribute("data-status", "unavailable", timeout=15_000)
    expect(row.locator(".status")).to_contain_text("Unavailable")
