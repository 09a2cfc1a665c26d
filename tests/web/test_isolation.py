"""Workspaces never see each other: every route of the app (UI and API) with an id in its URL,
given another workspace's id, answers 404, to its owner and to its members alike. New routes are
covered automatically: a route whose id this test does not know fails it until it is added below.
A removed member is out at once, and an invitation joins its own workspace only."""

import re
from datetime import timedelta

import pytest

from cli import create_user
from extensions import db
from models import ApiToken, CheckBatch, Invitation, Lead, Upload, User, WebhookDelivery, utcnow
from services import leads as lead_store
from services import line_admin, members
from services import tokens as api_tokens
from services.checks import batches as batch_checks
from services.webhooks import endpoints as webhook_endpoints
from support import PASSWORD, auth, failed_check_of


@pytest.fixture
def theirs(app):
    """A second workspace with one of everything; returns the ids by URL argument name."""
    with app.app_context():
        owner = create_user("eve@example.com", PASSWORD)
        lead, _ = lead_store.create_lead(owner.workspace, {"first_name": "Secret", "phone": "2025550142"})
        line = line_admin.add_line(
            owner.workspace_id,
            name="Eve's line",
            provider="demo",
            url="http://127.0.0.1:9/api/partner/v3",
            secret="eve-key",
        )
        batch = batch_checks.open_batch(owner.workspace_id, "bulk")
        upload = Upload(
            workspace_id=owner.workspace_id,
            filename="eve.csv",
            stored_name="eve.csv",
            kind="csv",
            headers=[],
            mapping=[],
        )
        db.session.add(upload)
        api_tokens.create_token(owner, "eve's token")
        members.invite(owner, "mallory@example.com")
        endpoint, _ = webhook_endpoints.create(owner.workspace_id, "https://eve.example.com/h", ["lead.checked"])
        delivery = WebhookDelivery(
            workspace_id=owner.workspace_id,
            endpoint_id=endpoint.id,
            message_id="msg_eve",
            event_type="lead.checked",
            payload="{}",
            attempt=1,
            succeeded=True,
            duration_ms=1,
        )
        db.session.add(delivery)
        db.session.commit()
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.workspace_id == owner.workspace_id))
        return {
            "member_id": create_user("eves.member@example.com", PASSWORD, workspace_of="eve@example.com").id,
            "invitation_id": db.session.scalar(db.select(Invitation.id)),
            # An invitation link is a credential of its own, not an id: one naming nothing is 404
            # (which workspace a real one joins is tested below).
            "token": "no-such-invitation",
            "lead_id": lead.id,
            "line_id": line.id,
            "batch_id": batch.id,
            "upload_id": upload.id,
            "token_id": token_id,
            "job_id": failed_check_of(app, lead),
            "endpoint_id": endpoint.id,
            "webhook_id": endpoint.id,
            "delivery_id": delivery.id,
        }


def routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments - {"filename"} and rule.endpoint != "static":
            yield rule


# Pages only an owner may use answer a member 403 whatever the id, which tells nothing either.
OWNER_ONLY = ("/lines/", "/settings/tokens/", "/settings/team/", "/settings/webhooks/")


@pytest.fixture
def member(app, user):
    """A member (not the owner) of the test user's workspace; returns their id."""
    with app.app_context():
        return create_user("bob@example.com", PASSWORD, workspace_of="ada@example.com").id


def _sign_in(app, email, remember=False):
    browser = app.test_client()
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert browser.post("/login", data=data).status_code == 302
    return browser


@pytest.mark.parametrize("role", ["owner", "member"])
def test_every_route_with_an_id_is_404_for_another_workspace(app, logged_in, member, token, theirs, role):
    browser = logged_in if role == "owner" else _sign_in(app, "bob@example.com")
    checked = 0
    for rule in routes_with_ids(app):
        unknown = rule.arguments - theirs.keys()
        assert not unknown, f"{rule.rule}: teach this test which object {unknown} names"
        url = _url(rule, theirs)
        headers = auth(token) if rule.rule.startswith("/api/") else {}
        expected = {404, 403} if role == "member" and rule.rule.startswith(OWNER_ONLY) else {404}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = browser.open(url, method=method, headers=headers)
            assert response.status_code in expected, (method, url, response.status_code)
            checked += 1
    assert checked >= 15


def _url(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_lists_exports_and_polls_show_only_the_own_workspace(app, logged_in, token, theirs):
    for url in (
        "/leads/",
        "/leads/export.csv",
        "/lines/",
        "/leads/import/",
        "/settings/tokens/",
        f"/leads/updates?lead={theirs['lead_id']}:x&batch={theirs['batch_id']}",
    ):
        html = logged_in.get(url).get_data(as_text=True)
        assert not any(mark in html for mark in ("Secret", "Eve&#39;s", "Eve's", "eve.csv", "eve@")), url
    lead = str(theirs["lead_id"])
    assert logged_in.post("/leads/bulk-check", data={"lead_ids": [lead]}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckBatch.id)).where(CheckBatch.kind == "bulk")) == 1
    for body in ({"leadIds": [lead]},):
        response = logged_in.post("/api/leads/check-availability", json=body, headers=auth(token))
        assert response.status_code == 200 and response.json["results"][0]["status"] == "not_found"
    assert logged_in.get("/api/leads", headers=auth(token)).json["leads"] == []
    for confirmed in ("", "1"):  # their lead is neither named on the confirmation nor deleted
        page = logged_in.post("/leads/bulk-delete", data={"lead_ids": [lead], "confirmed": confirmed})
        assert "Secret" not in page.get_data(as_text=True)
    logged_in.post("/leads/bulk-delete", data={"all_matching": "1", "confirmed": "1"})
    with app.app_context():
        assert db.session.get(Lead, theirs["lead_id"]) is not None


def test_a_member_sees_their_workspace_only(app, user, member, theirs):
    with app.app_context():
        lead_store.create_lead(db.session.get(User, user).workspace, {"first_name": "Ours", "phone": "2025550143"})
    bob = _sign_in(app, "bob@example.com")
    for url in ("/leads/", "/leads/export.csv", "/leads/import/"):
        html = bob.get(url).get_data(as_text=True)
        assert not any(mark in html for mark in ("Secret", "eve.csv", "eve@")), url
    assert "Ours" in bob.get("/leads/").get_data(as_text=True)


def _out(browser) -> bool:
    response = browser.get("/leads/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_removed_member_is_out_at_once_cookies_and_tokens(app, logged_in, member, token):
    with app.app_context():  # as if bob had made one while he owned the workspace
        bobs_token = api_tokens.create_token(db.session.get(User, member), "bob's")
    bob = _sign_in(app, "bob@example.com", remember=True)
    remembered = app.test_client()  # only bob's remember-me cookie
    remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    remembered.set_cookie(remember_cookie, bob.get_cookie(remember_cookie).value)
    assert not _out(bob) and not _out(remembered)
    assert bob.get("/api/leads/check-availability?id=1", headers=auth(bobs_token)).status_code == 404

    response = logged_in.post(f"/settings/team/members/{member}/remove", follow_redirects=True)
    assert "bob@example.com was removed" in response.get_data(as_text=True)
    assert _out(bob) and _out(remembered)
    assert bob.get("/api/leads/check-availability?id=1", headers=auth(bobs_token)).status_code == 401
    # The workspace's own token (the owner's) goes on working.
    assert bob.get("/api/leads/check-availability?id=1", headers=auth(token)).status_code == 404
    assert app.test_client().post("/login", data={"email": "bob@example.com", "password": PASSWORD}).status_code == 200


def test_an_invitation_joins_its_own_workspace_only(app, user, theirs):
    with app.app_context():
        link = members.invite(db.session.get(User, user), "carol@example.com")
        eve_workspace = db.session.scalar(db.select(User.workspace_id).where(User.email == "eve@example.com"))
    carol = app.test_client()
    # A workspace named in the form (or the query) is ignored: the link alone decides.
    response = carol.post(
        f"/join/{link}?workspace_id={eve_workspace}",
        data={"password": PASSWORD, "repeat": PASSWORD, "workspace_id": eve_workspace},
    )
    assert response.status_code == 302
    with app.app_context():
        joined = db.session.scalar(db.select(User).where(User.email == "carol@example.com"))
        assert (joined.workspace_id, joined.role) == (db.session.get(User, user).workspace_id, "member")
    assert "Secret" not in carol.get("/leads/").get_data(as_text=True)


def test_a_used_expired_or_withdrawn_link_says_so(app, user):
    with app.app_context():
        ada = db.session.get(User, user)
        used, expired, withdrawn = (members.invite(ada, f"{name}@example.com") for name in ("u", "x", "w"))
        db.session.execute(
            db.update(Invitation)
            .where(Invitation.email == "x@example.com")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        members.revoke_invitation(db.session.scalar(db.select(Invitation).where(Invitation.email == "w@example.com")))
    browser = app.test_client()
    assert browser.post(f"/join/{used}", data={"password": PASSWORD, "repeat": PASSWORD}).status_code == 302
    browser.post("/logout")
    for link, status, says in (
        (used, 410, "already used"),
        (expired, 410, "expired on"),
        (withdrawn, 410, "withdrawn"),
        ("made-up", 404, "not valid"),
    ):
        for response in (
            browser.get(f"/join/{link}"),
            browser.post(f"/join/{link}", data={"password": PASSWORD, "repeat": PASSWORD}),
        ):
            assert response.status_code == status and says in response.get_data(as_text=True), link
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # ada and the one who used the link
