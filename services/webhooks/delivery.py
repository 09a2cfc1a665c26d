"""Delivering a webhook message: one signed POST per attempt (Standard Webhooks: webhook-id,
webhook-timestamp, webhook-signature), through the SSRF guard every line call goes through.

A 2xx answer is a delivery; anything else (another status, a redirect, no answer, an address the
guard refuses) is a failure, logged, and tried again after each of WEBHOOK_RETRY_INTERVALS (the
attempt owed moves on in the outbox in the commit that logs this one: outbox.py). An
endpoint failing without a success for DISABLE_AFTER is disabled: nothing more is sent to it until
its owner enables it again. Redeliver sends a logged message once more, with the same id, so a
receiver that took it already can tell.
"""

import time
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app
from standardwebhooks import Webhook

from availability.lines.safe_http import LineSession, forbidden_reason
from extensions import db
from models import WebhookDelivery, WebhookEndpoint, utcnow
from services import metrics
from services.queue import enqueue_webhook

from . import outbox
from .endpoints import about_webhooks

DISABLE_AFTER = timedelta(hours=24)
# The logged error of an attempt whose job failed every run (the worker's log says why).
CRASHED = "the attempt failed in the worker every time it was run (see the worker's log)"
# How long the log keeps an attempt.
LOG_DAYS = 30
USER_AGENT = "BlueBubbleCheck-Webhooks/1"


def deliver(
    endpoint_id: int, message_id: str, event_type: str, payload: str, attempt: int, manual: bool = False
) -> str:
    """One attempt (a job); says what happened, for the job's result. An attempt the outbox no
    longer owes (its job was run twice) is not made again."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return "endpoint deleted"
    if not manual and not outbox.owed(endpoint_id, message_id, attempt):
        return "made already"
    if endpoint.disabled_at is not None and not manual:
        outbox.settle(endpoint_id, message_id, attempt)
        db.session.commit()
        return "endpoint disabled"
    status, error, duration_ms = _post(endpoint, message_id, payload)
    return _log_attempt(endpoint, (message_id, event_type, payload, attempt), manual, status, error, duration_ms)


def give_up(attempts: list[outbox.Attempt]) -> int:
    """Attempts whose job failed every run RQ gave it: each is logged as a failed attempt and the
    message's schedule moves on, as after a receiver's error, so that a crash that repeats (a
    secret no key decrypts) ends as an endpoint that fails, not as a job queued for ever. Returns
    how many were logged."""
    logged = 0
    for endpoint_id, message_id, event_type, payload, attempt in attempts:
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is not None and outbox.owed(endpoint_id, message_id, attempt):
            _log_attempt(endpoint, (message_id, event_type, payload, attempt), False, None, CRASHED, 0)
            logged += 1
    db.session.rollback()
    return logged


def _log_attempt(endpoint, message: tuple[str, str, str, int], manual, status, error, duration_ms) -> str:
    """Log an attempt's outcome, move the message's schedule on, and queue its retry."""
    message_id, event_type, payload, attempt = message
    endpoint_id = endpoint.id
    succeeded = status is not None and 200 <= status < 300
    now = utcnow()
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        message_id=message_id,
        event_type=event_type,
        payload=payload,
        attempt=attempt,
        manual=manual,
        succeeded=succeeded,
        status_code=status,
        duration_ms=duration_ms,
        error=error[:300] if error else None,
        attempted_at=now,
    )
    db.session.add(delivery)
    enabled = record_outcome(endpoint, succeeded, now)
    intervals = current_app.config["WEBHOOK_RETRY_INTERVALS"]
    retry_in = (
        intervals[attempt - 1] if not succeeded and enabled and not manual and attempt <= len(intervals) else None
    )
    retry = None
    if retry_in is not None:
        delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        retry = outbox.advance(endpoint_id, message_id, event_type, payload, attempt, delivery.next_attempt_at)
    elif not manual:
        outbox.settle(endpoint_id, message_id, attempt)
    db.session.commit()
    metrics.WEBHOOK_DELIVERIES.labels("delivered" if succeeded else "failed").inc()
    if retry is not None:
        outbox.queue([retry], delay=retry_in)
    return "delivered" if succeeded else f"failed: {error}"


def record_outcome(endpoint: WebhookEndpoint, succeeded: bool, now: datetime) -> bool:
    """Note an attempt's outcome on its endpoint; whether the endpoint is still enabled."""
    if succeeded:
        endpoint.failing_since = None
        return endpoint.disabled_at is None
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.disabled_at is None and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.disabled_at = now
    return endpoint.disabled_at is None


def _post(endpoint: WebhookEndpoint, message_id: str, payload: str) -> tuple[int | None, str | None, int]:
    """(status code or None, why it failed or None, milliseconds)."""
    config = current_app.config
    secret = current_app.extensions["secrets_box"].decrypt(endpoint.secret_encrypted)
    sent_at = datetime.now(UTC)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, payload),
    }
    deadline = config["WEBHOOK_TIMEOUT"]
    session = LineSession(allow_private=config["LINE_ALLOW_PRIVATE_NETWORKS"], deadline=deadline)
    started = time.monotonic()
    status, error = None, None
    try:
        # Redirects are not followed: the guard checked this URL's address, not another's.
        response = session.post(
            endpoint.url,
            data=payload.encode(),
            headers=headers,
            timeout=(min(config["LINE_CONNECT_TIMEOUT"], deadline), deadline),
            allow_redirects=False,
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"the receiver answered {status}"
    except requests.Timeout:
        error = f"no answer within {deadline:g} s"
    except requests.ConnectionError as exc:
        why = forbidden_reason(exc)
        error = about_webhooks(why) if why else "could not connect to the receiver"
    except requests.RequestException as exc:
        error = f"the request failed ({type(exc).__name__})"
    finally:
        session.close()
    return status, error, round((time.monotonic() - started) * 1000)


def redeliver(delivery: WebhookDelivery) -> None:
    """Send a logged message once more (one attempt, numbered after the message's last one)."""
    last = db.session.scalar(
        db.select(db.func.max(WebhookDelivery.attempt)).where(
            WebhookDelivery.endpoint_id == delivery.endpoint_id, WebhookDelivery.message_id == delivery.message_id
        )
    )
    enqueue_webhook(
        delivery.endpoint_id, delivery.message_id, delivery.event_type, delivery.payload, (last or 0) + 1, manual=True
    )


def prune_log() -> int:
    """Forget attempts older than LOG_DAYS (by the periodic sweep)."""
    cutoff = utcnow() - timedelta(days=LOG_DAYS)
    pruned = db.session.execute(db.delete(WebhookDelivery).where(WebhookDelivery.attempted_at < cutoff)).rowcount
    db.session.commit()
    return pruned
