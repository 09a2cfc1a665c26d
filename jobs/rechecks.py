"""The periodic sweep, as a background job (queued by the workers' maintenance): leads due a
re-check, and uploads abandoned before their import."""

from jobs.context import job_app
from services.checks.rechecks import start_due_rechecks
from services.imports.uploads import discard_abandoned


def recheck_due_leads() -> int:
    with job_app().app_context():
        discard_abandoned()
        return len(start_due_rechecks())
