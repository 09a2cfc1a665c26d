"""Workers live through Redis being away for a minute whatever they were doing, and carry on."""

import time

import pytest

from extensions import db
from models import Lead, User, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from support import add_demo_line, nothing_checking, start_flask, wait_for

pytestmark = pytest.mark.integration


def test_workers_outlive_a_minute_without_redis_in_every_state(app, user, demo_server, throwaway_redis, tmp_path):
    """One worker mid-call, one idle, one starting while Redis is down: after 60 s without Redis
    all three are running, and each takes checks again. Before the fix, the busy worker and the
    starting one ended (RQ's worker registering itself raised outside the retry loop)."""
    from app import create_app

    on_throwaway = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url})
    env = {"REDIS_URL": throwaway_redis.url}
    with on_throwaway.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        add_demo_line(workspace_id, demo_server.url)
    logs = [tmp_path / f"worker-{name}.log" for name in "abc"]
    workers = [start_flask("worker", log=log, env=env) for log in logs[:2]]
    try:
        assert wait_for(lambda: all("Listening on" in log.read_text() for log in logs[:2]), 30)
        demo_server.latency = 4  # one worker will be in the middle of a call, the other idle
        with on_throwaway.app_context():
            lead = lead_store.create_lead(db.session.get(Workspace, workspace_id), {"phone": "2025550142"})[0]
            batch_checks.start_batch(workspace_id, "bulk", Lead.id == lead.id)
        assert wait_for(lambda: demo_server.stats["calls"] == 1, 30)

        throwaway_redis.kill()
        workers.append(start_flask("worker", log=logs[2], env=env))  # starting without Redis
        time.sleep(60)
        assert [worker.poll() for worker in workers] == [None] * 3, [log.read_text()[-2000:] for log in logs]
        throwaway_redis.start(empty=True)

        demo_server.latency = 1
        seen = [log.stat().st_size for log in logs]
        with on_throwaway.app_context():
            workspace = db.session.get(Workspace, workspace_id)
            ids = [lead_store.create_lead(workspace, {"phone": f"20255501{n:02d}"})[0].id for n in range(12)]
            batch_id = batch_checks.start_batch(workspace_id, "bulk", Lead.id.in_(ids)).id
        assert wait_for(nothing_checking(app, batch_id), 90, step=0.5), [log.read_text()[-2000:] for log in logs]
        assert [worker.poll() for worker in workers] == [None] * 3
        for log, offset in zip(logs, seen):  # each worker took checks after the outage
            assert "Job OK" in log.read_text()[offset:], log.read_text()[-3000:]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id)).where(Lead.status == "checking")) == 0


def test_a_worker_whose_redis_dies_just_after_a_job_works_on_once_it_is_back(app, throwaway_redis, tmp_path):
    """Redis gone between a job's end and the worker's next heartbeat: RQ's loop ends without
    raising ("found an unhandled exception, quitting"). Before the fix the worker process ended
    with it, and a webhook retry waited for a worker that never came back."""
    import signal

    from rq import Queue, Worker

    log = tmp_path / "worker.log"
    worker = start_flask("worker", log=log, env={"REDIS_URL": throwaway_redis.url})
    try:
        assert wait_for(lambda: "Listening on" in log.read_text(), 30), log.read_text()[-2000:]
        queue = Queue(app.config["RQ_QUEUE"], connection=throwaway_redis.client())
        # The job itself ends Redis: the worker meets the outage right after the job.
        queue.enqueue("os.kill", throwaway_redis.process.pid, signal.SIGKILL)
        assert wait_for(lambda: "quitting" in log.read_text(), 30), log.read_text()[-2000:]
        throwaway_redis.process.wait()
        throwaway_redis.start(empty=True)
        queue = Queue(app.config["RQ_QUEUE"], connection=throwaway_redis.client())
        assert wait_for(lambda: Worker.count(queue=queue) == 1, 30), log.read_text()[-3000:]
        job = queue.enqueue("os.getpid")
        assert wait_for(lambda: job.get_status(refresh=True) == "finished", 30), log.read_text()[-3000:]
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
