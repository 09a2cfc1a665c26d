"""Check all matching past what the request marks itself (services/checks/all_matching.py): a real
worker marks the leads a slice at a time, No Active Line when no line is on; a line switched on
meanwhile gets every lead checked; a marking whose job Redis lost is done again by the lost-check
sweep, once, and a second run while one holds the batch can't queue its checks twice."""

import os
import signal
from datetime import timedelta

import pytest
from rq.job import Job

from extensions import db
from models import CheckBatch, Lead, User, Workspace, utcnow
from services import leads as lead_store
from services.checks import all_matching
from services.queue import CHECK_JOB, MARK_BATCH_JOB, check_queue, marking_job_id
from support import PASSWORD, add_demo_line, free_port, process_tree, start_flask, wait_for

pytestmark = pytest.mark.integration

BACKGROUND_DOWN = "Background work is unavailable"
# A slice of one lead: a marking of a few hundred takes long enough to be caught half done.
ONE_A_SLICE = {"CHECK_ALL_SLICE": "1"}


def add_leads(app, user, n: int, company: str = "Acme") -> list[int]:
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        domains = ("icloud.com", "example.com")
        return [
            lead_store.create_lead(workspace, {"email": f"lead{i}@{domains[i % 2]}", "company": company})[0].id
            for i in range(n)
        ]


def statuses(app, ids=None) -> dict[str, int]:
    with app.app_context():
        query = db.select(Lead.status, db.func.count()).group_by(Lead.status)
        if ids is not None:
            query = query.where(Lead.id.in_(ids))
        return dict(db.session.execute(query).all())


def all_answered(app, n: int):
    return lambda: statuses(app).get("available", 0) + statuses(app).get("unavailable", 0) == n


def switch_on_a_line(app, user, demo_server) -> None:
    with app.app_context():
        add_demo_line(db.session.get(User, user).workspace_id, demo_server.url)


def test_with_no_line_a_worker_marks_every_matching_lead_no_active_line(app, logged_in, user, run_worker, monkeypatch):
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 5)
    acme = add_leads(app, user, 12)
    others = add_leads(app, user, 3, company="Other")

    response = logged_in.post("/leads/bulk-check", data={"all_matching": "1", "q": "acme"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "12 leads will say No Active Line; they are being marked now" in page, page
    assert statuses(app) == {"not_checked": 15}, "the request leaves the marking to a worker"
    with app.app_context():
        assert [job.func_name for job in check_queue().get_jobs()] == [MARK_BATCH_JOB]
        batch = db.session.scalars(db.select(CheckBatch)).one()
        assert (batch.match_status, batch.match_q) == (None, "acme"), "the batch remembers its filter"

    run_worker(**{"CHECK_ALL_SLICE": "2"})
    assert statuses(app, acme) == {"no_active_line": 12}
    assert statuses(app, others) == {"not_checked": 3}
    with app.app_context():
        batch = db.session.get(CheckBatch, batch.id)
        assert batch.queued_at is not None and batch.marking_until is None and batch.total == 0
        assert check_queue().count == 0, "nothing is queued against no line"


def test_with_no_line_and_redis_down_check_all_matching_is_refused_and_changes_nothing(app, user, monkeypatch):
    from app import create_app

    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 5)
    add_leads(app, user, 8)
    dead = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    client = dead.test_client()
    assert client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 302

    response = client.post("/leads/bulk-check", data={"all_matching": "1"}, follow_redirects=True)
    assert BACKGROUND_DOWN in response.get_data(as_text=True)
    assert statuses(app) == {"not_checked": 8}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckBatch.id))) == 0


def test_a_line_switched_on_while_leads_are_marked_no_active_line_gets_every_lead_checked(
    app, logged_in, user, demo_server, monkeypatch, tmp_path
):
    """Whichever leads were told No Active Line before the line came on are checked as any such
    leads are then; the rest are marked Checking in the batch. None is left saying No Active Line,
    and each address is asked once."""
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 5)
    n = 300
    add_leads(app, user, n)
    logged_in.post("/leads/bulk-check", data={"all_matching": "1"})
    worker = start_flask("worker", log=tmp_path / "worker.log", env=ONE_A_SLICE)
    try:
        assert wait_for(lambda: statuses(app).get("no_active_line"), 60, step=0.02)
        before = statuses(app)
        switch_on_a_line(app, user, demo_server)
        assert wait_for(all_answered(app, n), 120, step=0.5), (statuses(app), (tmp_path / "worker.log").read_text())
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert before.get("not_checked"), f"the line came on in the middle of the marking: {before}"
    with app.app_context():
        batch = db.session.scalars(db.select(CheckBatch).where(CheckBatch.kind == "bulk")).one()
        assert 0 < batch.total < n, "the rest were marked Checking in the batch"
    assert demo_server.stats["calls"] == n


def test_a_line_switched_on_has_a_worker_mark_many_waiting_leads_and_checks_them_all(
    app, user, demo_server, run_worker, monkeypatch
):
    """Leads told No Active Line are checked once a line comes on; past what a request marks
    itself (a big import before any line), a worker marks them, as for check all matching."""
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 5)
    n = 12
    ids = add_leads(app, user, n)
    with app.app_context():
        db.session.execute(db.update(Lead).values(status="no_active_line"))
        db.session.commit()
    switch_on_a_line(app, user, demo_server)
    assert statuses(app) == {"no_active_line": n}, "the switch leaves the marking to a worker"
    with app.app_context():
        batch = db.session.scalars(db.select(CheckBatch)).one()
        assert (batch.kind, batch.match_status) == ("recheck", "no_active_line")
        assert [job.func_name for job in check_queue().get_jobs()] == [MARK_BATCH_JOB]

    run_worker(**{"CHECK_ALL_SLICE": "5"})
    assert statuses(app, ids) == {"available": n // 2, "unavailable": n // 2}
    assert demo_server.stats["calls"] == n


@pytest.mark.parametrize("killed_midway", [False, True], ids=["before-any-worker", "worker-killed-midway"])
def test_a_marking_redis_lost_is_done_again_by_the_sweep(
    app, user, demo_server, throwaway_redis, tmp_path, monkeypatch, killed_midway
):
    """Redis restarted empty, with the marking job still waiting, or after its worker was
    SIGKILLed half way through: the sweep queues the marking again from the filter the batch
    remembers, and every lead is checked, each address asked once."""
    from app import create_app

    n = 120
    on_throwaway = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url})
    add_leads(app, user, n)
    switch_on_a_line(app, user, demo_server)
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 5)
    with on_throwaway.app_context():
        batch, by_worker = all_matching.start(db.session.get(User, user).workspace_id, None, None)
        batch_id = batch.id
    assert by_worker
    env = {"REDIS_URL": throwaway_redis.url, "CHECK_LOST_AFTER_SECONDS": "2", "LOST_CHECK_SWEEP_SECONDS": "2"}

    if killed_midway:
        doomed = start_flask("worker", log=tmp_path / "doomed.log", env={**env, **ONE_A_SLICE})
        try:
            assert wait_for(lambda: statuses(app).get("checking"), 60, step=0.02), (tmp_path / "doomed.log").read_text()
        finally:
            for pid in process_tree(doomed.pid):
                os.kill(pid, signal.SIGKILL)
            doomed.wait()
        assert 0 < statuses(app).get("checking", 0) < n, "killed in the middle of the marking"
    throwaway_redis.kill()
    throwaway_redis.start(empty=True)  # its job is gone: nothing in Redis says the batch exists

    rescuer = start_flask("worker", log=tmp_path / "rescuer.log", env=env)
    try:
        assert wait_for(all_answered(app, n), 120, step=0.5), (statuses(app), (tmp_path / "rescuer.log").read_text())
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=30)
    assert "1 markings" in (tmp_path / "rescuer.log").read_text()
    with app.app_context():
        batch = db.session.get(CheckBatch, batch_id)
        assert batch.total == n and batch.queued_at is not None and batch.marking_until is None
    assert demo_server.stats["calls"] == n, "each address asked once"


def test_the_sweep_queues_a_lost_marking_once_and_a_second_run_queues_no_check_twice(app, user, demo_line, monkeypatch):
    app.config["CHECK_LOST_AFTER_SECONDS"] = 0
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 2)
    ids = add_leads(app, user, 6)
    with app.app_context():
        queue = check_queue()
        batch, _ = all_matching.start(db.session.get(User, user).workspace_id, None, None)
        assert all_matching.requeue_lost_markings() == 0, "its job waits in Redis"

        Job.fetch(marking_job_id(batch.id), connection=queue.connection).delete()
        assert all_matching.requeue_lost_markings() == 1
        assert [job.args for job in queue.get_jobs()] == [(batch.id, None, None)]
        assert all_matching.requeue_lost_markings() == 0, "queued once"

        # A run marking it (its lease fresh), whose job Redis lost: neither the sweep nor a second
        # run does anything.
        Job.fetch(marking_job_id(batch.id), connection=queue.connection).delete()
        running = utcnow() + timedelta(seconds=60)
        db.session.execute(db.update(CheckBatch).where(CheckBatch.id == batch.id).values(marking_until=running))
        db.session.commit()
        assert all_matching.requeue_lost_markings() == 0
        assert all_matching.mark_and_queue(batch.id, None, None) == 0
        assert statuses(app, ids) == {"not_checked": 6}

        # Its lease lapsed (the run died): the next run marks and queues; one more queues nothing.
        db.session.execute(db.update(CheckBatch).where(CheckBatch.id == batch.id).values(marking_until=utcnow()))
        db.session.commit()
        assert all_matching.mark_and_queue(batch.id, None, None) == 6
        assert all_matching.mark_and_queue(batch.id, None, None) == 0
        checks = [job.args[0] for job in queue.get_jobs() if job.func_name == CHECK_JOB]
        assert sorted(checks) == ids
        assert all_matching.requeue_lost_markings() == 0, "done"
