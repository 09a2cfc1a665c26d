"""Logging in and out, CSRF on forms and htmx requests, and the account CLI."""

import re
import uuid

import pytest

from extensions import db
from models import ApiToken, Line, User
from support import PASSWORD, flask_command


def test_pages_need_a_login(client):
    for url in ("/leads/", "/lines/", "/leads/updates"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_and_logout(client, user):
    assert client.post("/login", data={"email": "ada@example.com", "password": "nope"}).status_code == 200
    assert client.get("/leads/").status_code == 302
    response = client.post("/login", data={"email": " ADA@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/leads/").status_code == 200
    client.post("/logout")
    assert client.get("/leads/").status_code == 302


def test_login_never_redirects_off_site(client, user):
    response = client.post("/login?next=https://evil.example/", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/leads/"


@pytest.fixture
def csrf_client(user):
    from app import create_app

    app = create_app({"TESTING": True})  # CSRF on, as in production
    return app.test_client()


def test_csrf_is_enforced_on_forms_and_htmx_requests(csrf_client):
    assert csrf_client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 400
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    # htmx sends the token in a header, taken from the page's hx-headers.
    page = csrf_client.get("/leads/").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert csrf_client.post("/leads/1/check").status_code == 400
    assert csrf_client.post("/leads/1/check", headers={"X-CSRFToken": header_token}).status_code == 404


def test_cli_creates_users_tokens_and_lines(app):
    result = flask_command("create-user", "Grace@Example.com", "--password", "pw-123456")
    assert result.returncode == 0, result.stderr
    result = flask_command("create-token", "grace@example.com", "--name", "CRM")
    token = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and token.startswith("imc_") and len(token) > 30
    result = flask_command(
        "add-line",
        "grace@example.com",
        "--name",
        "Mac mini",
        "--provider",
        "bluebubbles",
        "--url",
        "http://127.0.0.1:1234",
        "--secret",
        "pw",
        "--rate-per-minute",
        "4",
    )
    line_id = int(result.stdout.strip().splitlines()[-1])
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "grace@example.com"))
        stored = db.session.scalar(db.select(ApiToken))
        assert stored.workspace_id == user.workspace_id and token not in stored.token_hash
        line = db.session.get(Line, line_id)
        # Nothing answers at that URL: the line is saved, tested and left Unhealthy, with the reason.
        assert (line.workspace_id, line.status, line.rate_per_minute) == (user.workspace_id, "unhealthy", 4)
    assert "could not connect" in result.stderr
    assert flask_command("create-user", "grace@example.com", "--password", "x").returncode != 0


def test_failed_sign_ins_are_limited_per_account_and_per_address(app, client, user):
    app.config["LOGIN_LIMIT"] = "3 per 10 minutes"
    for _ in range(3):
        assert client.post("/login", data={"email": "ada@example.com", "password": "guess"}).status_code == 200
    blocked = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 601  # the window, 10 min (reset_at is whole seconds)
    # Another account from the same address is blocked too (the per-address limit).
    assert client.post("/login", data={"email": "bob@example.com", "password": "x"}).status_code == 429


def test_successful_sign_ins_do_not_count(app, client, user):
    app.config["LOGIN_LIMIT"] = "2 per 10 minutes"
    for _ in range(4):
        assert client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 302
        client.post("/logout")


def test_a_password_change_signs_out_every_other_browser(app, user):
    here, elsewhere, remembered = app.test_client(), app.test_client(), app.test_client()
    for browser in (here, elsewhere, remembered):
        assert (
            browser.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "remember": "y"}).status_code
            == 302
        )
    remembered.delete_cookie("session")  # only its remember-me cookie is left
    assert remembered.get("/leads/").status_code == 200
    remembered.delete_cookie("session")

    wrong = here.post("/account/password", data={"current": "nope", "new": "x" * 12, "repeat": "x" * 12})
    assert "not your current password" in wrong.get_data(as_text=True)
    response = here.post(
        "/account/password", data={"current": PASSWORD, "new": "a much newer secret", "repeat": "a much newer secret"}
    )
    assert response.status_code == 302
    assert here.get("/leads/").status_code == 200
    for browser in (elsewhere, remembered):
        response = browser.get("/leads/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def _sign_in(browser, remember=True):
    data = {"email": "ada@example.com", "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert browser.post("/login", data=data).status_code == 302


def _signed_in(browser) -> bool:
    response = browser.get("/leads/")
    assert response.status_code == 200 or "/login" in response.headers["Location"]
    return response.status_code == 200


def _copies(app, browser):
    """Fresh browsers carrying a copy of `browser`'s session cookie, and of its remember-me cookie."""
    copies = []
    for name in ("session", app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        copy = app.test_client()
        copy.set_cookie(name, browser.get_cookie(name).value)
        copies.append(copy)
    return copies


def test_logout_ends_the_session_and_remember_me_cookies_wherever_they_were_copied(app, user):
    browser = app.test_client()
    _sign_in(browser)
    assert all(_signed_in(copy) for copy in _copies(app, browser))  # the copies work until logout
    copies = _copies(app, browser)
    assert browser.post("/logout").status_code == 302
    assert not _signed_in(browser)
    assert not any(_signed_in(copy) for copy in copies)


def test_logging_out_in_one_browser_leaves_the_others_signed_in(app, user):
    here, elsewhere = app.test_client(), app.test_client()
    _sign_in(here)
    _sign_in(elsewhere, remember=False)
    here.post("/logout")
    assert not _signed_in(here) and _signed_in(elsewhere)


def test_log_out_everywhere_ends_every_browser_of_the_user_only(app, user):
    from cli import create_user

    with app.app_context():
        create_user("bob@example.com", PASSWORD)
    bob = app.test_client()
    assert bob.post("/login", data={"email": "bob@example.com", "password": PASSWORD}).status_code == 302
    here, elsewhere = app.test_client(), app.test_client()
    _sign_in(here, remember=False)
    _sign_in(elsewhere)
    copies = _copies(app, elsewhere)
    assert "Log out everywhere" in here.get("/account/password").get_data(as_text=True)
    response = here.post("/logout/everywhere", follow_redirects=True)
    assert "Signed out of every browser" in response.get_data(as_text=True)
    assert not any(_signed_in(browser) for browser in (here, elsewhere, *copies))
    assert _signed_in(bob)


def test_a_sign_in_ends_after_a_year(app, user):
    from datetime import timedelta

    from models import utcnow
    from services.accounts import SignIn

    browser = app.test_client()
    _sign_in(browser)
    with app.app_context():
        db.session.execute(db.update(SignIn).values(created_at=utcnow() - timedelta(days=366)))
        db.session.commit()
    assert not _signed_in(browser)


def test_a_sign_in_hashes_the_password_alike_for_any_email(app, client, user, monkeypatch):
    """Login time must not tell whether an account exists: an unknown email costs one password hash
    of the same scheme and cost as a known one. Counted where Werkzeug computes every hash."""
    import werkzeug.security

    with app.app_context():
        users_scheme = db.session.get(User, user).password_hash.split("$")[0]  # "scrypt:32768:8:1"
    computed = []
    real = werkzeug.security._hash_internal

    def counting(method, salt, password):
        computed.append(method)
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    for email in ("ada@example.com", "nobody@example.com", "ADA@example.com ", "x" * 300):
        computed.clear()
        assert client.post("/login", data={"email": email, "password": "a wrong guess"}).status_code == 200
        assert computed == [users_scheme], email


def _fail_sign_ins(browser, client_address, how_many):
    """Failed sign-ins for different emails (so only the per-address limit adds up), as forwarded
    by a proxy for `client_address`; the status of each."""
    return [
        browser.post(
            "/login",
            data={"email": f"{uuid.uuid4().hex}@example.com", "password": "x"},
            headers={"X-Forwarded-For": client_address},
        ).status_code
        for _ in range(how_many)
    ]


def test_behind_a_trusted_proxy_the_login_limit_counts_each_client_apart(app, user):
    from app import create_app

    proxied = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": 1, "LOGIN_LIMIT": "3 per 10 minutes"}
    )
    browser = proxied.test_client()  # every request comes from the proxy's address, 127.0.0.1
    assert _fail_sign_ins(browser, "203.0.113.7", 4) == [200, 200, 200, 429]
    # A client writing a made-up address first is still known by the one the proxy added.
    assert _fail_sign_ins(browser, "198.51.100.1, 203.0.113.7", 1) == [429]
    assert _fail_sign_ins(browser, "203.0.113.8", 1) == [200]  # another client has a bucket of its own


def test_with_no_proxy_configured_x_forwarded_for_is_ignored(app, client, user):
    app.config["LOGIN_LIMIT"] = "3 per 10 minutes"
    statuses = [_fail_sign_ins(client, f"203.0.113.{n}", 1)[0] for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # a made-up address each time is no way round the limit
