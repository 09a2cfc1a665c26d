"""Webhooks end to end: a real worker delivers signed events to a receiver on loopback, retrying
until it takes each one once; an endpoint failing for a day is disabled; the SSRF guard and its
opt-in hold for webhooks as for lines; and a webhook that can't be queued loses no check."""

import io
import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from redis import RedisError
from rq.registry import ScheduledJobRegistry

from extensions import db
from models import Lead, User, WebhookDelivery, WebhookEndpoint, WebhookOutbox, utcnow
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.queue import WEBHOOK_JOB, check_queue
from services.webhooks import delivery, events, outbox
from support import auth, start_flask, wait_for
from webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration
ALL_EVENTS = ["lead.checked", "batch.completed", "upload.completed"]


@pytest.fixture
def receiver():
    servers = []

    def make(**kwargs) -> WebhookReceiver:
        servers.append(WebhookReceiver(**kwargs))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def subscribe(client, token, url, events=ALL_EVENTS) -> tuple[int, str]:
    response = client.post("/api/webhooks", headers=auth(token), json={"url": url, "events": events})
    assert response.status_code == 201, response.json
    return int(response.json["webhook"]["id"]), response.json["secret"]


def test_a_receiver_failing_twice_gets_each_event_once_signed(app, client, token, demo_line, receiver, tmp_path):
    hooks = receiver(fail_first=2)
    _, secret = subscribe(client, token, hooks.url)
    created = client.post(
        "/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}, {"phone": "2025550143"}]}
    )
    upload = client.post(
        "/api/leads/import",
        headers=auth(token),
        data={"file": (io.BytesIO(b"Phone\n2025550144\n2025550145\n"), "leads.csv")},
    )
    assert created.status_code == 201 and upload.status_code == 202
    worker = start_flask("worker", log=tmp_path / "worker.log", env={"WEBHOOK_RETRY_INTERVALS": "1,1,1"})
    try:
        assert wait_for(lambda: len(hooks.accepted()) >= 7, 120), (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(4)  # long enough for any further attempt (1 s apart) to arrive
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    payloads = hooks.verified(secret)  # every attempt, failed ones too, is signed with the secret
    accepted = [json.loads(body) for _, body in hooks.accepted()]
    # Two batches: the API's leads and the upload's are each checked as one.
    assert Counter(p["type"] for p in accepted) == {"lead.checked": 4, "batch.completed": 2, "upload.completed": 1}
    # Each message: two refusals, then taken once; the same id and body every time.
    assert sorted(hooks.attempts.values()) == [3] * 7
    by_id = {}
    for (headers, body, _), payload in zip(hooks.requests, payloads, strict=True):
        assert by_id.setdefault(headers["webhook-id"], body) == body
        assert payload["type"] in ALL_EVENTS and headers["webhook-id"].startswith("msg_")
    lead_ids = {p["data"]["lead"]["id"] for p in accepted if p["type"] == "lead.checked"}
    with app.app_context():
        assert lead_ids == {str(i) for i in db.session.scalars(db.select(Lead.id))}
        upload_done = next(p["data"] for p in accepted if p["type"] == "upload.completed")
        batches = {p["data"]["kind"]: p["data"] for p in accepted if p["type"] == "batch.completed"}
        assert batches.keys() == {"api", "upload"}, batches
        batch_done = batches["upload"]
        assert upload_done["state"] == "done" and upload_done["report"]["imported"] == 2
        assert batch_done == {
            "batchId": upload_done["batchId"],
            "kind": "upload",
            "total": 2,
            "available": 1,
            "unavailable": 1,
            "errors": 0,
            "noActiveLine": 0,
        }
        log = db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        per_message = {}
        for row in log:
            per_message.setdefault(row.message_id, []).append((row.attempt, row.status_code, row.succeeded))
        assert all(attempts == [(1, 500, False), (2, 500, False), (3, 200, True)] for attempts in per_message.values())
        assert len(per_message) == 7 and db.session.scalar(db.select(WebhookEndpoint.failing_since)) is None


def _payload() -> str:
    return json.dumps({"type": "lead.checked", "timestamp": "2026-01-01T00:00:00Z", "data": {"lead": {"id": "1"}}})


def test_an_endpoint_failing_for_24_hours_is_disabled_and_says_so(app, logged_in, token, receiver):
    hooks = receiver(status=503)
    endpoint_id, _ = subscribe(logged_in, token, hooks.url)
    scheduled = ScheduledJobRegistry(queue=check_queue(app))
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        endpoint.failing_since = utcnow() - timedelta(hours=23, minutes=59)
        db.session.commit()
        assert (
            delivery.deliver(endpoint_id, "msg_a", "lead.checked", _payload(), 1) == "failed: the receiver answered 503"
        )
        assert db.session.get(WebhookEndpoint, endpoint_id).disabled_at is None and scheduled.count == 1

        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        endpoint.failing_since = utcnow() - timedelta(hours=24)
        db.session.commit()
        delivery.deliver(endpoint_id, "msg_b", "lead.checked", _payload(), 1)
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_at is not None and scheduled.count == 1  # no retry for a disabled endpoint
        # Its retries still queued, and new events, send nothing.
        assert delivery.deliver(endpoint_id, "msg_a", "lead.checked", _payload(), 2) == "endpoint disabled"
        assert events.subscribers(endpoint.workspace_id) == {}
    assert len(hooks.requests) == 2

    page = logged_in.get("/settings/webhooks/").get_data(as_text=True)
    assert "was disabled on" in page and "after 24 hours of failed deliveries" in page
    assert "webhook endpoint was disabled" in logged_in.get("/leads/").get_data(as_text=True)
    assert logged_in.post(f"/settings/webhooks/{endpoint_id}/enable").status_code == 302
    assert "was disabled on" not in logged_in.get("/settings/webhooks/").get_data(as_text=True)
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_at is None and endpoint.failing_since is None


def test_the_day_of_failures_is_counted_from_the_first_failure_since_a_success(app):
    start = utcnow()
    endpoint = WebhookEndpoint(url="https://example.com/h", events=ALL_EVENTS, secret_encrypted="x")
    assert delivery.record_outcome(endpoint, False, start) and endpoint.failing_since == start
    assert delivery.record_outcome(endpoint, False, start + timedelta(hours=23, minutes=59, seconds=59))
    assert delivery.record_outcome(endpoint, True, start + timedelta(hours=23, minutes=59, seconds=59))
    assert endpoint.failing_since is None  # a success starts the count over
    assert delivery.record_outcome(endpoint, False, start + timedelta(hours=30))
    assert not delivery.record_outcome(endpoint, False, start + timedelta(hours=54))
    assert endpoint.disabled_at == start + timedelta(hours=54)


def test_private_addresses_are_refused_without_the_operators_opt_in(app, client, token, receiver):
    hooks = receiver()
    # Made while private networks are allowed (http:// too), by a name that resolves to loopback.
    endpoint_id, secret = subscribe(client, token, hooks.url.replace("127.0.0.1", "localhost"))
    app.config["LINE_ALLOW_PRIVATE_NETWORKS"] = False
    with app.app_context():
        assert delivery.deliver(endpoint_id, "msg_c", "lead.checked", _payload(), 1).startswith("failed")
        row = db.session.scalar(db.select(WebhookDelivery))
        assert "private or loopback" in row.error and "LINE_ALLOW_PRIVATE_NETWORKS" in row.error
        assert "webhooks" in row.error and row.status_code is None
    assert hooks.requests == []  # refused before connecting
    for url, why in (
        ("http://crm.example.com/h", "must start with https://"),
        ("https://127.0.0.1/h", "private or loopback"),
        ("https://[::1]:8443/h", "private or loopback"),
        ("https://10.0.0.7/h", "private or loopback"),
    ):
        response = client.post("/api/webhooks", headers=auth(token), json={"url": url, "events": ["lead.checked"]})
        assert response.status_code == 400 and why in response.json["error"], url
    # Metadata addresses are refused whatever the operator allows.
    app.config["LINE_ALLOW_PRIVATE_NETWORKS"] = True
    response = client.post(
        "/api/webhooks", headers=auth(token), json={"url": "http://169.254.169.254/latest", "events": ["lead.checked"]}
    )
    assert response.status_code == 400 and "may never use" in response.json["error"]
    with app.app_context():
        assert delivery.deliver(endpoint_id, "msg_c", "lead.checked", _payload(), 2) == "delivered"
    assert hooks.verified(secret)[0]["data"] == {"lead": {"id": "1"}}


def test_a_webhook_that_cannot_be_queued_loses_no_check(app, client, user, token, demo_line, receiver, monkeypatch):
    subscribe(client, token, receiver().url)

    def redis_down(*args, **kwargs):
        raise RedisError("Connection refused")

    monkeypatch.setattr(outbox, "enqueue_webhook", redis_down)
    created = client.post("/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
    lead_id = created.json["leadIds"][0]
    response = client.get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token))
    assert response.status_code == 200 and response.json["status"] == "available"
    with app.app_context():
        assert db.session.get(Lead, int(lead_id)).status == "available"
        # The message waits in the outbox for the workers' sweep.
        assert db.session.scalar(db.select(WebhookOutbox.event_type)) == "lead.checked"


def test_a_batch_done_before_it_was_all_queued_is_announced_once(app, client, user, token, demo_line, receiver):
    subscribe(client, token, receiver().url, events=["batch.completed"])

    def announced():
        return [json.loads(job.args[3]) for job in check_queue(app).get_jobs() if job.func_name == WEBHOOK_JOB]

    with app.app_context():
        workspace = db.session.get(User, user).workspace
        leads = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in ("2025550142", "2025550143")]
        batch = batch_checks.open_batch(workspace.id, "bulk")
        db.session.execute(db.update(Lead).values(**batch_checks.checking_values(batch)))
        db.session.commit()
        # Every lead answered while the batch was still being queued: their own writes can't announce it...
        for lead_id in leads:
            assert lead_checks.run_check(lead_id, lead_checks.batch_run(batch.id), (), 0) is None
        assert announced() == []
        # ...the end of the queueing does, and once: asked again, it is not sent again.
        batch_checks.queue_batch(batch)
        assert len(announced()) == 1
        events.lead_checked(workspace.id, leads[-1], batch.id)
    [message] = announced()
    assert message["type"] == "batch.completed" and message["data"]["total"] == 2
    assert message["data"]["available"] == 1 and message["data"]["unavailable"] == 1
