"""The periodic sweep, as a background job (queued by the workers' maintenance): leads due a
re-check, and uploads abandoned before their import."""
from imports.uploads import discard_abandoned
from jobs.queue import job_app
from periodic_rechecks import start_due_rechecks


def recheck_due_leads() -> int:
    with job_app().app_context():
        discard_abandoned()
        return len(start_due_rechecks())
