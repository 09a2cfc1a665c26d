"""The Operations page in the browser: it keeps itself up to date with no reload, and makes no
request while its tab is hidden."""

import pytest
from playwright.sync_api import expect

from support import start_flask

pytestmark = pytest.mark.browser

# Chromium in a test never hides its tab: the page is told it is hidden, as the browser tells it.
SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => state !== "visible"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_the_page_refreshes_itself_and_pauses_while_hidden(signed_in, live_server, tmp_path):
    page = signed_in
    page.goto(f"{live_server}/operations/")
    expect(page.locator("#workers")).to_contain_text("No worker is running")
    page.evaluate("window.notReloaded = true")

    worker = start_flask("worker", log=tmp_path / "worker.log")
    try:
        # The worker shows up by its host and process, with no reload.
        row = page.locator(f"#workers tr[data-pid='{worker.pid}']")
        expect(row).to_contain_text(f"pid {worker.pid}", timeout=60_000)
        assert page.evaluate("window.notReloaded") is True

        polls = []
        page.evaluate(SET_VISIBILITY, "hidden")
        page.on("request", lambda request: polls.append(request.url) if "/operations/live" in request.url else None)
        worker.terminate()
        worker.wait(timeout=30)
        page.wait_for_timeout(7_000)  # more than one poll's interval (5 s)
        assert polls == [], "a hidden tab kept polling"
        expect(row).to_be_visible()  # not refreshed: the stopped worker is still shown

        # Shown again, it fetches at once, without waiting for the next poll.
        page.evaluate(SET_VISIBILITY, "visible")
        expect(page.locator("#workers")).to_contain_text("No worker is running", timeout=3_000)
        assert len(polls) >= 1 and page.evaluate("window.notReloaded") is True
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)


def test_a_commands_processes_stay_open_across_the_pages_polls(signed_in, live_server, tmp_path):
    page = signed_in
    worker = start_flask("worker", "--concurrency", "2", log=tmp_path / "worker.log")
    try:
        page.goto(f"{live_server}/operations/")
        command = page.locator(f"#workers tr[data-pid='{worker.pid}']")
        summary = command.locator("summary")
        expect(summary).to_contain_text("2 of 2 processes up", timeout=60_000)
        # Opened from the keyboard, it lists both processes, and a poll (every 5 s) neither closes
        # it nor takes the focus away.
        summary.focus()
        page.keyboard.press("Enter")
        expect(command.locator("details li")).to_have_count(2)
        with page.expect_response(lambda response: "/operations/live" in response.url, timeout=15_000):
            pass
        page.wait_for_timeout(500)  # swapped in
        expect(command.locator("details")).to_have_attribute("open", "")
        expect(command.locator("details li")).to_have_count(2)
        expect(summary).to_be_focused()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
