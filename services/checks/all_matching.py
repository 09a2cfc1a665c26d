"""A check of every lead matching the leads table's filter, which may be a million leads. Past
MARKED_IN_THE_REQUEST the request opens the batch and queues one job, line or no line; a worker
marks the leads a slice of ids at a time (Checking, or No Active Line with no line switched on),
then queues their checks. One UPDATE marking a million leads took 211 s on PostgreSQL (each new
row version enters every index, the search's trigram index above all): far past a request's
timeout, and holding a million row locks while it ran. The batch remembers its filter, and a run
holds a lease on it while it marks, so a marking whose job Redis lost is done again by the
lost-check sweep (requeue_lost_markings), and never by two runs at once."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from redis import RedisError

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, utcnow
from services import leads as lead_store
from services.checks.batches import (
    BATCH_QUEUEING_SECONDS,
    NO_LINE_VALUES,
    checking_values,
    queue_batch,
    start_batch,
    status_before_check,
)
from services.lines import has_line_switched_on
from services.queue import BackgroundUnavailable, check_queue, enqueue_marking, marking_in_redis

log = logging.getLogger(__name__)

# Up to this many matching leads are marked in the request, as a selection is (a second or two), so
# the page shows the batch at once; more are a worker's (leads a statement: CHECK_ALL_SLICE).
MARKED_IN_THE_REQUEST = 10_000
# A search is counted up to this many leads for the No Active Line message (a broad one would read
# every lead of the workspace): past it, the message says "over".
COUNTED_UP_TO = 100_000


def start(workspace_id: int, status: str | None, q: str | None, kind: str = "bulk") -> tuple[CheckBatch | None, bool]:
    """Check every lead of the workspace matching the filter, as one batch: a few thousand are
    marked now, more by a worker, and a worker queues their checks. Returns the batch (None when
    nothing matches, or when few match and no line is switched on: they all say No Active Line
    now) and whether a worker marks its leads."""
    which = lead_store.matching(workspace_id, status, q)
    if db.session.scalar(db.select(Lead.id).where(which).offset(MARKED_IN_THE_REQUEST).limit(1)) is None:
        return start_batch(workspace_id, kind, which, later=True), False
    try:  # Redis away: say so before anything is made
        check_queue().connection.ping()
    except RedisError as exc:
        raise BackgroundUnavailable() from exc
    # Its lease is free from the start: the job may wait behind others for a while.
    batch = CheckBatch(workspace_id=workspace_id, kind=kind, match_status=status, match_q=q, marking_until=utcnow())
    db.session.add(batch)
    db.session.commit()
    try:
        enqueue_marking(batch.id, status, q)
    except Exception as exc:  # redis.RedisError and socket errors alike
        batch.cancelled_at, batch.marking_until = utcnow(), None
        db.session.commit()
        raise BackgroundUnavailable() from exc
    return batch, True


def check_waiting_leads(workspace_id: int) -> CheckBatch | None:
    """A line just became usable: check the leads that were told No Active Line, every one of
    them (a million, if a big import came in before any line): a worker marks them past
    MARKED_IN_THE_REQUEST, as a check of all matching."""
    return start(workspace_id, LeadStatus.NO_ACTIVE_LINE.value, None, kind="recheck")[0]


def how_many(workspace_id: int, status: str | None, q: str | None) -> str:
    """How many leads match, as the No Active Line message says it ("over 100,000" for a broad
    search); without a search, from the tally."""
    if not (q or "").strip():
        return f"{lead_store.count_leads(workspace_id, status):,}"
    found = db.select(Lead.id).where(lead_store.matching(workspace_id, status, q)).limit(COUNTED_UP_TO + 1)
    n = db.session.scalar(db.select(db.func.count()).select_from(found.subquery()))
    return f"over {COUNTED_UP_TO:,}" if n > COUNTED_UP_TO else f"{n:,}"


def mark_and_queue(batch_id: int, status: str | None, q: str | None) -> int:
    """The worker's part: mark the matching leads, a slice at a time (each committed), then queue
    the checks of those marked Checking. With no line switched on they are told No Active Line; a
    line switched on meanwhile gets the rest marked Checking, and the leads told No Active Line are
    checked as any are when a line comes on (check_waiting_leads, here again for those whose slice
    was committed while the line's own look ran). One run at a time holds the batch's lease: another
    (a retry, the sweep's) ends at once, and only the holder queues the checks. A cancelled batch
    marks no more. Safe to run again after a run died: a lead marked already keeps what it showed
    before. Returns how many were marked."""
    lease = _claim(batch_id)
    if lease is None:
        return 0
    try:
        batch = db.session.get(CheckBatch, batch_id)
        workspace_id = batch.workspace_id
        first, last = db.session.execute(
            db.select(db.func.min(Lead.id), db.func.max(Lead.id)).where(Lead.workspace_id == workspace_id)
        ).one()
        marked = told_no_line = 0
        line_on = has_line_switched_on(workspace_id)
        step, matching = current_app.config["CHECK_ALL_SLICE"], lead_store.matching(workspace_id, status, q)
        for start_id in range(first or 0, (last or -1) + 1, step):
            which = db.and_(matching, Lead.id >= start_id, Lead.id < start_id + step)
            lease = _renew(batch_id, lease, current_app.config["CHECK_LOST_AFTER_SECONDS"])
            if lease is None:  # cancelled, or taken over by another run
                db.session.rollback()
                return marked
            n = _mark_slice(batch, which, line_on)
            db.session.commit()
            marked += n
            told_no_line += 0 if line_on else n
            line_on = has_line_switched_on(workspace_id)
        # Queueing a million checks takes a minute or two: the lease covers it.
        lease = _renew(batch_id, lease, BATCH_QUEUEING_SECONDS)
        if lease is None:
            db.session.rollback()
            return marked
        db.session.commit()
        _queue(db.session.get(CheckBatch, batch_id))
    except BaseException:
        db.session.rollback()
        if lease is not None:
            _free(batch_id, lease)  # for RQ's retry: the leads marked so far are marked again
        raise
    if told_no_line and has_line_switched_on(workspace_id):
        try:
            check_waiting_leads(workspace_id)
        except BackgroundUnavailable:
            log.warning("Batch %s: leads told No Active Line wait for the next line switched on", batch_id)
    return marked


def _mark_slice(batch: CheckBatch, which, line_on: bool) -> int:
    """Mark the leads `which` selects Checking in the batch, or No Active Line. Not committed."""
    if line_on:
        values = {**checking_values(batch), "status_before_check": status_before_check()}
    else:
        values = {**NO_LINE_VALUES, "checked_at": utcnow()}
    return db.session.execute(db.update(Lead).where(which).values(**values)).rowcount


def _queue(batch: CheckBatch) -> None:
    """Queue the checks of the leads marked Checking, and give up the lease: the marking is done."""
    if db.session.scalar(db.select(Lead.id).where(Lead.batch_id == batch.id).limit(1)) is not None:
        queue_batch(batch)
    else:  # all told No Active Line: nothing to queue
        batch.queued_at = utcnow()
    batch.marking_until = None
    db.session.commit()


def _claim(batch_id: int) -> datetime | None:
    """Take the batch's marking lease, unless another run holds it or the batch is done or
    cancelled. A batch with none (from before leases) may be taken: its old job still runs."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["CHECK_LOST_AFTER_SECONDS"])
    claimed = db.session.execute(
        db.update(CheckBatch)
        .where(
            CheckBatch.id == batch_id,
            db.or_(CheckBatch.marking_until.is_(None), CheckBatch.marking_until <= now),
            CheckBatch.cancelled_at.is_(None),
            CheckBatch.queued_at.is_(None),
        )
        .values(marking_until=lease)
    ).rowcount
    db.session.commit()
    return lease if claimed else None


def _renew(batch_id: int, lease: datetime, seconds: float) -> datetime | None:
    """The lease for `seconds` more, in the caller's transaction (taken before a slice is marked:
    the batch's row lock orders each slice and a cancel, which writes the batch first, so no slice
    is committed after a cancel's look at the leads). None if the lease is no longer ours: the
    batch was cancelled, or its lease lapsed and another run took it."""
    longer = utcnow() + timedelta(seconds=seconds)
    renewed = db.session.execute(
        db.update(CheckBatch)
        .where(CheckBatch.id == batch_id, CheckBatch.marking_until == lease)
        .values(marking_until=longer)
    ).rowcount
    return longer if renewed else None


def _free(batch_id: int, lease: datetime) -> None:
    db.session.execute(
        db.update(CheckBatch)
        .where(CheckBatch.id == batch_id, CheckBatch.marking_until == lease)
        .values(marking_until=utcnow())
    )
    db.session.commit()


def requeue_lost_markings() -> int:
    """Queue again each marking whose lease lapsed CHECK_LOST_AFTER_SECONDS ago (its run died, or
    never began) with no job for it in Redis (Redis restarted empty or was flushed; RQ gave up on
    it): with the filter its batch remembers. A running marking renews its lease, and a waiting
    or running job is seen in Redis, so neither is doubled. Returns how many were queued."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["CHECK_LOST_AFTER_SECONDS"])
    candidates = db.session.execute(
        db.select(CheckBatch.id, CheckBatch.match_status, CheckBatch.match_q).where(
            CheckBatch.marking_until <= cutoff, CheckBatch.cancelled_at.is_(None), CheckBatch.queued_at.is_(None)
        )
    ).all()
    db.session.rollback()  # end the read: Redis is read next
    lost = [(batch_id, status, q) for batch_id, status, q in candidates if not marking_in_redis(batch_id)]
    for batch_id, status, q in lost:
        enqueue_marking(batch_id, status, q)
    return len(lost)
