"""Quick Send in the browser: one check per pause in typing, every icon state, and a message sent
through the demo line showing up in the lead's log."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_quick_send(page):
    page.click("header >> text=Leads")
    page.click("text=Import")
    page.click("text=Quick Send")
    expect(page.locator("h1")).to_have_text("Quick Send")
    page.wait_for_function("typeof window.htmx === 'object'")


def test_typing_sends_one_check_and_the_icon_follows(signed_in, demo_line, demo_server):
    page = signed_in
    open_quick_send(page)
    checks = []
    page.on("request", lambda r: checks.append(r.post_data) if r.url.endswith("/quick-send/check") else None)
    status = page.locator("#recipient-status")

    page.locator("#recipient").press_sequentially("(202) 555-0142", delay=60)  # 60 ms a key
    expect(status).to_have_attribute("data-state", "available")
    expect(status).to_contain_text("iMessage available")
    page.wait_for_timeout(800)
    assert len(checks) == 1 and "202" in checks[0]  # not one per key
    assert demo_server.stats["calls"] == 1

    page.fill("#recipient", "202 555 0143")
    expect(status).to_have_attribute("data-state", "unavailable")
    expect(status).to_contain_text("will send as SMS")
    page.fill("#recipient", "hello")
    expect(status).to_have_attribute("data-state", "invalid")
    assert demo_server.stats["calls"] == 2  # the invalid address never reached the line

    demo_server.latency = 1.5
    page.fill("#recipient", "202 555 0144")
    expect(page.locator("#recipient-checking")).to_be_visible()  # the spinner while it asks
    expect(status).to_have_attribute("data-state", "available")
    expect(page.locator("#recipient-checking")).to_be_hidden()

    demo_server.latency, demo_server.error_rate = 0, 1.0
    page.fill("#recipient", "202 555 0146")
    expect(status).to_have_attribute("data-state", "error")


def test_no_active_line_has_its_own_state(signed_in, demo_line):
    page = signed_in
    page.click("text=Lines")
    page.click("button:has-text('Deactivate')")
    open_quick_send(page)
    page.fill("#recipient", "ada@icloud.com")
    expect(page.locator("#recipient-status")).to_have_attribute("data-state", "no_active_line")


def test_send_a_message_and_see_it_in_the_leads_log(signed_in, demo_line, demo_server, worker_process):
    page = signed_in
    open_quick_send(page)
    page.fill("#recipient", "grace@icloud.com")
    expect(page.locator("#recipient-status")).to_have_attribute("data-state", "available")
    page.fill("textarea[name=message]", "Hi Grace, quick question about your order.")
    page.click("button:has-text('Send')")
    expect(page.locator(".flash")).to_contain_text("Sent by iMessage to grace@icloud.com through Demo")
    row = page.locator("table.messages tbody tr").first
    expect(row).to_contain_text("iMessage")
    expect(row).to_contain_text("Sent")
    assert demo_server.sent[0]["to"] == ["grace@icloud.com"]
    # The new lead is in the table, checked without a second line call (the icon's answer is reused).
    page.click("text=All leads")
    expect(page.locator("tbody tr").first).to_have_attribute("data-status", "available")
    assert demo_server.stats["calls"] == 1
