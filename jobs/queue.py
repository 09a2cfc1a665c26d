"""The Redis connection and the queue, shared by views (to enqueue) and workers (to run)."""
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Callback, Queue, Retry

import embedded_redis

# Long enough for eight addresses at the line read timeout, short enough to free a stuck worker.
CHECK_JOB_TIMEOUT = 300
# A maximum-size file at a few thousand rows a second, with room to spare.
IMPORT_JOB_TIMEOUT = 3600
# A job whose worker died is run again (RQ finds it abandoned, or sees its work horse killed);
# checks and imports are safe to repeat.
RETRY = Retry(max=2)

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


def enqueue_checks(lead_ids: list[int], run: str) -> None:
    """Queue many first attempts at once, in one round trip to Redis."""
    from jobs.checks import check_failed, check_lead

    queue = check_queue()
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many([
            Queue.prepare_data(check_lead, args=(lead_id, run, [], 0), timeout=CHECK_JOB_TIMEOUT,
                               description=f"check lead {lead_id} (attempt 1)", retry=RETRY,
                               on_failure=Callback(check_failed))
            for lead_id in lead_ids
        ], pipeline=pipe)
        pipe.execute()


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
