"""Logging in and out, CSRF on forms and htmx requests, and the account CLI."""
import re

import pytest

from support import PASSWORD, flask_command
from extensions import db
from models import ApiToken, Line, User


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
    response = csrf_client.post("/login", data={"email": "ada@example.com", "password": PASSWORD,
                                                "csrf_token": token})
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
    result = flask_command("add-line", "grace@example.com", "--name", "Mac mini", "--provider",
                           "bluebubbles", "--url", "http://127.0.0.1:1234", "--secret", "pw",
                           "--rate-per-minute", "4")
    line_id = int(result.stdout.strip().splitlines()[-1])
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "grace@example.com"))
        stored = db.session.scalar(db.select(ApiToken))
        assert stored.workspace_id == user.workspace_id and token not in stored.token_hash
        line = db.session.get(Line, line_id)
        assert (line.workspace_id, line.status, line.rate_per_minute) == (user.workspace_id, "active", 4)
    assert flask_command("create-user", "grace@example.com", "--password", "x").returncode != 0


def test_failed_sign_ins_are_limited_per_account_and_per_address(app, client, user):
    app.config["LOGIN_LIMIT"] = "3 per 10 minutes"
    for _ in range(3):
        assert client.post("/login", data={"email": "ada@example.com", "password": "guess"}).status_code == 200
    blocked = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
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
        assert browser.post("/login", data={"email": "ada@example.com", "password": PASSWORD,
                                            "remember": "y"}).status_code == 302
    remembered.delete_cookie("session")  # only its remember-me cookie is left
    assert remembered.get("/leads/").status_code == 200
    remembered.delete_cookie("session")

    wrong = here.post("/account/password", data={"current": "nope", "new": "x" * 12, "repeat": "x" * 12})
    assert "not your current password" in wrong.get_data(as_text=True)
    response = here.post("/account/password", data={"current": PASSWORD, "new": "a much newer secret",
                                                    "repeat": "a much newer secret"})
    assert response.status_code == 302
    assert here.get("/leads/").status_code == 200
    for browser in (elsewhere, remembered):
        response = browser.get("/leads/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
