"""No webhook message is lost to Redis: one made while Redis is down, or a retry Redis forgets in a
restart, waits in the outbox (the database) until a real worker's sweep queues it again, and a real
receiver on loopback gets it once, signed."""

import json

import pytest

from extensions import db
from models import CheckBatch, Lead, User, WebhookDelivery, WebhookOutbox, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.queue import check_queue, jobs_in_redis
from services.webhooks import endpoints
from support import auth, start_flask, wait_for
from webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration


@pytest.fixture
def setup(app, user, demo_line, throwaway_redis):
    """An app on a Redis of the test's own, the user's workspace (a demo line), and a receiver."""
    from app import create_app

    on_throwaway = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url, "API_RATE_LIMIT": "1000 per minute"})
    with on_throwaway.app_context():
        workspace_id = db.session.get(User, user).workspace_id
    hooks = WebhookReceiver(fail_first=0)
    yield on_throwaway, workspace_id, hooks
    hooks.close()
    with on_throwaway.app_context():
        db.engine.dispose()


def checked_once(app, workspace_id: int, phones: tuple[str, ...]) -> list[int]:
    """New leads, each checked once (Redis up): their answers are kept, so checking them again
    takes no line call, and no Redis (a line call is paced there)."""
    with app.app_context():
        workspace = db.session.get(Workspace, workspace_id)
        leads = [lead_store.create_lead(workspace, {"phone": phone})[0] for phone in phones]
        for lead in leads:
            assert lead_checks.check_now(lead) is None
        return [lead.id for lead in leads]


def subscribe(app, workspace_id: int, url: str, event: str) -> str:
    with app.app_context():
        return endpoints.create(workspace_id, url, [event])[1]


def worker_delivers(hooks: WebhookReceiver, redis_url: str, log, count: int = 1, **env: str) -> None:
    """Run a real worker (its maintenance sweeps at once, then every 15 s) until the receiver has
    taken `count` messages."""
    worker = start_flask(
        "worker",
        log=log,
        env={"REDIS_URL": redis_url, "CHECK_LOST_AFTER_SECONDS": "0", "LOST_CHECK_SWEEP_SECONDS": "1", **env},
    )
    try:
        assert wait_for(lambda: len(hooks.accepted()) >= count, 40), log.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def assert_sent_once(app, hooks: WebhookReceiver, secret: str) -> dict:
    """The receiver took one message, once, signed; nothing more is owed or queued."""
    [payload] = [p for p, (_, _, status) in zip(hooks.verified(secret), hooks.requests, strict=True) if status == 200]
    assert len(hooks.attempts) == 1 and len(hooks.accepted()) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(WebhookOutbox.id))) == 0
        assert not jobs_in_redis().webhooks
    return payload


def test_a_lead_checked_while_redis_is_down_is_sent_once_it_is_back(setup, token, throwaway_redis, tmp_path):
    app, workspace_id, hooks = setup
    [lead_id] = checked_once(app, workspace_id, ("2025550142",))
    secret = subscribe(app, workspace_id, hooks.url, "lead.checked")
    throwaway_redis.kill()

    # Checked through the API with Redis down: the answer (kept) is given, the event is owed.
    response = app.test_client().get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token))
    assert response.status_code == 200 and response.json["status"] == "available"
    throwaway_redis.start(empty=True)
    worker_delivers(hooks, throwaway_redis.url, tmp_path / "worker.log")

    payload = assert_sent_once(app, hooks, secret)
    assert payload["type"] == "lead.checked" and payload["data"]["lead"]["id"] == str(lead_id)
    assert payload["data"]["lead"]["status"] == "available"


def test_a_retry_redis_forgot_in_a_restart_still_arrives(setup, throwaway_redis, tmp_path):
    app, workspace_id, hooks = setup
    hooks.fail_first = 1
    secret = subscribe(app, workspace_id, hooks.url, "lead.checked")
    log = tmp_path / "worker.log"
    worker = start_flask(
        "worker",
        log=log,
        env={"REDIS_URL": throwaway_redis.url, "CHECK_LOST_AFTER_SECONDS": "0", "WEBHOOK_RETRY_INTERVALS": "2"},
    )
    try:
        checked_once(app, workspace_id, ("2025550142",))

        def retry_scheduled():
            with app.app_context():
                return check_queue(app).scheduled_job_registry.count == 1

        assert wait_for(retry_scheduled, 30), log.read_text()[-3000:]
        assert len(hooks.requests) == 1 and not hooks.accepted()
        throwaway_redis.kill()
        throwaway_redis.start(empty=True)  # the scheduled retry is gone
        # The worker's next maintenance (15 s after its first) finds the retry due and not in Redis.
        assert wait_for(lambda: hooks.accepted(), 40), log.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    [(message_id, attempts)] = hooks.attempts.items()
    assert attempts == 2 and assert_sent_once(app, hooks, secret)["type"] == "lead.checked"
    with app.app_context():
        log_rows = db.session.execute(
            db.select(WebhookDelivery.message_id, WebhookDelivery.attempt, WebhookDelivery.succeeded).order_by(
                WebhookDelivery.id
            )
        ).all()
    assert [tuple(row) for row in log_rows] == [(message_id, 1, False), (message_id, 2, True)]


def test_a_batch_completed_while_redis_is_down_is_announced_once_it_is_back(setup, throwaway_redis, tmp_path):
    app, workspace_id, hooks = setup
    leads = checked_once(app, workspace_id, ("2025550142", "2025550143"))
    secret = subscribe(app, workspace_id, hooks.url, "batch.completed")
    with app.app_context():
        batch = batch_checks.start_batch(workspace_id, "bulk", Lead.id.in_(leads))
        batch_id, run = batch.id, lead_checks.batch_run(batch.id)
    throwaway_redis.kill()

    # The worker's work for each lead, with Redis gone: the answers are kept, the last one ends the batch.
    with app.app_context():
        for lead_id in leads:
            assert lead_checks.run_check(lead_id, run, (), 0) is None
        assert db.session.get(CheckBatch, batch_id).announced_at is not None
    throwaway_redis.start(empty=True)  # the batch's jobs are gone too: its leads have their answers
    worker_delivers(hooks, throwaway_redis.url, tmp_path / "worker.log")

    payload = assert_sent_once(app, hooks, secret)
    assert payload["type"] == "batch.completed"
    assert {k: payload["data"][k] for k in ("batchId", "total", "available", "unavailable")} == {
        "batchId": str(batch_id),
        "total": 2,
        "available": 1,
        "unavailable": 1,
    }
    assert json.loads(hooks.requests[0][1])["data"]["kind"] == "bulk"


def test_an_attempt_that_crashes_every_run_is_logged_failed_not_queued_for_ever(setup, throwaway_redis, run_worker):
    """The endpoint's secret was sealed with a key the workers no longer have: every run of the
    attempt's job crashes. Once RQ has given up on it, the sweep logs a failed attempt and the
    message's schedule moves on, as after a receiver's error. Before the fix the sweep queued the
    same attempt again every time it looked, for ever."""
    from cryptography.fernet import Fernet

    from services.queue import WEBHOOK_JOB, webhook_job_id
    from services.webhooks import delivery, outbox

    app, workspace_id, hooks = setup
    subscribe(app, workspace_id, hooks.url, "lead.checked")
    app.config["CHECK_LOST_AFTER_SECONDS"] = 0
    checked_once(app, workspace_id, ("2025550142",))
    with app.app_context():
        check_queue(app).connection.flushdb()  # the first attempt's job, with its retries, is replaced below
        [row] = db.session.scalars(db.select(WebhookOutbox)).all()
        attempt = (row.endpoint_id, row.message_id, row.event_type, row.payload, row.attempt)
        # Run as RQ's last retry would: one run, no retry left, in a worker without the key.
        check_queue(app).enqueue(WEBHOOK_JOB, *attempt, False, job_id=webhook_job_id(*attempt[:2], 1))
    result = run_worker(REDIS_URL=throwaway_redis.url, LINE_SECRET_KEYS=Fernet.generate_key().decode())
    assert "InvalidToken" in result.stdout + result.stderr
    assert hooks.requests == []

    with app.app_context():
        assert check_queue(app).failed_job_registry.count == 1
        queued, crashed = outbox.requeue_lost()
        assert (queued, crashed) == (0, [attempt])
        assert delivery.give_up(crashed) == 1
        log = db.session.execute(db.select(WebhookDelivery.attempt, WebhookDelivery.succeeded, WebhookDelivery.error))
        assert [tuple(r) for r in log] == [(1, False, delivery.CRASHED)]
        [row] = db.session.scalars(db.select(WebhookOutbox)).all()
        assert row.attempt == 2, "the message's second attempt is owed, on its schedule"
        assert check_queue(app).scheduled_job_registry.count == 1
        # The next sweep finds nothing lost and logs nothing more.
        assert outbox.requeue_lost() == (0, [])
        assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 1
