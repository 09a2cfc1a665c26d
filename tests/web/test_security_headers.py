"""Security headers on every response, and production cookie flags for the session and remember-me."""
from support import PASSWORD


def test_pages_and_api_carry_the_security_headers(logged_in):
    for url in ("/leads/", "/lines/", "/leads/quick-send/", "/settings/", "/api/openapi.json", "/login"):
        headers = logged_in.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self' https://cdn.jsdelivr.net;" in csp and "unsafe" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_handlers_in_pages(logged_in, demo_line):
    for url in ("/leads/", "/lines/", "/leads/quick-send/", "/settings/", "/settings/tokens/", "/leads/import/"):
        html = logged_in.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onsubmit=" not in html and " onclick=" not in html, url
        assert "style=" not in html, url


def test_production_cookies_are_secure_httponly_and_samesite(user):
    from app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECURE_COOKIES": True})
    response = app.test_client().post("/login", data={"email": "ada@example.com", "password": PASSWORD,
                                                      "remember": "y"})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= cookies.keys()
    for name in ("session", "remember_token"):
        assert all(flag in cookies[name] for flag in ("Secure", "HttpOnly", "SameSite=Lax")), cookies[name]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
