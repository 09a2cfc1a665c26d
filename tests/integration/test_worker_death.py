"""A worker killed mid-check loses nothing: its work is picked up by another worker in time."""
import os
import signal
import time

import pytest

from extensions import db
from models import Lead
from support import process_tree, start_flask, wait_for

pytestmark = pytest.mark.integration


def test_leads_checked_by_a_killed_worker_end_final_within_two_minutes(app, logged_in, demo_line,
                                                                        demo_server, tmp_path):
    demo_server.latency = 4.0  # long enough to kill the worker while it waits on the line
    with app.app_context():
        for phone in ("2025550142", "2025550144", "2025550143"):
            assert logged_in.post("/leads/", data={"phone": phone}).status_code == 302
    doomed = start_flask("worker", log=tmp_path / "doomed.log")
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 1, 30), "the first worker never called the line"
    finally:
        for pid in process_tree(doomed.pid):  # the worker and its work horse, mid-call
            os.kill(pid, signal.SIGKILL)
        doomed.wait()
    demo_server.latency = 0.0

    started = time.monotonic()
    rescuer = start_flask("worker", log=tmp_path / "rescuer.log")
    try:
        def all_final():
            with app.app_context():
                return all(l.status != "checking" for l in db.session.scalars(db.select(Lead)))

        assert wait_for(all_final, 150, step=1), (tmp_path / "rescuer.log").read_text()[-3000:]
        took = time.monotonic() - started
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=30)
    assert took <= 120, f"took {took:.0f} s"
    with app.app_context():
        statuses = {l.phone: l.status for l in db.session.scalars(db.select(Lead))}
    assert statuses == {"2025550142": "available", "2025550144": "available", "2025550143": "unavailable"}


def test_a_batch_whose_worker_is_killed_adds_up_and_spends_no_call_twice(app, user, demo_line, demo_server,
                                                                       tmp_path):
    import lead_checks
    import lead_store
    from models import CheckBatch, User, Workspace

    demo_server.latency = 4.0
    # Five addresses, one of them shared by two leads.
    rows = [{"phone": "2025550142"}, {"phone": "2025550143"}, {"phone": "2025550144"},
            {"phone": "2025550145"}, {"email": "shared@example.com"}, {"email": "shared@example.com"}]
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        ids = [lead_store.create_lead(workspace, row)[0].id for row in rows]
        batch_id = lead_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids)).id
    doomed = start_flask("worker", log=tmp_path / "doomed.log")
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 1, 30), "the first worker never called the line"
    finally:
        for pid in process_tree(doomed.pid):
            os.kill(pid, signal.SIGKILL)
        doomed.wait()
    demo_server.latency = 0.0

    started = time.monotonic()
    rescuer = start_flask("worker", log=tmp_path / "rescuer.log")
    try:
        def all_final():
            with app.app_context():
                return not db.session.scalar(db.select(db.func.count(Lead.id)).where(
                    Lead.batch_id == batch_id, Lead.status == "checking"))

        assert wait_for(all_final, 150, step=1), (tmp_path / "rescuer.log").read_text()[-3000:]
        took = time.monotonic() - started
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=30)
    assert took <= 120, f"took {took:.0f} s"
    with app.app_context():
        progress = lead_checks.batch_progress(db.session.get(CheckBatch, batch_id))
        errors = [l.error for l in db.session.scalars(db.select(Lead).where(Lead.status == "error"))]
    assert not errors
    assert progress["done"] == progress["total"] == 6
    assert progress["available"] + progress["unavailable"] == 6
    # Five addresses: five calls, plus at most the one the killed worker never heard back from.
    assert 5 <= demo_server.stats["calls"] <= 6


def test_a_check_run_again_after_its_answer_was_written_changes_nothing(app, user, demo_line, demo_server):
    """RQ runs a job again when its worker died after the answer was written but before the job
    was recorded done: the second run must neither call a line nor write the lead again."""
    import lead_checks
    import lead_store
    from models import User, Workspace

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
