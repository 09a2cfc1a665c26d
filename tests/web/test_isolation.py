"""Workspaces never see each other: every route of the app (UI and API) with an id in its URL,
given another workspace's id, answers 404. New routes are covered automatically: a route whose id
this test does not know fails it until it is added below."""

import re

import pytest

from cli import create_user
from extensions import db
from models import ApiToken, CheckBatch, Lead, Upload
from services import leads as lead_store
from services import line_admin
from services import tokens as api_tokens
from services.checks import batches as batch_checks
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
        db.session.commit()
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.workspace_id == owner.workspace_id))
        return {
            "lead_id": lead.id,
            "line_id": line.id,
            "batch_id": batch.id,
            "upload_id": upload.id,
            "token_id": token_id,
            "job_id": failed_check_of(app, lead),
        }


def routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments - {"filename"} and rule.endpoint != "static":
            yield rule


def test_every_route_with_an_id_is_404_for_another_workspace(app, logged_in, token, theirs):
    checked = 0
    for rule in routes_with_ids(app):
        unknown = rule.arguments - theirs.keys()
        assert not unknown, f"{rule.rule}: teach this test which object {unknown} names"
        url = _url(rule, theirs)
        headers = auth(token) if rule.rule.startswith("/api/") else {}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = logged_in.open(url, method=method, headers=headers)
            assert response.status_code == 404, (method, url, response.status_code)
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
