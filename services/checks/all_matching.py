"""A check of every lead matching the leads table's filter, which may be a million leads. Past
MARKED_IN_THE_REQUEST the request opens the batch and queues one job; a worker marks the leads
Checking a slice of ids at a time, then queues their checks. One UPDATE marking a million leads
took 211 s on PostgreSQL (each new row version enters every index, the search's trigram index
above all): far past a request's timeout, and holding a million row locks while it ran."""

from redis import RedisError

from extensions import db
from models import CheckBatch, Lead, utcnow
from services import leads as lead_store
from services.checks.batches import checking_values, open_batch, queue_batch, start_batch, status_before_check
from services.lines import has_line_switched_on
from services.queue import BackgroundUnavailable, check_queue, enqueue_marking

# Leads marked a statement (by id: a slice of the workspace's ids, whichever match); each commits.
SLICE = 10_000
# Up to this many matching leads are marked in the request, as a selection is (a second or two), so
# the page shows the batch at once; more are a worker's.
MARKED_IN_THE_REQUEST = 10_000


def start(workspace_id: int, status: str | None, q: str | None) -> tuple[CheckBatch | None, bool]:
    """Check every lead of the workspace matching the filter, as one batch: a few thousand are
    marked now, more by a worker, and a worker queues their checks. Returns the batch (None when
    nothing matches, or with no line switched on: then they all say No Active Line now) and
    whether a worker marks its leads."""
    which = lead_store.matching(workspace_id, status, q)
    if not has_line_switched_on(workspace_id):
        return start_batch(workspace_id, "bulk", which), False
    if db.session.scalar(db.select(Lead.id).where(which).offset(MARKED_IN_THE_REQUEST).limit(1)) is None:
        return start_batch(workspace_id, "bulk", which, later=True), False
    try:  # Redis away: say so before anything is made
        check_queue().connection.ping()
    except RedisError as exc:
        raise BackgroundUnavailable() from exc
    batch = open_batch(workspace_id, "bulk")
    db.session.commit()
    try:
        enqueue_marking(batch.id, status, q)
    except Exception as exc:  # redis.RedisError and socket errors alike
        batch.cancelled_at = utcnow()
        db.session.commit()
        raise BackgroundUnavailable() from exc
    return batch, True


def mark_and_queue(batch_id: int, status: str | None, q: str | None) -> int:
    """The worker's part: mark the matching leads Checking in the batch, a slice at a time, then
    queue their checks. A cancelled batch marks no more. Safe to run again (a retry): a lead marked
    already keeps what it showed before. Returns how many were marked."""
    batch = db.session.get(CheckBatch, batch_id)
    if batch is None or batch.cancelled_at or batch.queued_at:
        return 0
    workspace_id, values = batch.workspace_id, checking_values(batch)
    first, last = db.session.execute(
        db.select(db.func.min(Lead.id), db.func.max(Lead.id)).where(Lead.workspace_id == workspace_id)
    ).one()
    open_still = db.select(CheckBatch.id).where(CheckBatch.id == batch_id, CheckBatch.cancelled_at.is_(None)).exists()
    marked = 0
    for start_id in range(first or 0, (last or -1) + 1, SLICE):
        marked += db.session.execute(
            db.update(Lead)
            .where(
                lead_store.matching(workspace_id, status, q),
                Lead.id >= start_id,
                Lead.id < start_id + SLICE,
                open_still,
            )
            .values(**values, status_before_check=status_before_check())
        ).rowcount
        db.session.commit()
    batch = db.session.get(CheckBatch, batch_id)
    db.session.refresh(batch)
    if not batch.cancelled_at:
        queue_batch(batch)
    return marked
