"""A line misbehaving in every way LINE_APIS.md §4 knows ends each lead in the right state, never
"unavailable" for want of an answer, and the rest of the batch goes on. Real worker, real HTTP."""

import time

import pytest

from extensions import db
from faulty_line import GARBAGE, PASSWORD, RESET, SERVER_ERROR, STORM, TIMEOUT, TRICKLE
from models import CheckBatch, Lead, Line, User, Workspace
from services import leads as lead_store
from services import line_admin
from services.checks import batches as batch_checks
from services.checks import progress as batch_progress
from support import add_demo_line, free_port, start_flask, wait_for, work_until_final

pytestmark = pytest.mark.integration

# Short enough for the test, long enough to tell the faults apart.
WORKER_ENV = {
    "LINE_CONNECT_TIMEOUT": "1",
    "LINE_READ_TIMEOUT": "1",
    "LINE_DEADLINE": "2",
    "CHECK_RETRY_DELAYS": "0.5,0.5",
}


def workspace_of(user_id):
    return db.session.get(Workspace, db.session.get(User, user_id).workspace_id)


def batch_of(workspace, phones):
    ids = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in phones]
    return batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids))


def run_until_final(app, batch_id, tmp_path):
    work_until_final(app, batch_id, tmp_path / "worker.log", 90, env=WORKER_ENV)
    with app.app_context():
        return {lead.phone: lead for lead in db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id))}


def test_each_line_fault_ends_in_the_right_state_and_the_batch_goes_on(app, user, faulty, tmp_path):
    with app.app_context():
        workspace = workspace_of(user)
        line_id = line_admin.add_line(
            workspace.id, name="Flaky Mac", provider="bluebubbles", url=faulty.url, secret=PASSWORD, rate_per_minute=600
        ).id
        phones = ["2025550142", "2025550143"] + [
            f"202555{fault}" for fault in (TIMEOUT, SERVER_ERROR, GARBAGE, TRICKLE, RESET, STORM)
        ]
        batch_id = batch_of(workspace, phones).id

    leads = run_until_final(app, batch_id, tmp_path)

    states = {phone: lead.status for phone, lead in leads.items()}
    assert states == {
        "2025550142": "available",
        "2025550143": "unavailable",
        # Could not tell, asked three times in all, then Error (never Unavailable).
        f"202555{SERVER_ERROR}": "error",
        f"202555{GARBAGE}": "error",
        f"202555{TRICKLE}": "error",
        f"202555{RESET}": "error",
        # Answered after the worker stopped waiting: the late answer is kept, not asked for again.
        f"202555{TIMEOUT}": "available",
        # A 429 storm only delays: the answer comes once the line lets us in.
        f"202555{STORM}": "available",
    }
    assert "did not answer within 2 s" in leads[f"202555{TRICKLE}"].error
    assert "server error 500" in leads[f"202555{SERVER_ERROR}"].error
    # The upstream page is never shown as it came.
    assert not any(word in leads[f"202555{SERVER_ERROR}"].error for word in ("<", "script", "Traceback"))
    for fault in (SERVER_ERROR, GARBAGE, TRICKLE, RESET):
        assert faulty.calls.count(f"+1202555{fault}") == 3, fault
    assert faulty.calls.count(f"+1202555{TIMEOUT}") == 1
    with app.app_context():
        assert db.session.get(Line, line_id).status == "active", "none of these says the line is broken"
        progress = batch_progress.batch_progress(db.session.get(CheckBatch, batch_id))
    assert progress["done"] == progress["total"] == len(phones)
    assert (progress["available"], progress["unavailable"], progress["error"]) == (3, 1, 4)


def test_a_line_refusing_our_credentials_or_our_connection_hands_its_work_to_a_healthy_line(
    app, user, faulty, demo_server, tmp_path
):
    refused_url = f"http://127.0.0.1:{free_port()}"  # nobody listens there: every connection is refused
    with app.app_context():
        workspace = workspace_of(user)
        wrong = line_admin.add_line(
            workspace.id,
            name="Wrong password",
            provider="bluebubbles",
            url=faulty.url,
            secret="wrong",
            rate_per_minute=600,
        ).id
        down = line_admin.add_line(
            workspace.id,
            name="Mac is off",
            provider="bluebubbles",
            url=refused_url,
            secret=PASSWORD,
            rate_per_minute=600,
        ).id
        add_demo_line(workspace.id, demo_server.url, 600)
        phones = ["2025550142", "2025550143", "2025550144", "2025550145"]
        batch_id = batch_of(workspace, phones).id

    leads = run_until_final(app, batch_id, tmp_path)

    assert {phone: lead.status for phone, lead in leads.items()} == {
        "2025550142": "available",
        "2025550143": "unavailable",
        "2025550144": "available",
        "2025550145": "unavailable",
    }
    with app.app_context():
        wrong_line, down_line = db.session.get(Line, wrong), db.session.get(Line, down)
        assert wrong_line.status == "unhealthy" and "authentication failed" in wrong_line.health_reason
        assert down_line.status == "active", "a line that can't be reached for a moment is not broken"


def test_with_no_healthy_line_left_leads_wait_instead_of_failing(app, user, faulty, tmp_path):
    with app.app_context():
        workspace = workspace_of(user)
        line_id = line_admin.add_line(
            workspace.id,
            name="Wrong password",
            provider="bluebubbles",
            url=faulty.url,
            secret="wrong",
            rate_per_minute=600,
        ).id
        batch_id = batch_of(workspace, ["2025550142", "2025550143"]).id
    worker = start_flask("worker", log=tmp_path / "worker.log", env=WORKER_ENV)
    try:

        def line_marked():
            with app.app_context():
                return db.session.get(Line, line_id).status == "unhealthy"

        assert wait_for(line_marked, 30)
        time.sleep(2)
        with app.app_context():
            leads = db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id)).all()
            assert {lead.status for lead in leads} == {"checking"}
            assert all("no healthy line" in lead.error for lead in leads)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(faulty.calls) == 1, "a line that refused our credentials is not asked again"
