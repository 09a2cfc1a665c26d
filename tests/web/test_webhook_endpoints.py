"""Webhook endpoints through the API (create with a secret shown once, list, delete, each
workspace its own, every bad body a 400 saying why) and the owner's Settings → Webhooks page.
Deliveries themselves: tests/integration/test_webhook_deliveries.py."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import create_user
from extensions import db
from models import User, WebhookDelivery, WebhookEndpoint
from services.queue import check_queue
from support import PASSWORD, auth

GOOD = {"url": "https://crm.example.com/hooks/bbc", "events": ["lead.checked", "batch.completed"]}


def test_create_list_delete(app, client, token):
    created = client.post("/api/webhooks", headers=auth(token), json={**GOOD, "description": " CRM  sync "})
    assert created.status_code == 201
    body = created.json
    secret, webhook = body["secret"], body["webhook"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    assert webhook["url"] == GOOD["url"] and webhook["events"] == GOOD["events"]
    assert webhook["description"] == "CRM sync" and webhook["disabledAt"] is None
    listed = client.get("/api/webhooks", headers=auth(token))
    assert listed.json == {"success": True, "webhooks": [webhook]}
    assert secret not in listed.get_data(as_text=True)  # shown once, at creation
    with app.app_context():
        row = db.session.get(WebhookEndpoint, int(webhook["id"]))
        assert secret[6:] not in row.secret_encrypted  # stored encrypted
        assert app.extensions["secrets_box"].decrypt(row.secret_encrypted) == secret
    assert client.delete(f"/api/webhooks/{webhook['id']}", headers=auth(token)).status_code == 204
    assert client.get("/api/webhooks", headers=auth(token)).json["webhooks"] == []
    gone = client.delete(f"/api/webhooks/{webhook['id']}", headers=auth(token))
    assert gone.status_code == 404 and gone.json["success"] is False


def test_another_workspaces_endpoints_are_not_found(app, client, token):
    webhook_id = client.post("/api/webhooks", headers=auth(token), json=GOOD).json["webhook"]["id"]
    with app.app_context():
        from services import tokens as api_tokens

        theirs = api_tokens.create_token(create_user("eve@example.com", PASSWORD), "eve")
    assert client.get("/api/webhooks", headers=auth(theirs)).json["webhooks"] == []
    assert client.delete(f"/api/webhooks/{webhook_id}", headers=auth(theirs)).status_code == 404
    assert len(client.get("/api/webhooks", headers=auth(token)).json["webhooks"]) == 1


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"events": ["lead.checked"]}, "Give the URL"),
        ({**GOOD, "url": "ftp://crm.example.com/h"}, "must start with https://"),
        ({**GOOD, "url": "https://user:pw@crm.example.com/h"}, "no user name or password"),
        ({**GOOD, "url": "https://crm.example.com/a b"}, "spaces or control characters"),
        ({**GOOD, "url": "https://crm.example.com:99999/h"}, "not valid"),
        ({**GOOD, "url": "https:///h"}, "no host name"),
        ({**GOOD, "url": "https://example.com/" + "a" * 500}, "longer than 500"),
        ({**GOOD, "url": "https://169.254.169.254/h"}, "may never use"),
        ({**GOOD, "events": []}, "Choose at least one event"),
        ({**GOOD, "events": "lead.checked"}, "Choose at least one event"),
        ({**GOOD, "events": ["lead.created"]}, "Unknown event 'lead.created'"),
        ({**GOOD, "description": 7}, "The description is text"),
        ({**GOOD, "description": "x" * 101}, "longer than 100"),
        ({**GOOD, "secret": "whsec_mine"}, "Unknown field 'secret'"),
        ([GOOD], "Send a JSON object"),
    ],
)
def test_a_bad_body_is_a_400_saying_why(client, token, body, why):
    response = client.post("/api/webhooks", headers=auth(token), json=body)
    assert response.status_code == 400 and why in response.json["error"], response.json
    assert client.get("/api/webhooks", headers=auth(token)).json["webhooks"] == []


def test_at_most_ten_endpoints(client, token):
    for n in range(10):
        assert (
            client.post("/api/webhooks", headers=auth(token), json={**GOOD, "url": f"{GOOD['url']}/{n}"}).status_code
            == 201
        )
    response = client.post("/api/webhooks", headers=auth(token), json=GOOD)
    assert response.status_code == 400 and "at most 10" in response.json["error"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
URLS = st.sampled_from(["https://crm.example.com/h", "https://10.0.0.1/h", "http://x", "", "https://[::1/"]) | st.text()
EVENT_LISTS = st.lists(st.sampled_from(["lead.checked", "batch.completed", "upload.completed", "x"]), max_size=4)


@settings(max_examples=150, database=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.fixed_dictionaries(
        {},
        optional={"url": URLS | JSON, "events": EVENT_LISTS | JSON, "description": st.text(max_size=120) | JSON},
    )
    | JSON
)
def test_any_body_is_created_or_refused_with_a_reason(app, token, body):
    client = app.test_client()
    response = client.post("/api/webhooks", headers=auth(token), json=body)
    assert response.status_code in (201, 400), response.get_data(as_text=True)
    valid = (
        isinstance(body, dict)
        and set(body) <= {"url", "events", "description"}
        and body.get("url") == "https://crm.example.com/h"
        and isinstance(body.get("events"), list)
        and body["events"]
        and all(event in ("lead.checked", "batch.completed", "upload.completed") for event in body["events"])
        and (
            body.get("description") is None
            or (isinstance(body["description"], str) and len(body["description"]) <= 100)
        )
    )
    if valid:
        assert response.status_code == 201
        client.delete(f"/api/webhooks/{response.json['webhook']['id']}", headers=auth(token))
    elif response.status_code == 201:  # another URL the rules allow (st.text can write one)
        client.delete(f"/api/webhooks/{response.json['webhook']['id']}", headers=auth(token))
    else:
        assert response.json["success"] is False and response.json["error"]


def test_the_page_adds_an_endpoint_shows_its_secret_once_and_deletes_it(app, logged_in):
    page = logged_in.get("/settings/webhooks/")
    assert page.status_code == 200 and "No deliveries yet" in page.get_data(as_text=True)
    created = logged_in.post(
        "/settings/webhooks/",
        data={"url": "https://crm.example.com/h", "events": ["upload.completed"], "description": "CRM"},
    )
    html = created.get_data(as_text=True)
    secret = re.search(r'<code id="new-secret">(whsec_[^<]+)</code>', html).group(1)
    assert 'data-endpoint="https://crm.example.com/h"' in html
    assert secret not in logged_in.get("/settings/webhooks/").get_data(as_text=True)
    with app.app_context():
        endpoint = db.session.scalar(db.select(WebhookEndpoint))
        assert endpoint.events == ["upload.completed"] and endpoint.description == "CRM"
    refused = logged_in.post("/settings/webhooks/", data={"url": "ftp://x", "events": ["lead.checked"]})
    assert refused.status_code == 400 and "must start with https://" in refused.get_data(as_text=True)
    deleted = logged_in.post(f"/settings/webhooks/{endpoint.id}/delete", follow_redirects=True)
    assert "deleted: no more events are sent to it" in deleted.get_data(as_text=True)
    assert 'data-endpoint="' not in deleted.get_data(as_text=True)


def test_redeliver_queues_the_logged_message_again(app, logged_in, user):
    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        endpoint = WebhookEndpoint(
            workspace_id=workspace_id, url="https://crm.example.com/h", events=["lead.checked"], secret_encrypted="x"
        )
        db.session.add(endpoint)
        db.session.flush()
        row = WebhookDelivery(
            workspace_id=workspace_id,
            endpoint_id=endpoint.id,
            message_id="msg_1",
            event_type="lead.checked",
            payload="{}",
            attempt=7,
            succeeded=False,
            status_code=500,
            duration_ms=12,
        )
        db.session.add(row)
        db.session.commit()
        delivery_id = row.id
    page = logged_in.get("/settings/webhooks/").get_data(as_text=True)
    assert 'data-message="msg_1" data-succeeded="no"' in page and "12 ms" in page and ">Redeliver<" in page
    response = logged_in.post(f"/settings/webhooks/deliveries/{delivery_id}/redeliver", follow_redirects=True)
    assert "queued to be sent again" in response.get_data(as_text=True)
    [job] = check_queue(app).get_jobs()
    assert job.args[1:] == ("msg_1", "lead.checked", "{}", 8, True)


def test_members_may_not_manage_webhooks(app, user):
    with app.app_context():
        create_user("bob@example.com", PASSWORD, workspace_of="ada@example.com")
    member = app.test_client()
    member.post("/login", data={"email": "bob@example.com", "password": PASSWORD})
    response = member.get("/settings/webhooks/")
    assert response.status_code == 403 and "manages webhooks" in response.get_data(as_text=True)
    assert member.post("/settings/webhooks/", data={"url": "https://crm.example.com/h"}).status_code == 403
