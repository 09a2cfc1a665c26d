"""The periodic re-check sweep, as a background job (queued by the workers' maintenance)."""
from jobs.queue import job_app
from periodic_rechecks import start_due_rechecks


def recheck_due_leads() -> int:
    with job_app().app_context():
        return len(start_due_rechecks())
