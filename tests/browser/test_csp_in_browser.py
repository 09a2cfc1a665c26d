"""Every page works under its Content-Security-Policy: no violation reported by Chromium, and htmx
running (from the local copy: the CDN is blocked here)."""
import pytest

pytestmark = pytest.mark.browser


def test_no_page_breaks_its_content_security_policy(signed_in, live_server, demo_line):
    page = signed_in
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ("/leads/", "/leads/import/", "/leads/quick-send/", "/lines/", "/settings/",
                 "/settings/tokens/"):
        page.goto(f"{live_server}{path}")
        page.wait_for_function("typeof window.htmx === 'object'")
    page.goto(f"{live_server}/leads/quick-send/")
    page.fill("#recipient", "2025550142")
    page.wait_for_selector("#recipient-status[data-state=available]")
    assert problems == []
