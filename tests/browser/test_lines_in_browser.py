"""Lines tell the truth: the owner adds a line pointing at a server nobody runs and the card says
Unhealthy with the reason; pointed at a live line, it answers its test and turns Active."""

import re

import pytest
from playwright.sync_api import expect

from support import free_port

pytestmark = pytest.mark.browser


def test_a_dead_line_is_unhealthy_until_it_points_at_a_live_one(signed_in, live_server, demo_server):
    page = signed_in
    page.click(".topbar nav >> text=Lines")
    page.click("text=Add a line")
    page.fill("input[name=name]", "Office Mac")
    page.select_option("select[name=provider]", "demo")
    page.fill("input[name=url]", f"http://127.0.0.1:{free_port()}")
    page.fill("input[name=secret]", "demo-key")
    page.click("button:text-is('Save')")

    expect(page).to_have_url(re.compile(r"/lines/$"))
    card = page.locator("article.line", has_text="Office Mac")
    expect(card.locator(".line-status")).to_have_text("Unhealthy")
    expect(card.locator("dd.error")).to_contain_text("could not connect")
    expect(page.locator(".flash")).to_contain_text("its test failed")

    card.get_by_role("link", name="Edit").click()
    page.fill("input[name=url]", demo_server.url)
    page.fill("input[name=secret]", "demo-key")
    page.click("button:text-is('Save')")

    expect(page.locator(".flash")).to_contain_text("answered a test and is active")
    expect(card.locator(".line-status")).to_have_text("Active")
    expect(card.locator("dd.error")).to_have_count(0)
