"""The periodic sweep, as a background job (queued by the workers' maintenance): leads due a
re-check, uploads abandoned before their import, and the webhook log's old entries."""

from jobs.context import job_app
from services.checks.rechecks import start_due_rechecks
from services.imports.uploads import discard_abandoned
from services.webhooks.delivery import prune_log


def recheck_due_leads() -> int:
    with job_app().app_context():
        discard_abandoned()
        prune_log()
        return len(start_due_rechecks())
