"""Checking a lead, as the app runs it: start a check (view, API), run it (job), record the answer.
Many leads at once are a batch (batches.py); each of its leads is run here.

The rules of the walk live in availability/checker.py; this module chooses the line, turns line
trouble into waiting, retrying or an Error, and writes results. It uses the database but no request.
"""

import uuid
from dataclasses import dataclass

from flask import current_app
from redis import RedisError

from availability.checker import addresses_to_check, walk
from availability.outcomes import CheckResult, Outcome
from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, Workspace, utcnow
from services import metrics
from services.checks.address import AddressChecker
from services.lines import active_lines, has_line_switched_on
from services.queue import BackgroundUnavailable, enqueue_check
from services.webhooks import events as webhook_events

# Seconds between looks for a healthy line while every line is failing.
HEALTHY_LINE_POLL = 60


@dataclass(frozen=True)
class Again:
    """Run the same check again later, skipping addresses already answered in this run."""

    delay: float
    skip: tuple[str, ...]
    attempt: int
    trouble: CheckResult  # why: the lines are at their pace, failing, or could not tell


def request_check(lead: Lead, *, fresh: bool = False) -> None:
    """Mark the lead Checking and queue its check, or say No Active Line at once. `fresh` asks the
    lines again even where an earlier answer could be reused (the user asked for a re-check)."""
    if not has_line_switched_on(lead.workspace_id):
        _no_active_line(lead)
        return
    previous = (lead.status, lead.check_run, lead.check_started_at)
    _mark_checking(lead, fresh=fresh)
    try:
        enqueue_check(lead.id, lead.check_run, fresh=fresh)
    except Exception as exc:  # redis.RedisError and socket errors alike
        lead.status, lead.check_run, lead.check_started_at = previous
        db.session.commit()
        raise BackgroundUnavailable() from exc


def _mark_checking(lead: Lead, *, fresh: bool = False) -> None:
    if lead.status != LeadStatus.CHECKING:  # else it keeps what it showed before that other run
        lead.status_before_check = lead.status
    lead.status = LeadStatus.CHECKING
    lead.check_run = new_run(fresh)
    lead.check_started_at = utcnow()
    lead.error = None
    db.session.commit()


def check_now(lead: Lead) -> Again | None:
    """Check the lead in this process (the API answers with the result). None: the lead has its
    answer. On trouble (lines at their pace, failing, could not tell) the check goes on in the
    background and the Again says why. No line switched on: No Active Line, at once."""
    if not has_line_switched_on(lead.workspace_id):
        _no_active_line(lead)
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
            enqueue_check(lead.id, lead.check_run, skip=again.skip, attempt=again.attempt, delay=again.delay)
        except Exception as exc:  # the background can't take it: don't leave the lead Checking
            give_up(lead.id, lead.check_run, "The check could not be finished; try again")
            raise BackgroundUnavailable() from exc
    return again


# A run of one lead asked to be checked afresh says so, so that a check queued again after Redis
# lost it is as fresh as the one asked for (a batch's leads have the batch's own flag).
FRESH_RUN = "fresh-"


def new_run(fresh: bool) -> str:
    # Within the column's 36 characters: "fresh-" and 120 random bits.
    return FRESH_RUN + uuid.uuid4().hex[:30] if fresh else uuid.uuid4().hex


BATCH_RUN = "batch-"


def batch_run(batch_id: int) -> str:
    """The check run of a batch's leads: a lead whose run is another was taken out of the batch."""
    return f"{BATCH_RUN}{batch_id}"


def run_check(lead_id: int, run: str, skip: tuple[str, ...], attempt: int, fresh: bool = False) -> Again | None:
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

    workspace = db.session.get(Workspace, lead.workspace_id)
    if fresh or _in_fresh_batch(lead):
        # Answers given since this check was asked for still count (another lead, same address).
        checker = AddressChecker(workspace, lines, not_before=lead.check_started_at or utcnow())
    else:
        checker = AddressChecker(workspace, lines)
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


def _after_trouble(lead: Lead, run: str, trouble: CheckResult, answered: tuple[str, ...], attempt: int) -> Again | None:
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
    return Again(
        HEALTHY_LINE_POLL, answered, attempt, CheckResult(Outcome.LINE_UNHEALTHY, "no healthy line: see the Lines page")
    )


def give_up(lead_id: int, run: str, error: str) -> None:
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        _settle(lead, run, LeadStatus.ERROR, error=error)


def _settle(
    lead: Lead, run: str, status: LeadStatus, *, available: str | None = None, error: str | None = None
) -> None:
    """Write a check's answer, once: only while `run` still owns the lead and it is Checking, in
    one conditional UPDATE, so a job run twice, a cancel or a newer check is never overwritten. The
    one place a check's answer is written: its webhook event is sent from here."""
    workspace_id, batch_id = lead.workspace_id, lead.batch_id if run == batch_run(lead.batch_id) else None
    written = db.session.execute(
        db.update(Lead)
        .where(Lead.id == lead.id, Lead.check_run == run, Lead.status == LeadStatus.CHECKING)
        .values(status=status, available_address=available, error=error, checked_at=utcnow(), check_started_at=None)
    ).rowcount
    db.session.commit()
    if written:
        metrics.LEAD_CHECKS.labels(LeadStatus(status).value).inc()
        webhook_events.lead_checked(workspace_id, lead.id, batch_id)


def _no_active_line(lead: Lead) -> None:
    """No line is switched on: the lead says so at once, with no check behind it."""
    _finish(lead, LeadStatus.NO_ACTIVE_LINE)
    db.session.commit()
    metrics.LEAD_CHECKS.labels(LeadStatus.NO_ACTIVE_LINE.value).inc()
    webhook_events.lead_checked(lead.workspace_id, lead.id)


def _finish(lead: Lead, status: LeadStatus, *, available: str | None = None, error: str | None = None) -> None:
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
