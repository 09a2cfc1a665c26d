"""Security headers on every response, and production cookie flags for the session and remember-me."""

import re

from support import PASSWORD


def test_pages_and_api_carry_the_security_headers(logged_in):
    for url in ("/leads/", "/lines/", "/leads/quick-send/", "/settings/", "/api/openapi.json", "/login"):
        headers = logged_in.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_scripts_may_come_only_from_the_app_and_the_pinned_htmx_file(logged_in):
    """Not the CDN's whole host: anyone can publish a package there."""
    page = logged_in.get("/leads/")
    script_src = re.search(r"script-src ([^;]+)", page.headers["Content-Security-Policy"]).group(1).split()
    assert script_src == ["'self'", "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"]
    # The page loads exactly that file, pinned by its SRI hash.
    html = page.get_data(as_text=True)
    external = re.findall(r'<script src="(https://[^"]+)"\s+integrity="sha384-[\w+/=]+"', html)
    assert external == [script_src[1]] and html.count('<script src="https://') == 1


def test_no_inline_script_or_handlers_in_pages(logged_in, demo_line):
    for url in ("/leads/", "/lines/", "/leads/quick-send/", "/settings/", "/settings/tokens/", "/leads/import/"):
        html = logged_in.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onsubmit=" not in html and " onclick=" not in html, url
        assert "style=" not in html, url


def test_production_cookies_are_secure_httponly_and_samesite(user):
    from app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECURE_COOKIES": True})
    response = app.test_client().post(
        "/login", data={"email": "ada@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= cookies.keys()
    for name in ("session", "remember_token"):
        assert all(flag in cookies[name] for flag in ("Secure", "HttpOnly", "SameSite=Lax")), cookies[name]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
