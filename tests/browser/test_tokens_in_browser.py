"""The API tokens page in the browser: a new token's Copy button puts it on the clipboard and says
so to screen readers; where the browser refuses the clipboard, the token is selected instead."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def create_token(page, live_server, name):
    page.goto(f"{live_server}/settings/tokens/")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"imc_[\w-]+", token)
    return token


def test_the_copy_button_puts_the_new_token_on_the_clipboard_and_says_so(signed_in, live_server):
    page = signed_in
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    token = create_token(page, live_server, "CRM sync")
    status = page.locator("#new-token-copied")
    expect(status).to_have_attribute("aria-live", "polite")
    page.get_by_role("button", name="Copy").click()
    expect(status).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token


def test_where_the_clipboard_is_refused_the_token_is_selected_for_ctrl_c(signed_in, live_server):
    page = signed_in
    token = create_token(page, live_server, "Zapier")
    # As a browser without clipboard access (plain http on a LAN address, a denied permission).
    page.evaluate(
        "() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); }"
    )
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#new-token-copied")).to_contain_text("Selected: press Ctrl+C")
    assert page.evaluate("window.getSelection().toString()") == token
