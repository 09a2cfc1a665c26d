"""Checking many leads at once: start a batch (bulk check, upload, re-check), queue its checks,
cancel it; and queue again every check Redis lost (its progress: progress.py). Each lead is then checked
as lead_checks runs any lead."""

import logging
from datetime import timedelta

from flask import current_app
from redis import RedisError

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, LeadTally, Upload, UploadState, utcnow
from services.checks.lead import BATCH_RUN, FRESH_RUN, batch_run
from services.lines import has_line_switched_on
from services.queue import (
    BackgroundUnavailable,
    check_queue,
    drop_queued_checks,
    enqueue_batch,
    enqueue_checks,
    jobs_in_redis,
)
from services.webhooks import events as webhook_events

log = logging.getLogger(__name__)

ENQUEUE_CHUNK = 500
# A batch (not an upload's) not queued this long after it was made never will be: the process
# queueing it died, or Redis lost the job that was to (start_batch(later=True)). Queueing 100,000
# checks takes seconds.
BATCH_QUEUEING_SECONDS = 600


def start_batch(workspace_id: int, kind: str, which, *, fresh: bool = False, later: bool = False) -> CheckBatch | None:
    """Check every lead of the workspace matching the SQL condition `which` as one batch; with no
    line switched on they all say No Active Line instead, and nothing is queued. None when there is
    no batch: no line, or no lead matched. `fresh`: ask the lines again instead of reusing
    answers from before the batch. `later`: a worker queues its checks (one job now, instead of
    one per lead: the API's bulk POST answers sooner); until then they wait, not lost (see
    requeue_lost_checks)."""
    scope = (Lead.workspace_id == workspace_id, which)
    batch = open_batch(workspace_id, kind)
    if batch is None:
        db.session.execute(db.update(Lead).where(*scope).values(**NO_LINE_VALUES, checked_at=utcnow()))
        db.session.commit()
        return None
    batch.fresh = fresh
    try:  # Redis away: say so before any lead is touched
        check_queue().connection.ping()
    except RedisError as exc:
        db.session.rollback()
        raise BackgroundUnavailable() from exc
    marked = db.session.execute(
        db.update(Lead).where(*scope).values(**checking_values(batch), status_before_check=status_before_check())
    ).rowcount
    if not marked:
        db.session.rollback()
        return None
    db.session.commit()
    if not later:
        queue_batch(batch)
        return batch
    try:
        enqueue_batch(batch.id)
    except Exception as exc:  # redis.RedisError and socket errors alike
        _give_back(batch_run(batch.id))
        raise BackgroundUnavailable() from exc
    return batch


def queue_waiting_batch(batch_id: int) -> bool:
    """Queue the checks of a batch started `later`, unless cancelled or queued already."""
    batch = db.session.get(CheckBatch, batch_id)
    if batch is None or batch.cancelled_at or batch.queued_at:
        return False
    queue_batch(batch)
    return True


def cancel_batch(batch: CheckBatch) -> int:
    """Stop a batch: its leads still waiting go back to what they showed before, and their queued
    jobs leave the queue (so the checks asked for next don't wait behind them); a job a worker has
    taken already finds itself superseded and calls no line. Returns how many were stopped."""
    run = batch_run(batch.id)
    # The batch first: a worker marking its leads (checks.all_matching) takes this row before each
    # slice, so its slice is either committed before the look at the leads below, or never marked
    # (it finds its lease gone and stops).
    batch.cancelled_at, batch.marking_until = utcnow(), None
    db.session.flush()
    waiting = db.session.scalars(
        db.select(Lead.id).where(Lead.batch_id == batch.id, Lead.status == LeadStatus.CHECKING, Lead.check_run == run)
    ).all()
    stopped = db.session.execute(
        db.update(Lead)
        .where(Lead.batch_id == batch.id, Lead.status == LeadStatus.CHECKING)
        .values(
            status=db.func.coalesce(Lead.status_before_check, LeadStatus.NOT_CHECKED.value),
            check_run=None,
            check_started_at=None,
            error=None,
        )
    ).rowcount
    db.session.commit()
    try:
        drop_queued_checks([(lead_id, run) for lead_id in waiting])
    except RedisError:
        log.warning("Batch %s cancelled; its queued jobs stay (Redis unreachable) and will call no line", batch.id)
    return stopped


# What a lead's row holds when it is told No Active Line.
NO_LINE_VALUES = {"status": LeadStatus.NO_ACTIVE_LINE, "error": None, "available_address": None}


def open_batch(workspace_id: int, kind: str) -> CheckBatch | None:
    """A new batch, or None when no line is switched on (its leads will say No Active Line)."""
    if not has_line_switched_on(workspace_id):
        return None
    batch = CheckBatch(workspace_id=workspace_id, kind=kind)
    db.session.add(batch)
    db.session.flush()
    return batch


def status_before_check():
    """What a lead going Checking showed before, for a cancel or a refused start to put back: a
    lead Checking already (another run) keeps what it showed before that run."""
    return db.case((Lead.status == LeadStatus.CHECKING, Lead.status_before_check), else_=Lead.status)


def checking_values(batch: CheckBatch) -> dict:
    """What a lead's row holds while it waits to be checked in `batch`."""
    return {
        "status": LeadStatus.CHECKING,
        "batch_id": batch.id,
        "check_run": batch_run(batch.id),
        "check_started_at": utcnow(),
        "error": None,
    }


def queue_batch(batch: CheckBatch) -> None:
    """Queue a check for every lead marked Checking in the batch, a few hundred per round trip.
    Redis unreachable: every lead goes back to what it showed before, as if nothing was asked."""
    run = batch_run(batch.id)
    ids = db.session.scalars(
        db.select(Lead.id).where(Lead.batch_id == batch.id, Lead.check_run == run).order_by(Lead.id)
    ).all()
    batch.total = len(ids)
    db.session.commit()
    try:
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            enqueue_checks([(lead_id, run) for lead_id in ids[start : start + ENQUEUE_CHUNK]])
    except Exception as exc:  # redis.RedisError and socket errors alike
        _give_back(run)
        raise BackgroundUnavailable() from exc
    batch.queued_at = utcnow()
    db.session.commit()
    webhook_events.batch_queued(batch.workspace_id, batch.id)


def _give_back(run: str) -> None:
    """The run's leads still waiting go back to what they showed, as if nothing was asked."""
    db.session.rollback()
    db.session.execute(
        db.update(Lead)
        .where(Lead.check_run == run, Lead.status == LeadStatus.CHECKING)
        .values(
            status=db.func.coalesce(Lead.status_before_check, LeadStatus.NOT_CHECKED.value),
            check_run=None,
            check_started_at=None,
        )
    )
    db.session.commit()


def requeue_lost_checks() -> int:
    """Every lead Checking for a while (CHECK_LOST_AFTER_SECONDS) whose check no job in Redis holds
    gets a job again: Redis restarted empty or from an older snapshot, or was flushed. Decided from
    the leads and the jobs themselves, as no mark kept in Redis can say whether a snapshot is
    current. A batch still being queued is left alone: an upload's until its import ends (the
    import is revived if Redis lost it: imports.uploads.requeue_lost_imports), a check of all
    matching until its marking ends (revived too: all_matching.requeue_lost_markings), any other
    for BATCH_QUEUEING_SECONDS (its process died queueing it, if it is not queued by then). Returns how
    many were queued again."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["CHECK_LOST_AFTER_SECONDS"])
    # Only the workspaces with leads Checking (the tally says which), each read through its index.
    workspaces = db.session.scalars(
        db.select(LeadTally.workspace_id).where(
            LeadTally.batch_id == 0, LeadTally.status == LeadStatus.CHECKING, LeadTally.n > 0
        )
    ).all()
    importing = (
        db.select(Upload.id)
        .where(Upload.batch_id == CheckBatch.id, Upload.state.in_((UploadState.QUEUED, UploadState.IMPORTING)))
        .exists()
    )
    # Leads first, jobs second: a job queued in between is seen, so its lead is not doubled.
    checking = []
    for workspace_id in workspaces:
        being_queued = db.session.scalars(
            db.select(CheckBatch.id).where(
                CheckBatch.workspace_id == workspace_id,
                db.or_(
                    CheckBatch.queued_at > cutoff,
                    # A worker marks its leads, or will again (checks.all_matching): it queues them.
                    CheckBatch.marking_until.is_not(None),
                    db.and_(
                        CheckBatch.queued_at.is_(None),
                        db.or_(CheckBatch.created_at > now - timedelta(seconds=BATCH_QUEUEING_SECONDS), importing),
                    ),
                ),
            )
        ).all()
        query = db.select(Lead.id, Lead.check_run).where(
            Lead.workspace_id == workspace_id,
            Lead.status == LeadStatus.CHECKING,
            db.or_(Lead.check_started_at.is_(None), Lead.check_started_at <= cutoff),
        )
        if being_queued:  # (a lead Checking has a run; a lead of no batch, a batch id of None)
            query = query.where(
                db.not_(
                    db.and_(Lead.check_run.startswith(BATCH_RUN), db.func.coalesce(Lead.batch_id, 0).in_(being_queued))
                )
            )
        checking += db.session.execute(query).all()
    db.session.rollback()  # end the read: the jobs are read next
    if not checking:
        return 0
    in_redis = jobs_in_redis().checks
    lost = [(lead_id, run) for lead_id, run in checking if (lead_id, run) not in in_redis]
    # As fresh as the check asked for: answers given since it began still count, so an address
    # answered before the loss costs no second call.
    for fresh in (False, True):
        checks = [(lead_id, run) for lead_id, run in lost if (run or "").startswith(FRESH_RUN) == fresh]
        for start in range(0, len(checks), ENQUEUE_CHUNK):
            enqueue_checks(checks[start : start + ENQUEUE_CHUNK], fresh=fresh, again=True)
    return len(lost)
