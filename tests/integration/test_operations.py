"""The Operations page: the queue, live workers, each line's health and pace, and the workspace's
own failed jobs, which can be run again."""

import os
import re
import signal
import socket
import time

import pytest
from rq import Worker

from cli import create_user
from extensions import db
from models import Lead, Line, User, Workspace
from services import leads as lead_store
from services import operations
from services.lines import pacer
from services.queue import check_queue
from support import failed_check_of, process_tree, start_flask, stop, wait_for, work_until_final

pytestmark = pytest.mark.integration


def test_the_page_shows_workers_by_host_and_age_queue_and_line_pace(app, logged_in, user, demo_line, tmp_path):
    with app.app_context():
        line = db.session.get(Line, demo_line)
        line.daily_cap = 70
        db.session.commit()
    worker = start_flask("worker", log=tmp_path / "worker.log")
    try:
        assert wait_for(lambda: f"pid {worker.pid}" in logged_in.get("/operations/live").get_data(as_text=True), 60)
        time.sleep(1.2)  # old enough to have an age
        page = logged_in.get("/operations/").get_data(as_text=True)
        with app.app_context():
            (registered,) = Worker.all(queue=check_queue(app))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    row = re.search(r'<tr data-host="([^"]+)" data-pid="(\d+)" data-alive="1" data-size="1">(.*?)</tr>', page, re.S)
    assert row, page
    host, pid, cells = row.groups()
    # A worker is told by where it runs and how long it has: RQ's random hex name is no use to anyone.
    assert host == socket.gethostname() and int(pid) == worker.pid
    assert f'<strong>{host}</strong> <span class="muted">· pid {worker.pid}</span>' in cells
    assert re.search(r">up \d+ s</time>", cells) and re.search(r">(just now|\d+ s ago)</time>", cells)
    assert re.search(r'<span class="chip chip-(idle|busy|started)">', cells)
    assert registered.name not in page
    assert "Demo" in page and "120 checks/min" in page and "0 of 70" in page
    assert re.search(r'<dl class="stats" id="queue-counts">.*<dt>Waiting</dt><dd>0</dd>', page, re.S)


def test_workers_are_shown_by_command_and_a_killed_process_until_it_is_replaced(app, tmp_path):
    pool = start_flask("worker", "--concurrency", "2", log=tmp_path / "pool.log")
    plain = start_flask("worker", log=tmp_path / "plain.log")

    def commands():
        with app.app_context():
            return {command.pid: command for command in operations.workers()}

    def counts():
        return {pid: (command.alive, command.size) for pid, command in commands().items()}

    def logs():
        return (tmp_path / "pool.log").read_text()[-3000:] + (tmp_path / "plain.log").read_text()[-3000:]

    try:
        # Two commands, of 2 processes and of 1, each told by its host and its own pid.
        assert wait_for(lambda: counts() == {pool.pid: (2, 2), plain.pid: (1, 1)}, 60), (counts(), logs())
        shown = commands()
        assert {command.host for command in shown.values()} == {socket.gethostname()}
        children = [process.pid for process in shown[pool.pid].processes]
        assert set(children) <= set(process_tree(pool.pid)[1:]) and pool.pid not in children
        assert [process.pid for process in shown[plain.pid].processes] == [plain.pid]

        # A killed process: the command is short of one at once, whole again once it is replaced.
        os.kill(children[0], signal.SIGKILL)
        assert wait_for(lambda: counts()[pool.pid] == (1, 2), 10, step=0.05), (counts(), logs())
        assert commands()[pool.pid].missing == 1
        assert wait_for(lambda: counts() == {pool.pid: (2, 2), plain.pid: (1, 1)}, 30), (counts(), logs())
        now = {process.pid for process in commands()[pool.pid].processes}
        assert children[0] not in now and children[1] in now
    finally:
        stop(pool, plain)
    assert wait_for(lambda: counts() == {}, 10), counts()


def test_the_page_polls_its_live_part_while_its_tab_is_visible(app, logged_in, client):
    page = logged_in.get("/operations/").get_data(as_text=True)
    poller = re.search(r'<div id="operations-live"([^>]*)>', page).group(1)
    assert 'hx-get="/operations/live"' in poller and 'hx-swap="innerHTML"' in poller
    assert 'hx-trigger="every 5s, visibilitychange from:document"' in poller and "data-pause-when-hidden" in poller
    live = logged_in.get("/operations/live")
    fragment = live.get_data(as_text=True)
    assert live.status_code == 200 and "<html" not in fragment and 'id="operations-live"' not in fragment
    assert 'id="queue-counts"' in fragment and 'id="workers"' in fragment and 'id="line-paces"' in fragment
    logged_in.post("/logout")
    assert client.get("/operations/live").status_code == 302


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
