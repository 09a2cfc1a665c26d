"""Quick Send in the browser: one check per pause in typing, every icon state, what Send will do,
and messages sent through the demo line showing up in the lead's log, however soon Send is pressed."""

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Line

pytestmark = pytest.mark.browser


def open_quick_send(page):
    page.click("header nav >> text=Quick Send")
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
    # The row changes on the page's 2 s poll, once the worker's check is done.
    expect(page.locator("tbody tr").first).to_have_attribute("data-status", "available", timeout=15_000)
    assert demo_server.stats["calls"] == 1


def test_send_pressed_as_soon_as_the_address_is_typed_never_fails(app, signed_in, demo_line, demo_server):
    """Fifty new addresses, each typed and sent at once: leaving the field sends the icon's check as
    Send posts, so the two race for the address, and Send must wait for the check's answer. Every
    twentieth line answer takes longer than a worker waits for another check (2 s): before the fix,
    Send gave up there ("another check of this address is running")."""
    with app.app_context():  # the race, not the line's pace, is under test
        db.session.get(Line, demo_line).rate_per_minute = 60_000
        db.session.commit()
    page = signed_in
    for n in range(50):
        open_quick_send(page)
        demo_server.latency = 2.2 if n % 20 == 9 else 0
        page.fill("textarea[name=message]", f"Hello {n}")
        page.fill("#recipient", f"+1 202 555 {n:04d}")
        page.click("#send")
        expect(page.locator(".flash")).to_contain_text(f"to +1202555{n:04d} through Demo", timeout=10_000)
    assert len(demo_server.sent) == 50
    assert demo_server.stats["calls"] == 50  # one per address: the waiting Send asked no line


def test_the_button_says_what_send_will_do_and_a_failed_send_keeps_the_message(signed_in, demo_line):
    page = signed_in
    open_quick_send(page)
    send = page.locator("#send")
    page.fill("#recipient", "ada@icloud.com")
    expect(send).to_have_text("Send iMessage")
    page.fill("#recipient", "202 555 0143")
    expect(send).to_have_text("Send SMS")
    page.fill("#recipient", "bob@gmail.com")
    expect(page.locator("#send-blocked")).to_contain_text("email it instead")
    expect(send).to_be_disabled()
    page.fill("#recipient", "hello")
    expect(send).to_be_enabled()
    page.fill("textarea[name=message]", "Hi Bob, a long note typed once.")
    send.click()
    expect(page.locator(".flash")).to_contain_text("Not a valid")
    expect(page.locator("textarea[name=message]")).to_have_value("Hi Bob, a long note typed once.")
    page.fill("#recipient", "bob@gmail.com")
    page.keyboard.press("Tab")  # leaving the field checks at once
    expect(send).to_be_disabled()


def test_send_pressed_at_once_on_a_phone_screen_sends(signed_in, demo_line):
    """At 390 px the input fills its row: "Checking…", shown as the field loses focus to the
    button's press, once wrapped onto a new row and pushed Send down before the press ended."""
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_quick_send(page)
    page.fill("textarea[name=message]", "Hello")
    page.fill("#recipient", "+1 202 555 0162")
    page.click("#send")
    expect(page.locator(".flash")).to_contain_text("to +12025550162 through Demo")
