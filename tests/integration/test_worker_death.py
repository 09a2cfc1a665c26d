"""A worker killed mid-check loses nothing: its work is picked up by another worker in time."""

import os
import signal
import threading
import time

import pytest

from extensions import db
from models import CheckBatch, Lead, User, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.checks import progress as batch_progress
from support import process_tree, start_flask, wait_for, work_until_final

pytestmark = pytest.mark.integration


def kill_a_worker_mid_call(demo_server, log):
    """Start a worker, and SIGKILL it and every process it started while it waits on the line."""
    demo_server.latency = 4.0
    doomed = start_flask("worker", log=log)
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 1, 30), "the first worker never called the line"
    finally:
        for pid in process_tree(doomed.pid):
            os.kill(pid, signal.SIGKILL)
        doomed.wait()
    demo_server.latency = 0.0


def test_leads_checked_by_a_killed_worker_end_final_within_two_minutes(
    app, logged_in, demo_line, demo_server, tmp_path
):
    with app.app_context():
        for phone in ("2025550142", "2025550144", "2025550143"):
            assert logged_in.post("/leads/", data={"phone": phone}).status_code == 302
    kill_a_worker_mid_call(demo_server, tmp_path / "doomed.log")
    took = work_until_final(app, None, tmp_path / "rescuer.log", 150)
    assert took <= 120, f"took {took:.0f} s"
    with app.app_context():
        statuses = {lead.phone: lead.status for lead in db.session.scalars(db.select(Lead))}
    assert statuses == {"2025550142": "available", "2025550144": "available", "2025550143": "unavailable"}


def test_a_batch_whose_worker_is_killed_adds_up_and_spends_no_call_twice(app, user, demo_line, demo_server, tmp_path):
    # Five addresses, one of them shared by two leads.
    rows = [
        {"phone": "2025550142"},
        {"phone": "2025550143"},
        {"phone": "2025550144"},
        {"phone": "2025550145"},
        {"email": "shared@example.com"},
        {"email": "shared@example.com"},
    ]
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        ids = [lead_store.create_lead(workspace, row)[0].id for row in rows]
        batch_id = batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids)).id
    kill_a_worker_mid_call(demo_server, tmp_path / "doomed.log")
    took = work_until_final(app, batch_id, tmp_path / "rescuer.log", 150)
    assert took <= 120, f"took {took:.0f} s"
    with app.app_context():
        progress = batch_progress.batch_progress(db.session.get(CheckBatch, batch_id))
        errors = [lead.error for lead in db.session.scalars(db.select(Lead).where(Lead.status == "error"))]
    assert not errors
    assert progress["done"] == progress["total"] == 6
    assert progress["available"] + progress["unavailable"] == 6
    # Five addresses: five calls, plus at most the one the killed worker never heard back from.
    assert 5 <= demo_server.stats["calls"] <= 6


def test_a_check_run_again_after_its_answer_was_written_changes_nothing(app, user, demo_line, demo_server):
    """RQ runs a job again when its worker died after the answer was written but before the job
    was recorded done: the second run must neither call a line nor write the lead again."""
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        lead = lead_store.create_lead(workspace, {"phone": "2025550142"})[0]
        lead_checks.request_check(lead)
        run = lead.check_run
        assert lead_checks.run_check(lead.id, run, (), 0) is None
        db.session.expire_all()
        first = (lead.status, lead.checked_at)
        calls = demo_server.stats["calls"]

        assert lead_checks.run_check(lead.id, run, (), 0) is None
        db.session.expire_all()
        assert (lead.status, lead.checked_at) == first == ("available", first[1])
    assert demo_server.stats["calls"] == calls == 1


def test_after_a_cancel_a_worker_goes_straight_to_the_next_check(app, user, demo_line, demo_server, tmp_path):
    """A cancelled batch's jobs leave the queue; the worker skips what is left of them (ids of
    jobs that no longer exist) and checks the lead asked for next, calling the line once."""
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        ids = [lead_store.create_lead(workspace, {"phone": f"20255501{n:02d}"})[0].id for n in range(40)]
        batch = batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids))
        assert batch_checks.cancel_batch(batch) == 40
        later = lead_store.create_lead(workspace, {"phone": "2025550199"})[0]
        lead_checks.request_check(later)
        later_id = later.id
    work_until_final(app, None, tmp_path / "worker.log", 60)
    with app.app_context():
        assert db.session.get(Lead, later_id).status == "unavailable"
        assert {lead.status for lead in db.session.scalars(db.select(Lead).where(Lead.id.in_(ids)))} == {"not_checked"}
    assert demo_server.stats["calls"] == 1


def test_a_long_job_keeps_its_claim_while_its_worker_lives(app):
    """A job runs in the worker's own process; while it runs, the worker renews its claim (the
    expiry RQ reads to decide that a job was abandoned), so a slow check or a big import is never
    taken from a living worker, and a dead worker's claim lapses a minute after its last renewal."""
    from extensions import redis_connection
    from jobs.worker import AppWorker
    from services.queue import check_queue

    queue = check_queue(app)
    job = queue.enqueue(time.sleep, 3.5, job_timeout=600)
    registry = queue.started_job_registry
    expiries = []

    def watch():
        deadline = time.time() + 10
        while time.time() < deadline and job.get_status(refresh=True) != "finished":
            for member, expiry in redis_connection(app).zrange(registry.key, 0, -1, withscores=True):
                if member.decode().startswith(job.id):
                    expiries.append((time.time(), expiry))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    AppWorker([queue], connection=redis_connection(app), job_monitoring_interval=1).work(burst=True)
    watcher.join()

    assert job.get_status(refresh=True) == "finished"
    (first_seen, first), (_, last) = expiries[0], expiries[-1]
    # A minute past the last renewal, not the job's whole timeout.
    assert first - first_seen <= 62
    # Renewed about every second while the 3.5 s job ran.
    assert last - first >= 2
