"""The RQ worker the app runs: RQ's own, whose maintenance also puts back checks that Redis lost
and queues the periodic re-check, and which outlives a Redis outage."""
import logging
import signal
import time

from flask import Flask
from redis import RedisError
from rq import Worker
from sqlalchemy.exc import SQLAlchemyError

import lead_checks
from jobs.queue import (check_queue, enqueue_recheck_sweep, forget_queue_check, job_app, queue_lost_its_jobs,
                        redis_connection)

log = logging.getLogger(__name__)
# Seconds between attempts to work again after losing Redis (or, in maintenance, the database).
RETRY_SECONDS = 3


class AppWorker(Worker):
    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        with job_app().app_context():
            if queue_lost_its_jobs():
                try:
                    requeued = lead_checks.requeue_lost_checks()
                except SQLAlchemyError:
                    forget_queue_check()  # the database is away for a moment: look again next time
                    raise
                if requeued:
                    self.log.warning("Redis had lost its queue: %d checks queued again", requeued)
            # Every worker tries; Redis lets one sweep through per period, so it runs while any worker does.
            enqueue_recheck_sweep()


def work(app: Flask, *, burst: bool = False) -> None:
    """Work the queue until stopped. Losing Redis stops RQ's worker; this one waits and starts
    working again, so a Redis or database restart needs no one to restart the workers."""
    while True:
        # RQ notices a dead worker's jobs once their heartbeat lapses (job monitoring interval +
        # 60 s) and its registries are next cleaned. Cleaning every 15 s (RQ: 10 minutes), and
        # waking that often when idle (an idle worker wakes every worker_ttl - 15 s), puts the
        # work of a killed worker back in the queue within about 85 s.
        worker = AppWorker([check_queue(app)], connection=redis_connection(app), maintenance_interval=15,
                           job_monitoring_interval=10, worker_ttl=30)
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
            return
        except (RedisError, SQLAlchemyError) as exc:
            # RQ's signal handlers belong to the worker that failed: while waiting, a stop
            # request stops this process at once.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            log.warning("Lost Redis or the database (%s); trying again in %d s", exc, RETRY_SECONDS)
            time.sleep(RETRY_SECONDS)
