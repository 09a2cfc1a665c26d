"""Checking a lead, as the app runs it: start a check (view, API), run it (job), record the answer.

The rules of the walk live in availability/checker.py; this module chooses the line, turns line
trouble into waiting, retrying or an Error, and writes results. It uses the database but no request.
"""
import uuid
from dataclasses import dataclass

from flask import current_app

from address_checks import AddressChecker
from availability.checker import addresses_to_check, walk
from availability.outcomes import CheckResult, Outcome
from availability.statuses import LeadStatus
from extensions import db
from jobs.queue import enqueue_check, enqueue_checks
from models import CheckBatch, Lead, Line, LineStatus, utcnow

ENQUEUE_CHUNK = 500
# Seconds between looks for a healthy line while every line is failing.
HEALTHY_LINE_POLL = 60


class BackgroundUnavailable(RuntimeError):
    """The queue (Redis) can't take work right now."""


@dataclass(frozen=True)
class Again:
    """Run the same check again later, skipping addresses already answered in this run."""

    delay: float
    skip: tuple[str, ...]
    attempt: int


def active_lines(workspace_id: int) -> list[Line]:
    return list(db.session.scalars(
        db.select(Line)
        .where(Line.workspace_id == workspace_id, Line.status == LineStatus.ACTIVE)
        .order_by(Line.id)
    ))


def has_line_switched_on(workspace_id: int) -> bool:
    """Active or unhealthy: the user turned a line on, even if it is currently failing."""
    return db.session.scalar(
        db.select(db.func.count(Line.id)).where(
            Line.workspace_id == workspace_id,
            Line.status.in_((LineStatus.ACTIVE, LineStatus.UNHEALTHY)),
        )
    ) > 0


def line_state(workspace_id: int) -> str:
    """"ok" when some line can check, "unhealthy" when every switched-on line is failing, else "none"."""
    if active_lines(workspace_id):
        return "ok"
    return "unhealthy" if has_line_switched_on(workspace_id) else "none"


def request_check(lead: Lead, *, fresh: bool = False) -> None:
    """Mark the lead Checking and queue its check, or say No Active Line at once. `fresh` asks the
    lines again even where an earlier answer could be reused (the user asked for a re-check)."""
    if not has_line_switched_on(lead.workspace_id):
        _finish(lead, LeadStatus.NO_ACTIVE_LINE)
        db.session.commit()
        return
    previous = (lead.status, lead.check_run, lead.check_started_at)
    lead.status = LeadStatus.CHECKING
    lead.check_run = uuid.uuid4().hex
    lead.check_started_at = utcnow()
    lead.error = None
    db.session.commit()
    try:
        enqueue_check(lead.id, lead.check_run, fresh=fresh)
    except Exception as exc:  # redis.RedisError and socket errors alike
        lead.status, lead.check_run, lead.check_started_at = previous
        db.session.commit()
        raise BackgroundUnavailable("Background checking is unavailable right now") from exc


def start_batch(workspace_id: int, kind: str, which) -> CheckBatch | None:
    """Check every lead of the workspace matching the SQL condition `which` as one batch; with no
    line switched on they all say No Active Line instead, and nothing is queued."""
    scope = (Lead.workspace_id == workspace_id, which)
    batch = open_batch(workspace_id, kind)
    if batch is None:
        db.session.execute(db.update(Lead).where(*scope).values(**NO_LINE_VALUES, checked_at=utcnow()))
        db.session.commit()
        return None
    db.session.execute(db.update(Lead).where(*scope).values(**checking_values(batch)))
    db.session.commit()
    queue_batch(batch)
    return batch


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


def checking_values(batch: CheckBatch) -> dict:
    """What a lead's row holds while it waits to be checked in `batch`."""
    return {"status": LeadStatus.CHECKING, "batch_id": batch.id, "check_run": f"batch-{batch.id}",
            "check_started_at": utcnow(), "error": None}


def queue_batch(batch: CheckBatch) -> None:
    """Queue a check for every lead marked Checking in the batch, a few hundred per round trip."""
    run = f"batch-{batch.id}"
    ids = db.session.scalars(db.select(Lead.id).where(Lead.batch_id == batch.id, Lead.check_run == run)
                             .order_by(Lead.id)).all()
    batch.total = len(ids)
    db.session.commit()
    try:
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            enqueue_checks(ids[start:start + ENQUEUE_CHUNK], run)
    except Exception as exc:  # Redis unreachable: don't leave leads Checking with no job behind them
        db.session.execute(db.update(Lead).where(Lead.check_run == run, Lead.status == LeadStatus.CHECKING)
                           .values(status=LeadStatus.NOT_CHECKED, check_run=None, check_started_at=None))
        db.session.commit()
        raise BackgroundUnavailable("Background checking is unavailable right now") from exc


def check_waiting_leads(workspace_id: int) -> CheckBatch | None:
    """A line just became usable: check the leads that were told No Active Line."""
    return start_batch(workspace_id, "recheck", Lead.status == LeadStatus.NO_ACTIVE_LINE)


def batch_progress(batch: CheckBatch) -> dict[str, int]:
    """Lead counts by status for a batch, plus total and done."""
    counts = dict(db.session.execute(
        db.select(Lead.status, db.func.count()).where(Lead.batch_id == batch.id).group_by(Lead.status)
    ).all())
    total = sum(counts.values())
    return {**counts, "total": total, "done": total - counts.get(LeadStatus.CHECKING, 0)}


def run_check(lead_id: int, run: str, skip: tuple[str, ...], attempt: int,
              fresh: bool = False) -> Again | None:
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.check_run != run:
        return None  # deleted, or a newer check replaced this one
    lines = active_lines(lead.workspace_id)
    if not lines:
        if has_line_switched_on(lead.workspace_id):
            return _wait_for_a_healthy_line(lead, skip, attempt)
        _finish(lead, LeadStatus.NO_ACTIVE_LINE)
        db.session.commit()
        return None

    checker = AddressChecker(lead.workspace_id, lines, fresh=fresh)
    pending = [a for a in addresses_to_check(lead.address_fields()) if a not in skip]
    result = walk(pending, checker.ask)
    for address, answer in result.answers:
        if answer.outcome is Outcome.INVALID_ADDRESS:
            _mark_invalid(lead, address)
    answered = skip + tuple(a for a, _ in result.answers)

    if result.done:
        _finish(lead, result.status, available=result.available_address, error=result.note)
        db.session.commit()
        return None
    again = _after_trouble(lead, result.interrupted_by, answered, attempt)
    db.session.commit()
    return again


def _after_trouble(lead: Lead, trouble: CheckResult, answered: tuple[str, ...],
                   attempt: int) -> Again | None:
    if trouble.outcome is Outcome.RATE_LIMITED:
        # Not the lead's fault and not an error: come back when a line can take the call.
        return Again(trouble.retry_after or 60, answered, attempt)
    if trouble.outcome is Outcome.LINE_UNHEALTHY:
        return _wait_for_a_healthy_line(lead, answered, attempt)
    # Could not tell: ask again after each configured pause, then give the lead an Error.
    delays = current_app.config["CHECK_RETRY_DELAYS"]
    if attempt < len(delays):
        return Again(delays[attempt], answered, attempt + 1)
    _finish(lead, LeadStatus.ERROR, error=f"The line could not tell: {trouble.detail}")
    return None


def _wait_for_a_healthy_line(lead: Lead, answered: tuple[str, ...], attempt: int) -> Again:
    """Every switched-on line is failing: the check pauses (a sick line says nothing about the
    lead) and looks again in a while; fixing or re-testing a line lets it go on."""
    lead.error = "Paused: no healthy line (see the Lines page)"
    db.session.commit()
    return Again(HEALTHY_LINE_POLL, answered, attempt)


def give_up(lead_id: int, run: str, error: str) -> None:
    lead = db.session.get(Lead, lead_id)
    if lead is not None and lead.check_run == run and lead.status == LeadStatus.CHECKING:
        _finish(lead, LeadStatus.ERROR, error=error)
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
