"""Teams: the owner invites (a link shown once), removes and hands over; members work with leads and
are kept off lines, tokens, settings and the team; the CLI adds members; the migration makes every
existing user the owner of their workspace. Isolation across workspaces: test_isolation.py."""

import re

import pytest

from cli import create_user
from extensions import db
from models import Invitation, User
from services import leads as lead_store
from support import PASSWORD


def _sign_in(app, email):
    browser = app.test_client()
    assert browser.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return browser


@pytest.fixture
def bob(app, user):
    """A signed-in member of ada's workspace."""
    with app.app_context():
        create_user("bob@example.com", PASSWORD, workspace_of="ada@example.com")
    return _sign_in(app, "bob@example.com")


def test_an_invitation_link_is_shown_once_stored_hashed_and_joins_as_a_member(app, logged_in, user):
    page = logged_in.post("/settings/team/invite", data={"email": " Carol@Example.com "}).get_data(as_text=True)
    link = re.search(r'<code id="invitation-link">(http://[^<]+/join/([\w-]+))</code>', page)
    token = link.group(2)
    listing = logged_in.get("/settings/team/").get_data(as_text=True)
    assert "carol@example.com" in listing and token not in listing and "invitation-link" not in listing
    with app.app_context():
        stored = db.session.scalar(db.select(Invitation))
        assert token not in stored.token_hash and (stored.expires_at - stored.created_at).days == 7

    carol = app.test_client()
    form = carol.get(f"/join/{token}").get_data(as_text=True)
    assert "carol@example.com" in form and "Choose a password" in form
    short = carol.post(f"/join/{token}", data={"password": "short", "repeat": "short"})
    assert short.status_code == 200 and "between 12 and 200" in short.get_data(as_text=True)
    assert carol.post(f"/join/{token}", data={"password": PASSWORD, "repeat": PASSWORD}).status_code == 302
    assert carol.get("/leads/").status_code == 200
    with app.app_context():
        joined = db.session.scalar(db.select(User).where(User.email == "carol@example.com"))
        assert joined.role == "member" and joined.workspace_id == db.session.get(User, user).workspace_id
    assert _sign_in(app, "carol@example.com")  # the password set on the link's page, with the normal login


def test_invitations_are_refused_for_taken_or_bad_emails_and_can_be_withdrawn(app, logged_in, bob):
    for email, says in (("bob@example.com", "already an account"), ("not an email", "not a valid email")):
        response = logged_in.post("/settings/team/invite", data={"email": email})
        assert response.status_code == 400 and says in response.get_data(as_text=True)
    first = logged_in.post("/settings/team/invite", data={"email": "dan@example.com"}).get_data(as_text=True)
    again = logged_in.post("/settings/team/invite", data={"email": "dan@example.com"}).get_data(as_text=True)
    old, new = (re.search(r"/join/([\w-]+)</code>", page).group(1) for page in (first, again))
    assert app.test_client().get(f"/join/{old}").status_code == 410  # the new link replaced it
    signed_in = logged_in.get(f"/join/{new}").get_data(as_text=True)
    assert "Log out, then open the link again" in signed_in and "Choose a password" not in signed_in
    invitation_id = re.search(r"/invitations/(\d+)/revoke", logged_in.get("/settings/team/").get_data(as_text=True))
    logged_in.post(f"/settings/team/invitations/{invitation_id.group(1)}/revoke")
    assert "withdrawn" in app.test_client().get(f"/join/{new}").get_data(as_text=True)


def test_members_use_leads_but_not_lines_tokens_settings_or_the_team(app, user, bob):
    with app.app_context():  # a lead waiting for a line: its row asks the owner, not a page bob can't open
        lead, _ = lead_store.create_lead(db.session.get(User, user).workspace, {"phone": "2025550142"})
        lead.status = "no_active_line"
        db.session.commit()
    assert bob.get("/leads/").status_code == 200 and bob.get("/leads/import/").status_code == 200
    nav = bob.get("/leads/").get_data(as_text=True)
    assert 'href="/lines/"' not in nav and "Ask the workspace's owner to add a line" in nav
    for method, url in (
        ("GET", "/lines/"),
        ("POST", "/lines/new"),
        ("GET", "/settings/tokens/"),
        ("POST", "/settings/tokens/"),
        ("GET", "/settings/team/"),
        ("POST", "/settings/team/invite"),
        ("POST", "/settings/"),
    ):
        response = bob.open(url, method=method, data={"name": "x", "email": "x@example.com"})
        assert response.status_code == 403, (method, url)
        assert "Only the workspace&#39;s owner" in response.get_data(as_text=True), url
    settings = bob.get("/settings/").get_data(as_text=True)
    assert "ada@example.com" in settings and "/settings/tokens/" not in settings and "Change password" in settings


def test_the_owner_hands_over_and_cannot_remove_themselves(app, logged_in, user, bob):
    with app.app_context():
        bob_id = db.session.scalar(db.select(User.id).where(User.email == "bob@example.com"))
    response = logged_in.post(f"/settings/team/members/{user}/remove", follow_redirects=True)
    assert "pass ownership to another member first" in response.get_data(as_text=True)
    assert logged_in.post(f"/settings/team/members/{user}/make-owner").status_code == 302
    assert logged_in.post(f"/settings/team/members/{bob_id}/make-owner").status_code == 302
    with app.app_context():
        roles = dict(db.session.execute(db.select(User.email, User.role)).all())
        assert roles == {"ada@example.com": "member", "bob@example.com": "owner"}
    assert logged_in.get("/lines/").status_code == 403 and bob.get("/lines/").status_code == 200
    assert bob.post(f"/settings/team/members/{user}/remove").status_code == 302
    assert logged_in.get("/leads/").status_code == 302  # ada, removed, is signed out


def test_the_cli_adds_members_and_prints_invitation_links(app, user):
    cli = app.test_cli_runner()  # in this process: a subprocess per command costs seconds
    with app.app_context():  # as `flask` gives the commands
        result = cli.invoke(
            args=["create-user", "Erin@Example.com", "--password", PASSWORD, "--workspace-of", "ada@example.com"]
        )
        assert result.exit_code == 0 and "member of workspace" in result.output, result.output
        result = cli.invoke(
            args=["invite", "fay@example.com", "--workspace-of", "ada@example.com", "--base-url", "https://x.test/"]
        )
        link = result.output.strip().splitlines()[-1]
        assert result.exit_code == 0 and re.fullmatch(r"https://x\.test/join/[\w-]{40,}", link), result.output
        result = cli.invoke(
            args=["create-user", "gil@example.com", "--password", "x", "--workspace-of", "nobody@x.com"]
        )
        assert result.exit_code != 0 and "No user nobody@x.com" in result.output
    with app.app_context():
        ada = db.session.get(User, user)
        erin = db.session.scalar(db.select(User).where(User.email == "erin@example.com"))
        assert (erin.workspace_id, erin.role, ada.role) == (ada.workspace_id, "member", "owner")
    assert app.test_client().get(link.removeprefix("https://x.test")).status_code == 200


def test_links_that_do_not_work_are_limited_like_failed_sign_ins(app, client, user):
    app.config["LOGIN_LIMIT"] = "3 per 10 minutes"
    for _ in range(3):
        assert client.get("/join/guess").status_code == 404
    assert client.get("/join/guess").status_code == 429


def test_the_migration_makes_each_workspace_s_first_user_its_owner(app, user):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        db.session.remove()
        downgrade(revision="0016")
        try:
            with db.engine.begin() as conn:  # a second user of the same workspace, made before roles
                conn.execute(
                    text(
                        'INSERT INTO "user" (workspace_id, email, password_hash, created_at) '
                        "VALUES (:w, 'later@example.com', 'x', CURRENT_TIMESTAMP)"
                    ),
                    {"w": workspace_id},
                )
        finally:
            upgrade()
        roles = dict(db.session.execute(db.select(User.email, User.role)).all())
        assert roles == {"ada@example.com": "owner", "later@example.com": "member"}
