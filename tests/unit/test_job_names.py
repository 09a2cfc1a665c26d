"""Services name the jobs by dotted path (they sit below jobs/): each name must be a real job."""

import pytest
from werkzeug.utils import import_string

from jobs import checks, imports, rechecks, webhooks
from services import queue


@pytest.mark.parametrize(
    ("name", "job"),
    [
        (queue.CHECK_JOB, checks.check_lead),
        (queue.CHECK_FAILED, checks.check_failed),
        (queue.QUEUE_BATCH_JOB, checks.queue_batch),
        (queue.MARK_BATCH_JOB, checks.mark_matching),
        (queue.IMPORT_JOB, imports.import_upload),
        (queue.RECHECK_JOB, rechecks.recheck_due_leads),
        (queue.WEBHOOK_JOB, webhooks.deliver_webhook),
    ],
)
def test_each_job_name_is_the_job(name, job):
    assert import_string(name) is job
