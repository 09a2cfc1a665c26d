"""The outbox: every attempt a webhook message is owed to an endpoint is a row (WebhookOutbox),
committed before its job goes to Redis. Redis down when the job was to be queued, or restarted
empty before a retry was due, loses the job, never the row: the workers' sweep (requeue_lost)
queues it again. A job run twice (queued again while a worker had it) finds its attempt no longer
owed and sends nothing; in the rare race left, a receiver sees the same webhook-id twice, never
nothing.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app

from extensions import db
from models import WebhookDelivery, WebhookOutbox, utcnow
from services.queue import enqueue_webhook, jobs_in_redis, webhook_job_id

log = logging.getLogger(__name__)
# Rows read by one sweep, the longest overdue first.
SWEEP_LIMIT = 10_000
QUEUE_CHUNK = 500

# A job's arguments: endpoint id, message id, event type, payload, attempt.
Attempt = tuple[int, str, str, str, int]


def owe(endpoint_ids: list[int], message_id: str, event_type: str, payload: str) -> list[Attempt]:
    """A message's first attempt to each endpoint, due now: added to the session (the caller
    commits), returned to be queued after the commit."""
    attempts = [(endpoint_id, message_id, event_type, payload, 1) for endpoint_id in endpoint_ids]
    now = utcnow()
    db.session.add_all(_row(attempt, now) for attempt in attempts)
    return attempts


def _row(attempt: Attempt, due_at: datetime) -> WebhookOutbox:
    endpoint_id, message_id, event_type, payload, number = attempt
    return WebhookOutbox(
        endpoint_id=endpoint_id,
        message_id=message_id,
        event_type=event_type,
        payload=payload,
        attempt=number,
        due_at=due_at,
    )


def queue(attempts: list[Attempt], delay: float = 0) -> None:
    """Queue committed attempts. Redis unreachable: they wait in the outbox for the sweep."""
    try:
        for attempt in attempts:
            enqueue_webhook(*attempt, delay=delay)
    except Exception as exc:  # redis.RedisError and socket errors alike
        log.warning("Webhook attempts wait in the outbox for the workers' sweep (Redis: %s)", exc)


def owed(endpoint_id: int, message_id: str, attempt: int) -> bool:
    """Whether this attempt is still to be made: its row holds it. With no row, it is owed unless
    it was made already (logged): a job queued before the outbox existed has no row."""
    at = db.session.scalar(
        db.select(WebhookOutbox.attempt).where(
            WebhookOutbox.endpoint_id == endpoint_id, WebhookOutbox.message_id == message_id
        )
    )
    if at is not None:
        return at == attempt
    made = db.select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == endpoint_id,
        WebhookDelivery.message_id == message_id,
        WebhookDelivery.attempt == attempt,
        WebhookDelivery.manual.is_(False),
    )
    return not db.session.scalar(made.exists().select())


def advance(endpoint_id: int, message_id: str, event_type: str, payload: str, attempt: int, due_at: datetime):
    """The attempt after `attempt` is owed from `due_at` (in the session: committed with the
    attempt's log). Its job's arguments, or None if another run of this attempt moved it on."""
    moved = db.session.execute(
        db.update(WebhookOutbox)
        .where(
            WebhookOutbox.endpoint_id == endpoint_id,
            WebhookOutbox.message_id == message_id,
            WebhookOutbox.attempt == attempt,
        )
        .values(attempt=attempt + 1, due_at=due_at)
    ).rowcount
    following = (endpoint_id, message_id, event_type, payload, attempt + 1)
    if not moved:
        if not owed(endpoint_id, message_id, attempt + 1):
            return None
        db.session.add(_row(following, due_at))
    return following


def settle(endpoint_id: int, message_id: str, attempt: int) -> None:
    """Nothing more is owed after `attempt` (taken, given up, or the endpoint disabled)."""
    db.session.execute(
        db.delete(WebhookOutbox).where(
            WebhookOutbox.endpoint_id == endpoint_id,
            WebhookOutbox.message_id == message_id,
            WebhookOutbox.attempt == attempt,
        )
    )


def requeue_lost() -> tuple[int, list[Attempt]]:
    """Queue again every attempt due (CHECK_LOST_AFTER_SECONDS ago) whose job Redis does not hold:
    it was down when the job was to be queued, or restarted without it. Rows first, jobs second:
    a job queued or moved on in between is seen. Returns how many were queued, and the attempts
    whose job failed every run RQ gave it (a crash each time, such as a secret no key decrypts):
    queued again they would crash for ever; delivery.give_up logs them as failed attempts."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["CHECK_LOST_AFTER_SECONDS"])
    due = db.session.execute(
        db.select(WebhookOutbox.id, WebhookOutbox.endpoint_id, WebhookOutbox.message_id, WebhookOutbox.attempt)
        .where(WebhookOutbox.due_at <= cutoff)
        .order_by(WebhookOutbox.due_at)
        .limit(SWEEP_LIMIT)
    ).all()
    db.session.rollback()  # end the read: the jobs are read next
    if not due:
        return 0, []
    held = jobs_in_redis()
    lost = {row.id: row.attempt for row in due if webhook_job_id(*row[1:]) not in held.webhooks}
    crashed_ids = {row.id for row in due if row.id in lost and webhook_job_id(*row[1:]) in held.failed_webhooks}
    crashed = _attempts({row_id: lost.pop(row_id) for row_id in crashed_ids})
    ids = list(lost)
    for start in range(0, len(ids), QUEUE_CHUNK):
        for attempt in _attempts({row_id: lost[row_id] for row_id in ids[start : start + QUEUE_CHUNK]}):
            enqueue_webhook(*attempt)
    return len(lost), crashed


def _attempts(rows: dict[int, int]) -> list[Attempt]:
    """The attempts of the rows (id: attempt number as read) still at that attempt: a row moved on
    since it was read has its next attempt's job queued already."""
    if not rows:
        return []
    found = db.session.scalars(db.select(WebhookOutbox).where(WebhookOutbox.id.in_(list(rows))))
    attempts = [
        (r.endpoint_id, r.message_id, r.event_type, r.payload, r.attempt) for r in found if rows[r.id] == r.attempt
    ]
    db.session.rollback()
    return attempts
