"""The queue: enqueueing jobs, their ids, and reading which jobs Redis holds. Views, services and the
worker share it. Jobs are named by dotted path, so nothing here imports jobs/ (which sits above)."""

import uuid
from datetime import timedelta
from typing import NamedTuple

from flask import Flask, current_app
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from extensions import redis_connection

# Long enough for eight addresses at the line read timeout, short enough to free a stuck worker.
CHECK_JOB_TIMEOUT = 300
# A maximum-size file at a few thousand rows a second, with room to spare.
IMPORT_JOB_TIMEOUT = 3600
# A job that failed is run again after a pause: its worker died (RQ finds the job abandoned, or sees
# its work horse killed), or the database was briefly unreachable. Checks and imports are safe to
# repeat; the pauses outlast a database restart.
RETRY = Retry(max=3, interval=[5, 15, 45])

# The jobs, by the dotted path RQ stores as a job's func_name (tests/unit/test_job_names.py checks
# that each names a function).
CHECK_JOB = "jobs.checks.check_lead"
CHECK_FAILED = "jobs.checks.check_failed"
IMPORT_JOB = "jobs.imports.import_upload"
RECHECK_JOB = "jobs.rechecks.recheck_due_leads"
WEBHOOK_JOB = "jobs.webhooks.deliver_webhook"
# One delivery takes at most WEBHOOK_TIMEOUT; this frees a worker stuck anyway.
WEBHOOK_JOB_TIMEOUT = 120
QUEUE_BATCH_JOB = "jobs.checks.queue_batch"
MARK_BATCH_JOB = "jobs.checks.mark_matching"


class BackgroundUnavailable(RuntimeError):
    """The queue (Redis) can't take work right now."""

    def __init__(
        self,
        message: str = "Background work is unavailable right now (the queue can't be "
        "reached): nothing was changed; try again in a minute",
    ):
        super().__init__(message)


def check_queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["RQ_QUEUE"], connection=redis_connection(app))


def enqueue_import(upload_id: int) -> None:
    # The id names the upload, as a check job's names its lead (jobs_in_redis).
    check_queue().enqueue(
        IMPORT_JOB,
        upload_id,
        job_timeout=IMPORT_JOB_TIMEOUT,
        retry=RETRY,
        description=f"import upload {upload_id}",
        job_id=f"import_{upload_id}_{uuid.uuid4().hex[:12]}",
    )


def enqueue_batch(batch_id: int) -> None:
    """Have a worker queue a batch's checks (batches.start_batch(later=True))."""
    check_queue().enqueue(
        QUEUE_BATCH_JOB, batch_id, job_timeout=CHECK_JOB_TIMEOUT, retry=RETRY, description=f"queue batch {batch_id}"
    )


def enqueue_marking(batch_id: int, status: str | None, q: str | None) -> None:
    """Have a worker mark the leads matching the filter in a batch and queue their checks
    (checks.all_matching): a million leads take minutes, as an import does. Its id names the batch,
    so the lost-check sweep can tell whether Redis still holds it (marking_in_redis); a job of an
    earlier run (failed, or finished while another run marked) makes way for it."""
    queue = check_queue()
    job_id = marking_job_id(batch_id)
    try:
        Job.fetch(job_id, connection=queue.connection).delete()
    except NoSuchJobError:
        pass
    queue.enqueue(
        MARK_BATCH_JOB,
        batch_id,
        status,
        q,
        job_timeout=IMPORT_JOB_TIMEOUT,
        retry=RETRY,
        description=f"mark and queue batch {batch_id}",
        job_id=job_id,
    )


def marking_job_id(batch_id: int) -> str:
    return f"mark_{batch_id}"


def marking_in_redis(batch_id: int) -> bool:
    """Whether Redis holds the batch's marking job waiting, scheduled (a retry) or running."""
    try:
        job = Job.fetch(marking_job_id(batch_id), connection=check_queue().connection)
    except NoSuchJobError:
        return False
    return job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED)


def enqueue_checks(checks: list[tuple[int, str]], *, fresh: bool = False, again: bool = False) -> None:
    """Queue many checks (lead id, run) at once, in one round trip to Redis: first attempts, or with
    `again` checks whose jobs Redis lost (new job ids: a first attempt's id may still be taken)."""
    queue = check_queue()
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many(
            [
                Queue.prepare_data(
                    CHECK_JOB,
                    args=(lead_id, run, [], 0, fresh),
                    timeout=CHECK_JOB_TIMEOUT,
                    description=f"check lead {lead_id} (attempt 1)",
                    retry=RETRY,
                    on_failure=Callback(CHECK_FAILED),
                    job_id=check_job_id(lead_id, run) if again else first_check_job_id(lead_id, run),
                )
                for lead_id, run in checks
            ],
            pipeline=pipe,
        )
        pipe.execute()


def check_job_id(lead_id: int, run: str, tag: str | None = None) -> str:
    """Every check job's id names its lead and run, so that the jobs Redis holds can be told from
    their ids alone (jobs_in_redis). RQ allows letters, digits, _ and - in an id; runs have no _."""
    return f"check_{lead_id}_{run}_{tag or uuid.uuid4().hex[:12]}"


def first_check_job_id(lead_id: int, run: str) -> str:
    """The id of a check's first job, so a cancel can find it again."""
    return check_job_id(lead_id, run, "first")


# Deletes each job still waiting in the queue (not yet taken by a worker, which sets "started").
# Its id stays in the queue's list; a worker popping it finds no job and takes the next one.
_DROP_QUEUED = """
local dropped = 0
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'status') == 'queued' then
    redis.call('DEL', key)
    dropped = dropped + 1
  end
end
return dropped
"""


def drop_queued_checks(checks: list[tuple[int, str]]) -> int:
    """Take the first jobs of these (lead id, run) checks out of the queue, unless a worker has them
    already. Returns how many were dropped."""
    queue = check_queue()
    drop = queue.connection.register_script(_DROP_QUEUED)
    dropped = 0
    for start in range(0, len(checks), 1000):
        dropped += drop(
            keys=[Job.key_for(first_check_job_id(lead_id, run)) for lead_id, run in checks[start : start + 1000]]
        )
    return dropped


def enqueue_check(
    lead_id: int, run: str, *, skip: tuple[str, ...] = (), attempt: int = 0, delay: float = 0, fresh: bool = False
) -> None:
    queue = check_queue()
    kwargs = dict(
        job_timeout=CHECK_JOB_TIMEOUT,
        description=f"check lead {lead_id} (attempt {attempt + 1})",
        retry=RETRY,
        on_failure=Callback(CHECK_FAILED),
    )
    args = (lead_id, run, list(skip), attempt, fresh)
    job_id = check_job_id(lead_id, run)
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), CHECK_JOB, *args, job_id=job_id, **kwargs)
    else:
        queue.enqueue(CHECK_JOB, *args, job_id=job_id, **kwargs)


def enqueue_webhook(
    endpoint_id: int,
    message_id: str,
    event_type: str,
    payload: str,
    attempt: int,
    *,
    manual: bool = False,
    delay: float = 0,
) -> None:
    """Queue an attempt to deliver a webhook message to an endpoint. A job that crashes is run
    again (RETRY): a receiver tells a repeat by its webhook-id."""
    queue = check_queue()
    args = (endpoint_id, message_id, event_type, payload, attempt, manual)
    kwargs = dict(
        job_timeout=WEBHOOK_JOB_TIMEOUT,
        retry=RETRY,
        description=f"webhook {message_id} to endpoint {endpoint_id} (attempt {attempt})",
        job_id=f"webhook_{endpoint_id}_{uuid.uuid4().hex[:12]}"
        if manual
        else webhook_job_id(endpoint_id, message_id, attempt),
    )
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), WEBHOOK_JOB, *args, **kwargs)
    else:
        queue.enqueue(WEBHOOK_JOB, *args, **kwargs)


def webhook_job_id(endpoint_id: int, message_id: str, attempt: int) -> str:
    """An attempt owed by the outbox has one job id, so that the sweep tells from the ids Redis
    holds which attempts it lost (a Redeliver's id is random: it is one attempt, never swept)."""
    return f"webhook_{endpoint_id}_{message_id}_{attempt}"


class InRedis(NamedTuple):
    checks: set[tuple[int, str]]  # (lead id, run)
    imports: set[int]  # upload ids
    webhooks: set[str]  # job ids
    failed_webhooks: set[str]  # job ids RQ gave up on, its retries spent


def jobs_in_redis() -> InRedis:
    """(lead id, run) of every check job Redis holds — waiting, scheduled, being taken by a worker,
    running —, the upload id of every import job it holds (failed ones too: a failed import is
    retried by a person, from the Operations page), and the id of every webhook job. One MULTI
    reads every place at one instant, so a job moving from one to the next (RQ moves it atomically
    too) can't be missed between two reads. Only ids are read: they name their lead and run, upload
    or attempt (check_job_id, enqueue_import, webhook_job_id), and 100,000 of them are a few MB."""
    queue = check_queue()
    with queue.connection.pipeline(transaction=True) as pipe:
        pipe.lrange(queue.key, 0, -1)
        pipe.lrange(queue.intermediate_queue_key, 0, -1)
        pipe.zrange(queue.scheduled_job_registry.key, 0, -1)
        pipe.zrange(queue.started_job_registry.key, 0, -1)  # entries are "job id:execution id"
        pipe.zrange(queue.failed_job_registry.key, 0, -1)
        waiting, taken, scheduled, started, failed = pipe.execute()
    held = InRedis(set(), set(), set(), set())
    for raw in (*waiting, *taken, *scheduled, *(entry.split(b":")[0] for entry in started)):
        job_id = raw.decode()
        kind, _, rest = job_id.partition("_")
        if kind == "check":
            lead_id, _, run = rest.partition("_")
            held.checks.add((int(lead_id), run.rsplit("_", 1)[0]))
        elif kind == "import":
            held.imports.add(int(rest.partition("_")[0]))
        elif kind == "webhook":
            held.webhooks.add(job_id)
    held.imports.update(int(raw.decode().split("_")[1]) for raw in failed if raw.startswith(b"import_"))
    held.failed_webhooks.update(raw.decode() for raw in failed if raw.startswith(b"webhook_"))
    return held


def lost_check_sweep_due() -> bool:
    """True for one worker every LOST_CHECK_SWEEP_SECONDS: the others skip the look."""
    queue = check_queue()
    every = current_app.config["LOST_CHECK_SWEEP_SECONDS"]
    return bool(queue.connection.set(f"{queue.name}:lost-check-sweep", "1", nx=True, ex=every))


def enqueue_recheck_sweep() -> bool:
    """Queue the periodic re-check sweep unless one was queued in the last RECHECK_SWEEP_SECONDS
    (by any worker: the mark is in Redis)."""
    queue = check_queue()
    every = int(current_app.config["RECHECK_SWEEP_SECONDS"])
    if not queue.connection.set(f"{queue.name}:recheck-sweep", "1", nx=True, ex=every):
        return False
    queue.enqueue(RECHECK_JOB, job_timeout=IMPORT_JOB_TIMEOUT, description="periodic re-check")
    return True
