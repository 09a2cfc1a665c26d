"""The Operations page: the queue, live workers, each line's health and pace, and the workspace's
own failed jobs, which can be run again."""

import re

import pytest

from cli import create_user
from extensions import db
from models import Lead, Line, User, Workspace
from services import leads as lead_store
from services.lines import pacer
from support import failed_check_of, start_flask, wait_for, work_until_final

pytestmark = pytest.mark.integration


def test_the_page_shows_workers_queue_and_line_pace(app, logged_in, user, demo_line, tmp_path):
    with app.app_context():
        line = db.session.get(Line, demo_line)
        line.daily_cap = 70
        db.session.commit()
    worker = start_flask("worker", log=tmp_path / "worker.log")
    try:
        assert wait_for(
            lambda: (
                "busy" in logged_in.get("/operations/").get_data(as_text=True)
                or "idle" in logged_in.get("/operations/").get_data(as_text=True)
            ),
            30,
        )
        page = logged_in.get("/operations/").get_data(as_text=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert re.search(r'<table class="compact" id="workers">', page)
    assert "Demo" in page and "120 checks/min" in page and "0 of 70" in page
    assert 'id="queue-counts"' in page


def test_a_line_the_provider_rate_limited_shows_its_pause(app, logged_in, demo_line):
    with app.app_context():
        pacer(db.session.get(Line, demo_line)).pause(90)
    page = logged_in.get("/operations/").get_data(as_text=True)
    assert re.search(r"paused (89|90) s", page)


def test_with_no_worker_the_page_says_so(logged_in):
    assert "No worker is running" in logged_in.get("/operations/").get_data(as_text=True)


def test_failed_jobs_are_listed_for_their_own_workspace_and_can_be_retried(app, logged_in, user, demo_line, tmp_path):
    with app.app_context():
        mine = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        lead = lead_store.create_lead(mine, {"phone": "2025550142"})[0]
        lead.status, lead.error = "error", "The check failed unexpectedly; try again"
        db.session.commit()
        theirs = create_user("eve@example.com", "another password").workspace
        their_lead = lead_store.create_lead(theirs, {"phone": "2025550144", "first_name": "Eve"})[0]
        my_job, their_job = failed_check_of(app, lead), failed_check_of(app, their_lead)
        lead_id = lead.id

    page = logged_in.get("/operations/").get_data(as_text=True)
    assert f"Check of lead {lead_id}" in page and "OperationalError: database is locked" in page
    assert their_job not in page and f"Check of lead {their_lead.id}" not in page
    assert logged_in.post(f"/operations/failed/{their_job}/retry").status_code == 404

    response = logged_in.post(f"/operations/failed/{my_job}/retry")
    assert response.status_code == 302
    assert "No failed jobs" in logged_in.get("/operations/").get_data(as_text=True)
    work_until_final(app, None, tmp_path / "worker.log", 60)
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "available"
