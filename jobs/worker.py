"""The RQ worker the app runs: jobs in its own process, a heartbeat kept while they run; its
maintenance also puts back the checks, imports and webhook attempts that Redis lost (or never got)
and queues the periodic re-check; it outlives a Redis outage."""

import logging
import os
import signal
import threading
import time

from flask import Flask
from redis import RedisError
from rq import SimpleWorker
from rq.worker import WorkerStatus
from sqlalchemy.exc import SQLAlchemyError

from extensions import redis_connection
from jobs.context import job_app
from jobs.pool import WARM_STOP
from services.checks import all_matching
from services.checks import batches as batch_checks
from services.imports import uploads
from services.queue import check_queue, enqueue_recheck_sweep, lost_check_sweep_due
from services.webhooks import delivery, outbox
from services.workers import forget_process, worker_name

log = logging.getLogger(__name__)
# Seconds between attempts to work again after losing Redis (or, in maintenance, the database).
RETRY_SECONDS = 3
# How often a process forked from the worker looks whether its parent still lives.
ORPHAN_CHECK_SECONDS = 1.0


class AppWorker(SimpleWorker):
    """Runs each job in the worker process rather than in a child forked for it: a forked child
    starts cold (a new database connection, every SQL statement compiled again), which made a
    check cost ~150 ms instead of ~35 ms. Jobs don't share memory with each other anyway: each
    runs in its own app context and database session."""

    # An idle worker that lost Redis tries again at most this long apart (RQ: up to 60 s), so it
    # is back at work within seconds of Redis.
    max_connection_wait_time = float(RETRY_SECONDS)
    # Whether SIGTERM or SIGINT asked this worker to stop (work() starts again otherwise).
    stop_asked = False

    def handle_warm_shutdown_request(self):
        self.stop_asked = True
        super().handle_warm_shutdown_request()

    def _install_signal_handlers(self):
        super()._install_signal_handlers()
        signal.signal(WARM_STOP, self._warm_stop)

    def _warm_stop(self, signum, frame):
        if not self.stop_asked:  # else the group's own signal asked already: the same request
            self.request_stop(signum, frame)

    def execute_job(self, job, queue):
        execution = self.prepare_execution(job)
        done = threading.Event()
        beating = threading.Thread(target=self._keep_heartbeat, args=(job, execution, done), daemon=True)
        beating.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beating.join()
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # Short, as a forking worker's, because _keep_heartbeat renews it while the job runs: a
        # worker killed mid-job has its job found abandoned (and retried) about a minute later,
        # not after the job's whole timeout (SimpleWorker's own TTL).
        return self.job_monitoring_interval + 60

    def _keep_heartbeat(self, job, execution, done: threading.Event) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except RedisError as exc:  # the job itself will meet the outage and fail or retry
                log.warning("Could not renew the heartbeat of job %s: %s", job.id, exc)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        with job_app().app_context():
            # One worker at a time looks for the imports, checks and webhook attempts whose jobs
            # Redis lost, or never got (webhooks: it was down when they were made).
            if lost_check_sweep_due():
                imports, markings = uploads.requeue_lost_imports(), all_matching.requeue_lost_markings()
                checks, (webhooks, crashed) = batch_checks.requeue_lost_checks(), outbox.requeue_lost()
                if crashed:
                    self.log.error("%d webhook attempts failed every run: logged as failed", delivery.give_up(crashed))
                if imports or markings or checks or webhooks:
                    self.log.warning(
                        "Redis had lost %d imports, %d markings, %d checks and %d webhook attempts: queued again",
                        imports,
                        markings,
                        checks,
                        webhooks,
                    )
            # Every worker tries; Redis lets one sweep through per period, so it runs while any worker does.
            enqueue_recheck_sweep()


def prepare_forks(engine) -> None:
    """Processes forked from the worker — RQ's scheduler, an import's parsing pool, the workers of
    `--concurrency` — open their own database connections (SQLAlchemy's recipe for
    multiprocessing), and take signals as a plain process does rather than as RQ's worker: SIGTERM,
    with which a pool ends its processes, would otherwise ask them to stop after "their job", and
    the pool would wait for them forever. SIGINT (Ctrl+C, sent to the whole group) is ignored, so
    the job finishes. RQ's scheduler and worker install their own. Each stops when orphaned."""

    def in_child():
        engine.dispose(close=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True).start()

    os.register_at_fork(after_in_child=in_child)


def _stop_when_orphaned(parent: int) -> None:
    """A process whose parent was SIGKILLed gets SIGTERM (a worker finishes its job, RQ's scheduler
    lets go of its lock) rather than work on with no one to stop it."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def work(app: Flask, command: int, size: int = 1, *, burst: bool = False) -> None:
    """Work the queue until stopped, as one of the `size` processes of the worker command whose
    process is `command` (named after it: services/workers.py). Losing Redis stops RQ's worker, or
    keeps a new one from starting (it registers itself in Redis); this one waits and starts working
    again, so a Redis or database restart needs no one to restart the workers."""
    while True:
        try:
            # RQ notices a dead worker's jobs once their heartbeat lapses (job monitoring interval +
            # 60 s) and its registries are next cleaned. Cleaning every 15 s (RQ: 10 minutes), and
            # waking that often when idle (an idle worker wakes every worker_ttl - 15 s), puts the
            # work of a killed worker back in the queue within about 85 s.
            worker = AppWorker(
                [check_queue(app)],
                name=worker_name(command, size),
                connection=redis_connection(app),
                maintenance_interval=15,
                job_monitoring_interval=10,
                worker_ttl=30,
            )
            worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
            # RQ's loop also ends, without raising, when Redis goes away between jobs (its
            # heartbeat after a job fails: "found an unhandled exception, quitting"); only a
            # stop request or the end of a burst ends this process.
            if burst or worker.stop_asked:
                return
            _wait_to_work_again("The worker stopped without being asked to")
        except (RedisError, SQLAlchemyError) as exc:
            _wait_to_work_again(f"Lost Redis or the database ({exc})")


def _wait_to_work_again(why: str) -> None:
    # RQ's signal handlers belong to the worker that ended: while waiting, a stop request stops
    # this process at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    log.warning("%s; working again in %d s", why, RETRY_SECONDS)
    time.sleep(RETRY_SECONDS)


def forget_killed(app: Flask, command: int):
    """For the pool of the command `command`: unregister at once a process that was killed, so the
    Operations page counts the command short until its replacement registers."""
    return lambda pid: forget_process(check_queue(app), command, pid)
