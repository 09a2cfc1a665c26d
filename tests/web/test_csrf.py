"""Every state-changing route of the UI refuses a request without the CSRF token (forms and htmx
alike); the bearer-token API is exempt, having no cookies to ride on. New routes are covered."""

import re

from support import PASSWORD

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_unsafe_ui_route_needs_the_csrf_token(app, client, user):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 400
    csrf = token.group(1) or token.group(2)
    assert (
        client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": csrf}).status_code
        == 302
    )
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or not rule.methods & UNSAFE:
            continue
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        for method in rule.methods & UNSAFE:
            response = client.open(url, method=method, data={"name": "x"})
            assert response.status_code == 400 and b"CSRF" in response.data, (method, url)
            forged = client.open(url, method=method, headers={"X-CSRFToken": "forged"})
            assert forged.status_code == 400, (method, url)
            checked += 1
    assert checked >= 15
