"""The Redis connection and the queue, shared by views (to enqueue) and workers (to run)."""
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Callback, Queue, Retry
from rq.job import Job

import embedded_redis

# Long enough for eight addresses at the line read timeout, short enough to free a stuck worker.
CHECK_JOB_TIMEOUT = 300
# A maximum-size file at a few thousand rows a second, with room to spare.
IMPORT_JOB_TIMEOUT = 3600
# A job that failed is run again after a pause: its worker died (RQ finds the job abandoned, or sees
# its work horse killed), or the database was briefly unreachable. Checks and imports are safe to
# repeat; the pauses outlast a database restart.
RETRY = Retry(max=3, interval=[5, 15, 45])

_app: Flask | None = None


def redis_url(app: Flask) -> str:
    return app.config["REDIS_URL"] or embedded_redis.ensure_running(app.instance_path)


def redis_connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    conn = app.extensions.get("redis")
    if conn is None:
        conn = app.extensions["redis"] = Redis.from_url(redis_url(app))
    return conn


def check_queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["RQ_QUEUE"], connection=redis_connection(app))


def use_app(app: Flask) -> None:
    """Let jobs in this process run on `app` (the worker command's own) instead of building one."""
    global _app
    _app = app


def job_app() -> Flask:
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def enqueue_import(upload_id: int) -> None:
    from jobs.imports import import_upload

    check_queue().enqueue(import_upload, upload_id, job_timeout=IMPORT_JOB_TIMEOUT, retry=RETRY,
                          description=f"import upload {upload_id}")


def enqueue_checks(checks: list[tuple[int, str]], *, fresh: bool = False) -> None:
    """Queue many first attempts (lead id, run) at once, in one round trip to Redis."""
    from jobs.checks import check_failed, check_lead

    queue = check_queue()
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many([
            Queue.prepare_data(check_lead, args=(lead_id, run, [], 0, fresh), timeout=CHECK_JOB_TIMEOUT,
                               description=f"check lead {lead_id} (attempt 1)", retry=RETRY,
                               on_failure=Callback(check_failed), job_id=first_check_job_id(lead_id, run))
            for lead_id, run in checks
        ], pipeline=pipe)
        pipe.execute()


def first_check_job_id(lead_id: int, run: str) -> str:
    """The id of a check's first job, so a cancel can find it again."""
    return f"check-{run}-{lead_id}"


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
        dropped += drop(keys=[Job.key_for(first_check_job_id(lead_id, run))
                              for lead_id, run in checks[start:start + 1000]])
    return dropped


def enqueue_check(lead_id: int, run: str, *, skip: tuple[str, ...] = (), attempt: int = 0,
                  delay: float = 0, fresh: bool = False) -> None:
    from jobs.checks import check_failed, check_lead

    queue = check_queue()
    kwargs = dict(
        job_timeout=CHECK_JOB_TIMEOUT,
        description=f"check lead {lead_id} (attempt {attempt + 1})",
        retry=RETRY,
        on_failure=Callback(check_failed),
    )
    args = (lead_id, run, list(skip), attempt, fresh)
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), check_lead, *args, **kwargs)
    else:
        queue.enqueue(check_lead, *args, **kwargs)


def queue_lost_its_jobs() -> bool:
    """True (once) when Redis has lost its data since a worker last looked (restarted without
    persistence, flushed): the mark workers keep there is gone, and every queued job with it.
    Only workers set the mark, so a web process queueing work first can't hide the loss."""
    queue = check_queue()
    return bool(queue.connection.set(f"{queue.name}:intact", "1", nx=True))


def forget_queue_check() -> None:
    """Undo queue_lost_its_jobs's mark, so that the next look finds the loss again."""
    queue = check_queue()
    queue.connection.delete(f"{queue.name}:intact")


def leads_with_check_jobs() -> set[int]:
    """Ids of the leads that a check job still in Redis (queued, scheduled or running) will check."""
    queue = check_queue()
    job_ids = queue.get_job_ids() + queue.scheduled_job_registry.get_job_ids(cleanup=False) + [
        job_id for job_id, _ in queue.started_job_registry.get_job_and_execution_ids(cleanup=False)]
    leads = set()
    for start in range(0, len(job_ids), 1000):
        for job in Job.fetch_many(job_ids[start:start + 1000], connection=queue.connection):
            if job is not None and job.func_name == "jobs.checks.check_lead":
                leads.add(job.args[0])
    return leads


def enqueue_recheck_sweep() -> bool:
    """Queue the periodic re-check sweep unless one was queued in the last RECHECK_SWEEP_SECONDS
    (by any worker: the mark is in Redis)."""
    from jobs.rechecks import recheck_due_leads

    queue = check_queue()
    every = int(current_app.config["RECHECK_SWEEP_SECONDS"])
    if not queue.connection.set(f"{queue.name}:recheck-sweep", "1", nx=True, ex=every):
        return False
    queue.enqueue(recheck_due_leads, job_timeout=IMPORT_JOB_TIMEOUT, description="periodic re-check")
    return True
