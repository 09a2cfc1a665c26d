"""Every page works under its Content-Security-Policy: no violation reported by Chromium, and htmx
running (from the local copy: the CDN is blocked here)."""

import pytest

pytestmark = pytest.mark.browser


def test_no_page_breaks_its_content_security_policy(signed_in, live_server, demo_line):
    page = signed_in
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ("/leads/", "/leads/import/", "/leads/quick-send/", "/lines/", "/settings/", "/settings/tokens/"):
        page.goto(f"{live_server}{path}")
        page.wait_for_function("typeof window.htmx === 'object'")
    page.goto(f"{live_server}/leads/quick-send/")
    page.fill("#recipient", "2025550142")
    page.wait_for_selector("#recipient-status[data-state=available]")
    assert problems == []


def test_scripts_run_from_the_pinned_htmx_file_on_the_cdn_and_nowhere_else_there(page, live_server, user):
    """The CSP names htmx's exact CDN URL: that file loads (the CDN stands in here with the same
    bytes, which pass the SRI check), and any other script on the CDN's host is refused."""
    from pathlib import Path

    from security_headers import HTMX_CDN_URL

    local_copy = Path(__file__).resolve().parents[2] / "static" / "htmx.min.js"
    page.route(HTMX_CDN_URL, lambda route: route.fulfill(body=local_copy.read_bytes(), content_type="text/javascript"))
    page.route(
        "https://cdn.jsdelivr.net/npm/evil@1.0.0/x.js",
        lambda route: route.fulfill(body="window.evil = true", content_type="text/javascript"),
    )
    fallbacks, problems = [], []
    page.on("request", lambda r: fallbacks.append(r.url) if r.url.endswith("/static/htmx.min.js") else None)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server}/login")
    page.wait_for_function("typeof window.htmx === 'object'")
    assert fallbacks == [] and problems == []  # htmx came from the CDN, allowed
    page.evaluate("""() => new Promise(done => {
        const s = document.createElement('script');
        s.src = 'https://cdn.jsdelivr.net/npm/evil@1.0.0/x.js';
        s.onload = s.onerror = done;
        document.head.append(s);
    })""")
    assert page.evaluate("window.evil") is None
    assert any("evil@1.0.0" in problem for problem in problems), problems
