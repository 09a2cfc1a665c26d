"""Events, where they happen: each becomes one message (a webhook-id, a payload) queued for every
endpoint of the workspace subscribed to it.

Emitting never breaks nor holds up what emitted it: a workspace with no endpoint costs one indexed
query; the answer is committed before the event is made. The message is committed to the outbox
before it is queued: with Redis down it waits there for the workers' sweep (outbox.py). A failure
writing it (the database) is logged and the event dropped, never raised into the check or import.
"""

import functools
import json
import logging
import uuid

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, LeadTally, Upload, WebhookEndpoint, utcnow
from services.api_json import lead_json, upload_json

from . import BATCH_COMPLETED, LEAD_CHECKED, UPLOAD_COMPLETED, outbox

log = logging.getLogger(__name__)


def _never_raises(emit):
    @functools.wraps(emit)
    def quietly(*args, **kwargs) -> None:
        try:
            emit(*args, **kwargs)
        except Exception:
            db.session.rollback()
            log.exception("A webhook event (%s) could not be written; it is not sent", emit.__name__)

    return quietly


def subscribers(workspace_id: int) -> dict[str, list[int]]:
    """Event type -> the ids of the workspace's enabled endpoints subscribed to it."""
    rows = db.session.execute(
        db.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.disabled_at.is_(None)
        )
    ).all()
    by_event: dict[str, list[int]] = {}
    for endpoint_id, events in rows:
        for event in events:
            by_event.setdefault(event, []).append(endpoint_id)
    return by_event


def send(endpoint_ids: list[int], event_type: str, data: dict) -> str:
    """Owe one message to each endpoint, committed with what the session holds, then queue it;
    its id (webhook-id)."""
    message_id = f"msg_{uuid.uuid4().hex}"
    payload = json.dumps(
        {"type": event_type, "timestamp": utcnow().isoformat() + "Z", "data": data}, separators=(",", ":")
    )
    attempts = outbox.owe(endpoint_ids, message_id, event_type, payload)
    db.session.commit()
    outbox.queue(attempts)
    return message_id


@_never_raises
def lead_checked(workspace_id: int, lead_id: int, batch_id: int | None = None) -> None:
    """A lead got its final status (`batch_id`: in that batch's run, which may now be complete)."""
    subscribed = subscribers(workspace_id)
    if LEAD_CHECKED in subscribed:
        lead = db.session.get(Lead, lead_id)
        if lead is not None:
            send(subscribed[LEAD_CHECKED], LEAD_CHECKED, {"lead": lead_json(lead)})
    if batch_id is not None and BATCH_COMPLETED in subscribed:
        _announce_if_complete(workspace_id, batch_id, subscribed[BATCH_COMPLETED])


@_never_raises
def batch_queued(workspace_id: int, batch_id: int) -> None:
    """Every check of the batch is queued: its leads may all be done already (a small batch)."""
    subscribed = subscribers(workspace_id)
    if BATCH_COMPLETED in subscribed:
        _announce_if_complete(workspace_id, batch_id, subscribed[BATCH_COMPLETED])


def _announce_if_complete(workspace_id: int, batch_id: int, endpoint_ids: list[int]) -> None:
    """Each lead writing its answer, and the batch once queued, ask: the last to find no lead
    Checking (after its own write) announces it, once, whichever of them that is: the mark is set
    by one conditional UPDATE, committed with the message."""
    counts = dict(
        db.session.execute(
            db.select(LeadTally.status, LeadTally.n).where(
                LeadTally.workspace_id == workspace_id, LeadTally.batch_id == batch_id, LeadTally.n != 0
            )
        ).all()
    )
    if counts.get(LeadStatus.CHECKING):
        return
    batch = db.session.get(CheckBatch, batch_id)
    if batch is None or batch.queued_at is None or batch.cancelled_at is not None or batch.announced_at is not None:
        return
    marked = db.session.execute(
        db.update(CheckBatch)
        .where(CheckBatch.id == batch_id, CheckBatch.announced_at.is_(None))
        .values(announced_at=utcnow())
    ).rowcount
    if not marked:  # another has just announced it
        db.session.rollback()
        return
    data = {
        "batchId": str(batch.id),
        "kind": batch.kind,
        "total": sum(counts.values()),
        "available": counts.get(LeadStatus.AVAILABLE, 0),
        "unavailable": counts.get(LeadStatus.UNAVAILABLE, 0),
        "errors": counts.get(LeadStatus.ERROR, 0),
        "noActiveLine": counts.get(LeadStatus.NO_ACTIVE_LINE, 0),
    }
    send(endpoint_ids, BATCH_COMPLETED, data)


@_never_raises
def upload_finished(workspace_id: int, upload_id: int) -> None:
    subscribed = subscribers(workspace_id)
    if UPLOAD_COMPLETED in subscribed:
        send(subscribed[UPLOAD_COMPLETED], UPLOAD_COMPLETED, upload_json(db.session.get(Upload, upload_id)))
