"""Redis going away: a batch survives a restart that wipes the queue, and while Redis is down the
app still shows its data and says plainly that background work is unavailable."""

import io
import time

import pytest

from extensions import db
from models import CheckBatch, Lead, Line, Upload, User, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.checks import progress as batch_progress
from services.queue import BackgroundUnavailable
from support import add_demo_line, free_port, nothing_checking, start_flask, wait_for

pytestmark = pytest.mark.integration


def test_a_batch_completes_across_a_redis_restart_that_lost_the_queue(
    app, user, demo_server, throwaway_redis, tmp_path
):
    from app import create_app

    demo_server.latency = 0.3
    phones = [f"20255501{n:02d}" for n in range(20)]
    on_throwaway = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url})
    with on_throwaway.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        add_demo_line(workspace.id, demo_server.url)
        ids = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in phones]
        batch_id = batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids)).id

    worker = start_flask("worker", log=tmp_path / "worker.log", env={"REDIS_URL": throwaway_redis.url})
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 3, 30), (tmp_path / "worker.log").read_text()
        throwaway_redis.kill()
        time.sleep(3)
        throwaway_redis.start()  # empty: the batch's queued jobs are gone

        assert wait_for(nothing_checking(app, batch_id), 120, step=1), (tmp_path / "worker.log").read_text()[-4000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    with on_throwaway.app_context():
        leads = db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id)).all()
        expected = {phone: "available" if int(phone[-1]) % 2 == 0 else "unavailable" for phone in phones}
        assert {lead.phone: lead.status for lead in leads} == expected
        progress = batch_progress.batch_progress(db.session.get(CheckBatch, batch_id))
    assert progress["done"] == progress["total"] == 20
    assert progress.get("available", 0) + progress.get("unavailable", 0) == 20
    log = (tmp_path / "worker.log").read_text()
    assert "Lost Redis or the database" in log and "Redis had lost" in log  # the worker outlived it, then re-queued
    # Each address asked once; at most the calls in flight when Redis died are asked again.
    assert 20 <= demo_server.stats["calls"] <= 22


@pytest.fixture
def redis_down(app, user, demo_line):
    """The app with its Redis gone (nothing listens on its port), signed in, with two leads."""
    from app import create_app
    from support import PASSWORD

    dead = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    with dead.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        for phone in ("2025550142", "2025550143"):
            lead_store.create_lead(workspace, {"phone": phone, "first_name": "Grace"})
    client = dead.test_client()
    assert client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 302
    return dead, client


BACKGROUND_DOWN = "Background work is unavailable"


def statuses(app):
    with app.app_context():
        return sorted(db.session.scalars(db.select(Lead.status)))


def test_with_redis_down_pages_render_from_the_database(redis_down, demo_line):
    app, client = redis_down
    with app.app_context():  # a batch was running, on a line with a daily cap (counted in Redis)
        db.session.get(Line, demo_line).daily_cap = 70
        lead = db.session.scalars(db.select(Lead)).first()
        batch = CheckBatch(workspace_id=lead.workspace_id, kind="bulk", total=1)
        db.session.add(batch)
        db.session.flush()
        lead.status, lead.batch_id, lead.check_run = "checking", batch.id, lead_checks.batch_run(batch.id)
        db.session.commit()
        lead_id, batch_id = lead.id, batch.id
    response = client.get(f"/leads/updates?lead={lead_id}:0&batch={batch_id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    for url in (
        "/leads/",
        "/leads/?status=not_checked&q=Grace",
        "/lines/",
        "/leads/import/",
        "/leads/quick-send/",
        "/settings/",
        "/settings/tokens/",
        "/leads/export.csv",
    ):
        response = client.get(url)
        # Read to the end: the export streams, and a stream left open holds its request's context
        # until garbage collection pops it, possibly in the middle of another test's context.
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Traceback" not in page, url
    assert b"Grace" in client.get("/leads/").data


def test_with_redis_down_actions_say_so_and_write_nothing_half_done(redis_down):
    app, client = redis_down
    with app.app_context():
        lead_id = db.session.scalar(db.select(Lead.id).limit(1))
    for url, data in (
        (f"/leads/{lead_id}/check", {}),
        ("/leads/bulk-check", {"lead_ids": [str(lead_id)]}),
        ("/leads/bulk-check", {"all_matching": "1"}),
    ):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data=data, headers=headers, follow_redirects=True)
            assert BACKGROUND_DOWN in response.get_data(as_text=True), (url, headers)
            assert "Traceback" not in response.get_data(as_text=True)
    assert statuses(app) == ["not_checked", "not_checked"], "no lead is left Checking with no job"
    # Adding a lead keeps the lead, and says its check has to wait.
    response = client.post("/leads/", data={"phone": "2025550144"}, follow_redirects=True)
    assert BACKGROUND_DOWN in response.get_data(as_text=True)
    assert statuses(app) == ["not_checked"] * 3
    response = client.post(
        "/leads/quick-send/check", data={"recipient": "+12025550146"}, headers={"HX-Request": "true"}
    )
    assert BACKGROUND_DOWN in response.get_data(as_text=True)
    # An import waits, with its file and mapping, for another try.
    response = client.post(
        "/leads/import/",
        data={"file": (io.BytesIO(b"Phone\n2025550150\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    response = client.post(f"/leads/import/{upload_id}", data={"column-0": "phone"}, follow_redirects=True)
    assert "Background work is unavailable" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Upload, upload_id).state == "mapping"
    assert statuses(app) == ["not_checked"] * 3


def test_with_redis_down_the_api_answers_503(redis_down, token):
    from support import auth

    app, client = redis_down
    with app.app_context():
        lead_id = db.session.scalar(db.select(Lead.id).limit(1))
    for method, url, body in (
        ("GET", f"/api/leads/check-availability?id={lead_id}", None),
        ("POST", "/api/leads/check-availability", {"leadIds": [lead_id]}),
        ("POST", "/api/leads/check-availability", {"address": "+12025550142"}),
    ):
        response = client.open(url, method=method, json=body, headers=auth(token))
        assert response.status_code == 503, (url, response.get_json())
        assert response.get_json()["success"] is False
        assert BACKGROUND_DOWN in response.get_json()["error"]
    assert statuses(app) == ["not_checked", "not_checked"]


def test_a_bulk_check_refused_for_want_of_redis_changes_no_lead(redis_down, token):
    """Answers the leads had stay: a refused bulk check (UI or API, selected or all matching) is
    as if it was never asked. Before the fix, 2,217 leads became Not checked in one click."""
    from support import auth

    app, client = redis_down
    with app.app_context():
        workspace = db.session.scalars(db.select(Workspace)).one()
        for n in range(30):
            lead_store.create_lead(workspace, {"phone": f"20255502{n:02d}"})
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        for lead, (status, error) in zip(
            leads,
            [("available", None), ("unavailable", None), ("error", "The line could not tell"), ("no_active_line", None)]
            * 8,
        ):
            lead.status, lead.error = status, error
        db.session.commit()
        ids = [lead.id for lead in leads]
        before = db.session.execute(db.select(Lead.id, Lead.status, Lead.error, Lead.check_run)).all()

    for data in ({"lead_ids": [str(i) for i in ids]}, {"all_matching": "1"}):
        response = client.post("/leads/bulk-check", data=data, follow_redirects=True)
        assert BACKGROUND_DOWN in response.get_data(as_text=True)
    response = client.post("/api/leads/check-availability", json={"leadIds": ids}, headers=auth(token))
    assert response.status_code == 503
    with app.app_context():
        assert db.session.execute(db.select(Lead.id, Lead.status, Lead.error, Lead.check_run)).all() == before
        assert db.session.scalar(db.select(db.func.count(CheckBatch.id))) == 0


def test_a_batch_whose_queueing_fails_gives_each_lead_back_what_it_showed(redis_down):
    """Redis lost between marking the leads and queueing their checks: each lead shows what it
    showed before, a lead that was Checking in another run included (never Checking with no run)."""
    app, _ = redis_down
    with app.app_context():
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        leads[0].status = "available"
        # The second lead is Checking in a run of its own.
        leads[1].status, leads[1].status_before_check, leads[1].check_run = "checking", "unavailable", "run-1"
        db.session.commit()
        batch = batch_checks.open_batch(leads[0].workspace_id, "bulk")
        db.session.execute(
            db.update(Lead).values(
                **batch_checks.checking_values(batch), status_before_check=batch_checks.status_before_check()
            )
        )
        db.session.commit()
        with pytest.raises(BackgroundUnavailable):
            batch_checks.queue_batch(batch)
        db.session.expire_all()
        assert [(lead.status, lead.check_run) for lead in db.session.scalars(db.select(Lead).order_by(Lead.id))] == [
            ("available", None),
            ("unavailable", None),
        ]


def test_with_redis_not_answering_the_api_says_so_within_seconds(app, user, demo_line, token):
    """A Redis that takes connections and never answers (a hung server, a dead host behind a
    load balancer): each command gives up after redis-py's default 5 s timeouts (the limit's count,
    then the check's), so a check is refused with a 503, not left hanging until gunicorn's kill."""
    import socket

    from app import create_app
    from support import auth

    silent = socket.create_server(("127.0.0.1", 0))  # the kernel accepts; nobody ever reads
    try:
        hung = create_app({"TESTING": True, "REDIS_URL": f"redis://127.0.0.1:{silent.getsockname()[1]}/0"})
        with hung.app_context():
            workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
            lead_id = lead_store.create_lead(workspace, {"phone": "2025550142"})[0].id
        started = time.monotonic()
        response = hung.test_client().post(
            "/api/leads/check-availability", json={"leadIds": [lead_id]}, headers=auth(token)
        )
        assert response.status_code == 503 and BACKGROUND_DOWN in response.get_json()["error"]
        assert time.monotonic() - started < 20
        assert statuses(hung) == ["not_checked"]
    finally:
        silent.close()
