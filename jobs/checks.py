"""The availability check of one lead, as a background job."""

from jobs.context import job_app
from services.checks import all_matching
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.queue import enqueue_check


def check_lead(lead_id: int, run: str, skip: list[str], attempt: int, fresh: bool = False) -> str:
    with job_app().app_context():
        again = lead_checks.run_check(lead_id, run, tuple(skip), attempt, fresh)
        if again is None:
            return "done"
        enqueue_check(lead_id, run, skip=again.skip, attempt=again.attempt, delay=again.delay, fresh=fresh)
        return f"again in {again.delay:.0f}s"


def check_failed(job, connection, exc_type, exc_value, tb) -> None:
    """A job that crashed, timed out or lost its worker for good must not leave its lead Checking
    forever. While RQ still has retries for it, the lead keeps waiting."""
    if job.retries_left:
        return
    lead_id, run = job.args[0], job.args[1]
    with job_app().app_context():
        lead_checks.give_up(lead_id, run, "The check failed unexpectedly; try again")


def queue_batch(batch_id: int) -> str:
    """Queue the checks of a batch whose request answered before they were queued."""
    with job_app().app_context():
        return "queued" if batch_checks.queue_waiting_batch(batch_id) else "nothing to queue"


def mark_matching(batch_id: int, status: str | None, q: str | None) -> str:
    """Mark the leads of a check of everything matching a filter (Checking, or No Active Line
    with no line switched on), then queue their checks."""
    with job_app().app_context():
        return f"{all_matching.mark_and_queue(batch_id, status, q)} marked"
