"""Checking a lead, as the app runs it: start a check (view, API), run it (job), record the answer.

The rules of the walk live in availability/checker.py; this module chooses the line, turns line
trouble into waiting, retrying or an Error, and writes results. It uses the database but no request.
"""
import logging
import uuid
from dataclasses import dataclass

from flask import current_app
from redis import RedisError

from address_checks import AddressChecker, line_capped_today, seconds_to_next_utc_day
from availability.checker import addresses_to_check, walk
from availability.outcomes import CheckResult, Outcome
from availability.statuses import LeadStatus
from extensions import db
from jobs.queue import drop_queued_checks, enqueue_check, enqueue_checks, leads_with_check_jobs
from models import CheckBatch, Lead, LeadTally, Line, LineStatus, utcnow

log = logging.getLogger(__name__)

ENQUEUE_CHUNK = 500
# Seconds between looks for a healthy line while every line is failing.
HEALTHY_LINE_POLL = 60


class BackgroundUnavailable(RuntimeError):
    """The queue (Redis) can't take work right now."""

    def __init__(self, message: str = "Background work is unavailable right now (the queue can't be "
                                      "reached): nothing was changed; try again in a minute"):
        super().__init__(message)


@dataclass(frozen=True)
class Again:
    """Run the same check again later, skipping addresses already answered in this run."""

    delay: float
    skip: tuple[str, ...]
    attempt: int
    trouble: CheckResult  # why: the lines are at their pace, failing, or could not tell


def active_lines(workspace_id: int) -> list[Line]:
    return list(db.session.scalars(
        db.select(Line)
        .where(Line.workspace_id == workspace_id, Line.status == LineStatus.ACTIVE)
        .order_by(Line.id)
    ))


def _switched_on(workspace_id: int):
    """Active or unhealthy: the user turned the line on, even if it is currently failing."""
    return db.and_(Line.workspace_id == workspace_id, Line.status.in_((LineStatus.ACTIVE, LineStatus.UNHEALTHY)))


def has_line_switched_on(workspace_id: int) -> bool:
    return db.session.scalar(db.select(db.func.count(Line.id)).where(_switched_on(workspace_id))) > 0


def switched_on_lines(workspace_id: int) -> list[Line]:
    return list(db.session.scalars(db.select(Line).where(_switched_on(workspace_id)).order_by(Line.id)))


def line_state(workspace_id: int, lines: list[Line] | None = None) -> str:
    """"ok" when some line can check, "unhealthy" when every switched-on line is failing, else "none".
    `lines`: the workspace's switched-on lines, when the caller has them already."""
    lines = switched_on_lines(workspace_id) if lines is None else lines
    if any(line.status == LineStatus.ACTIVE for line in lines):
        return "ok"
    return "unhealthy" if lines else "none"


def request_check(lead: Lead, *, fresh: bool = False) -> None:
    """Mark the lead Checking and queue its check, or say No Active Line at once. `fresh` asks the
    lines again even where an earlier answer could be reused (the user asked for a re-check)."""
    if not has_line_switched_on(lead.workspace_id):
        _finish(lead, LeadStatus.NO_ACTIVE_LINE)
        db.session.commit()
        return
    previous = (lead.status, lead.check_run, lead.check_started_at)
    _mark_checking(lead)
    try:
        enqueue_check(lead.id, lead.check_run, fresh=fresh)
    except Exception as exc:  # redis.RedisError and socket errors alike
        lead.status, lead.check_run, lead.check_started_at = previous
        db.session.commit()
        raise BackgroundUnavailable() from exc


def _mark_checking(lead: Lead) -> None:
    lead.status_before_check = lead.status
    lead.status = LeadStatus.CHECKING
    lead.check_run = uuid.uuid4().hex
    lead.check_started_at = utcnow()
    lead.error = None
    db.session.commit()


def check_now(lead: Lead) -> Again | None:
    """Check the lead in this process (the API answers with the result). None: the lead has its
    answer. On trouble (lines at their pace, failing, could not tell) the check goes on in the
    background and the Again says why. No line switched on: No Active Line, at once."""
    if not has_line_switched_on(lead.workspace_id):
        _finish(lead, LeadStatus.NO_ACTIVE_LINE)
        db.session.commit()
        return None
    previous = (lead.status, lead.check_run, lead.check_started_at)
    _mark_checking(lead)
    try:
        again = run_check(lead.id, lead.check_run, (), 0)
    except RedisError as exc:  # no pacing without Redis: no line call either
        db.session.rollback()
        lead.status, lead.check_run, lead.check_started_at = previous
        db.session.commit()
        raise BackgroundUnavailable() from exc
    if again is not None:
        try:
            enqueue_check(lead.id, lead.check_run, skip=again.skip, attempt=again.attempt,
                          delay=again.delay)
        except Exception as exc:  # the background can't take it: don't leave the lead Checking
            give_up(lead.id, lead.check_run, "The check could not be finished; try again")
            raise BackgroundUnavailable() from exc
    return again


def start_batch(workspace_id: int, kind: str, which, *, fresh: bool = False) -> CheckBatch | None:
    """Check every lead of the workspace matching the SQL condition `which` as one batch; with no
    line switched on they all say No Active Line instead, and nothing is queued. None when there is
    no batch: no line, or no lead matched. `fresh`: ask the lines again instead of reusing
    answers from before the batch."""
    scope = (Lead.workspace_id == workspace_id, which)
    batch = open_batch(workspace_id, kind)
    if batch is None:
        db.session.execute(db.update(Lead).where(*scope).values(**NO_LINE_VALUES, checked_at=utcnow()))
        db.session.commit()
        return None
    batch.fresh = fresh
    marked = db.session.execute(db.update(Lead).where(*scope).values(
        **checking_values(batch), status_before_check=Lead.status)).rowcount
    if not marked:
        db.session.rollback()
        return None
    db.session.commit()
    queue_batch(batch)
    return batch


def cancel_batch(batch: CheckBatch) -> int:
    """Stop a batch: its leads still waiting go back to what they showed before, and their queued
    jobs leave the queue (so the checks asked for next don't wait behind them); a job a worker has
    taken already finds itself superseded and calls no line. Returns how many were stopped."""
    run = batch_run(batch.id)
    waiting = db.session.scalars(db.select(Lead.id).where(
        Lead.batch_id == batch.id, Lead.status == LeadStatus.CHECKING, Lead.check_run == run)).all()
    stopped = db.session.execute(
        db.update(Lead).where(Lead.batch_id == batch.id, Lead.status == LeadStatus.CHECKING).values(
            status=db.func.coalesce(Lead.status_before_check, LeadStatus.NOT_CHECKED.value),
            check_run=None, check_started_at=None, error=None)
    ).rowcount
    batch.cancelled_at = utcnow()
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


def batch_run(batch_id: int) -> str:
    """The check run of a batch's leads: a lead whose run is another was taken out of the batch."""
    return f"batch-{batch_id}"


def checking_values(batch: CheckBatch) -> dict:
    """What a lead's row holds while it waits to be checked in `batch`."""
    return {"status": LeadStatus.CHECKING, "batch_id": batch.id, "check_run": batch_run(batch.id),
            "check_started_at": utcnow(), "error": None}


def queue_batch(batch: CheckBatch) -> None:
    """Queue a check for every lead marked Checking in the batch, a few hundred per round trip."""
    run = batch_run(batch.id)
    ids = db.session.scalars(db.select(Lead.id).where(Lead.batch_id == batch.id, Lead.check_run == run)
                             .order_by(Lead.id)).all()
    batch.total = len(ids)
    db.session.commit()
    try:
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            enqueue_checks([(lead_id, run) for lead_id in ids[start:start + ENQUEUE_CHUNK]])
    except Exception as exc:  # Redis unreachable: don't leave leads Checking with no job behind them
        db.session.execute(db.update(Lead).where(Lead.check_run == run, Lead.status == LeadStatus.CHECKING)
                           .values(status=LeadStatus.NOT_CHECKED, check_run=None, check_started_at=None))
        db.session.commit()
        raise BackgroundUnavailable() from exc


def requeue_lost_checks() -> int:
    """The queue lost its jobs (see jobs.queue.queue_lost_its_jobs): every lead still Checking, in
    every workspace, with no check job in Redis gets one again. Returns how many."""
    # Leads first, jobs second: a job queued in between is seen, so its lead is not doubled.
    checking = db.session.execute(
        db.select(Lead.id, Lead.check_run).where(Lead.status == LeadStatus.CHECKING).order_by(Lead.id)
    ).all()
    queued = leads_with_check_jobs()
    # Answers given since the check began still count, so a lead whose job was only missed by
    # the look above costs no second call.
    checks = [(lead_id, run) for lead_id, run in checking if lead_id not in queued]
    for start in range(0, len(checks), ENQUEUE_CHUNK):
        enqueue_checks(checks[start:start + ENQUEUE_CHUNK], fresh=True)
    return len(checks)


def check_waiting_leads(workspace_id: int) -> CheckBatch | None:
    """A line just became usable: check the leads that were told No Active Line."""
    return start_batch(workspace_id, "recheck", Lead.status == LeadStatus.NO_ACTIVE_LINE)


def batches_with_progress(workspace_id: int, which, lines: list[Line] | None = None) -> list[tuple[CheckBatch, dict]]:
    """The workspace's batches that `which` selects, newest first, each with its lead counts by
    status, total, done and an ETA in seconds (None: unknown). One statement reads the batches with
    their counts: the page polls this every 2 s. `lines`: the workspace's active lines, when the
    caller has them already (else they are read only if a batch is still running)."""
    rows = db.session.execute(
        db.select(CheckBatch, LeadTally.status, LeadTally.n)
        .outerjoin(LeadTally, db.and_(LeadTally.workspace_id == CheckBatch.workspace_id,
                                      LeadTally.batch_id == CheckBatch.id, LeadTally.n != 0))
        .where(CheckBatch.workspace_id == workspace_id, which)
        .order_by(CheckBatch.id.desc())
    ).all()
    counts: dict[CheckBatch, dict] = {}
    for batch, status, n in rows:
        by_status = counts.setdefault(batch, {})
        if status is not None:
            by_status[status] = n
    if lines is None and any(c.get(LeadStatus.CHECKING) for c in counts.values()):
        lines = active_lines(workspace_id)
    return [(batch, _progress(by_status, lines or [])) for batch, by_status in counts.items()]


def batch_progress(batch: CheckBatch, lines: list[Line] | None = None) -> dict:
    return batches_with_progress(batch.workspace_id, CheckBatch.id == batch.id, lines)[0][1]


def _progress(counts: dict, lines: list[Line]) -> dict:
    total = sum(counts.values())
    remaining = counts.get(LeadStatus.CHECKING, 0)
    progress = {**counts, "total": total, "done": total - remaining, "eta": None, "capped": False}
    if remaining and lines:
        # At least one call per lead, at the lines' combined pace; cached answers only make it sooner.
        rate = sum(line.rate_per_minute for line in lines if not line_capped_today(line))
        progress["capped"] = rate == 0
        progress["eta"] = seconds_to_next_utc_day() if rate == 0 else 60 * remaining / rate
    return progress


def run_check(lead_id: int, run: str, skip: tuple[str, ...], attempt: int,
              fresh: bool = False) -> Again | None:
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.check_run != run or lead.status != LeadStatus.CHECKING:
        # Deleted, replaced by a newer check, cancelled, or already answered (RQ ran this job
        # again after its worker died between writing the answer and recording the job done).
        return None
    lines = active_lines(lead.workspace_id)
    if not lines:
        if has_line_switched_on(lead.workspace_id):
            return _wait_for_a_healthy_line(lead, skip, attempt)
        _settle(lead, run, LeadStatus.NO_ACTIVE_LINE)
        return None

    if fresh or _in_fresh_batch(lead):
        # Answers given since this check was asked for still count (another lead, same address).
        checker = AddressChecker(lead.workspace_id, lines, not_before=lead.check_started_at or utcnow())
    else:
        checker = AddressChecker(lead.workspace_id, lines)
    pending = [a for a in addresses_to_check(lead.address_fields()) if a not in skip]
    result = walk(pending, checker.ask)
    for address, answer in result.answers:
        if answer.outcome is Outcome.INVALID_ADDRESS:
            _mark_invalid(lead, address)
    answered = skip + tuple(a for a, _ in result.answers)

    if result.done:
        _settle(lead, run, result.status, available=result.available_address, error=result.note)
        return None
    again = _after_trouble(lead, run, result.interrupted_by, answered, attempt)
    db.session.commit()
    return again


def _in_fresh_batch(lead: Lead) -> bool:
    if not lead.batch_id or lead.check_run != batch_run(lead.batch_id):
        return False
    return db.session.get(CheckBatch, lead.batch_id).fresh


def _after_trouble(lead: Lead, run: str, trouble: CheckResult, answered: tuple[str, ...],
                   attempt: int) -> Again | None:
    if trouble.outcome is Outcome.RATE_LIMITED:
        # Not the lead's fault and not an error: come back when a line can take the call.
        return Again(trouble.retry_after or 60, answered, attempt, trouble)
    if trouble.outcome is Outcome.LINE_UNHEALTHY:
        return _wait_for_a_healthy_line(lead, answered, attempt)
    # Could not tell: ask again after each configured pause, then give the lead an Error.
    delays = current_app.config["CHECK_RETRY_DELAYS"]
    if attempt < len(delays):
        return Again(delays[attempt], answered, attempt + 1, trouble)
    _settle(lead, run, LeadStatus.ERROR, error=f"The line could not tell: {trouble.detail}")
    return None


def _wait_for_a_healthy_line(lead: Lead, answered: tuple[str, ...], attempt: int) -> Again:
    """Every switched-on line is failing: the check pauses (a sick line says nothing about the
    lead) and looks again in a while; fixing or re-testing a line lets it go on."""
    lead.error = "Paused: no healthy line (see the Lines page)"
    db.session.commit()
    return Again(HEALTHY_LINE_POLL, answered, attempt,
                 CheckResult(Outcome.LINE_UNHEALTHY, "no healthy line: see the Lines page"))


def give_up(lead_id: int, run: str, error: str) -> None:
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        _settle(lead, run, LeadStatus.ERROR, error=error)


def _settle(lead: Lead, run: str, status: LeadStatus, *, available: str | None = None,
            error: str | None = None) -> None:
    """Write a check's answer, once: only while `run` still owns the lead and it is Checking, in
    one conditional UPDATE, so a job run twice, a cancel or a newer check is never overwritten."""
    db.session.execute(
        db.update(Lead).where(Lead.id == lead.id, Lead.check_run == run, Lead.status == LeadStatus.CHECKING)
        .values(status=status, available_address=available, error=error, checked_at=utcnow(),
                check_started_at=None)
    )
    db.session.commit()


def _finish(lead: Lead, status: LeadStatus, *, available: str | None = None,
            error: str | None = None) -> None:
    lead.status = status
    lead.available_address = available
    lead.error = error
    lead.checked_at = utcnow()
    lead.check_started_at = None


def _mark_invalid(lead: Lead, address: str) -> None:
    """The line rejected the address: show it as invalid on the lead from now on."""
    for value in lead.address_fields():
        if value.normalised == address:
            setattr(lead, f"{value.field}_norm", None)
