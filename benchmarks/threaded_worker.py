"""The other way measured for one worker command with many jobs at once: N of the app's RQ workers
on threads of one process (the app's command forks N processes: jobs/pool.py). Run by
throughput_benchmark.py beside it; not the app's way (BENCHMARKS.md says why).

    python benchmarks/threaded_worker.py N

Each thread is a whole RQ worker (AppWorker: its own registration, heartbeats, maintenance), so
the queue's semantics stay RQ's; a job runs in its own app context, and Flask-SQLAlchemy's
session is scoped to it, so each thread has its own session and connection. What threads change:
RQ's job timeout (SIGALRM, main thread only) becomes a timer raising in the job's thread, signals
reach the main thread alone (it asks every worker to stop), and the scheduler and an import's
parsing pool are forked from a process with N threads running.
"""

import signal
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rq.timeouts import TimerDeathPenalty  # noqa: E402
from rq.worker import WorkerStatus  # noqa: E402

from jobs.worker import AppWorker, prepare_forks  # noqa: E402


class ThreadWorker(AppWorker):
    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass  # only the main thread may; it stops every worker


def main() -> None:
    from app import create_app
    from extensions import db, redis_connection
    from jobs.context import use_app
    from services.queue import check_queue

    threads = int(sys.argv[1])
    app = create_app()
    use_app(app)
    with app.app_context():
        prepare_forks(db.engine)
    workers = [
        ThreadWorker(
            [check_queue(app)],
            connection=redis_connection(app),
            maintenance_interval=15,
            job_monitoring_interval=10,
            worker_ttl=30,
        )
        for _ in range(threads)
    ]
    stopped = threading.Event()

    def stop(signum, frame):
        for worker in workers:
            worker._stop_requested = True  # each leaves after its job, or its next wait for one
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = [
        threading.Thread(target=worker.work, kwargs={"with_scheduler": n == 0, "logging_level": "INFO"}, daemon=True)
        for n, worker in enumerate(workers)
    ]
    for thread in running:
        thread.start()
    stopped.wait()
    # A busy worker leaves after its job; an idle one would wait for a job first (RQ looks for a
    # stop request between jobs only): it is left behind, with nothing to lose.
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and any(worker.get_state() == WorkerStatus.BUSY for worker in workers):
        time.sleep(0.1)
    for worker in workers:
        with suppress(Exception):
            worker.register_death()
    if workers[0].scheduler:
        workers[0].stop_scheduler()


if __name__ == "__main__":
    main()
