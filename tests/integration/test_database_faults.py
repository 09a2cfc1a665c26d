"""The database away for a moment in the middle of a batch: the checks that failed are run again
after a pause, and every lead still gets its answer."""

import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from extensions import db
from models import CheckBatch, Lead, User, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import progress as batch_progress
from support import nothing_checking, start_flask, wait_for

pytestmark = pytest.mark.integration


@contextmanager
def sqlite_locked(path: str, seconds: float):
    """Hold the write lock longer than the app's busy timeout: every write fails meanwhile."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
        time.sleep(seconds)
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@contextmanager
def postgres_away(url, seconds: float):
    """Refuse new connections to the database and cut the open ones, then let them back."""
    name = url.database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        try:
            yield
            time.sleep(seconds)
        finally:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()


def test_a_batch_survives_the_database_going_away_for_a_moment(app, user, demo_line, demo_server, tmp_path):
    demo_server.latency = 0.3
    phones = [f"20255502{n:02d}" for n in range(12)]
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        ids = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in phones]
        batch_id = batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids)).id
        url = make_url(str(db.engine.url))
        db.engine.dispose()

    worker = start_flask("worker", log=tmp_path / "worker.log")
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 2, 30), (tmp_path / "worker.log").read_text()
        if url.get_backend_name() == "sqlite":
            outage = sqlite_locked(url.database, 18)  # the app waits 15 s for a lock, then fails
        else:
            outage = postgres_away(url, 8)
        with outage:
            calls_at_outage = demo_server.stats["calls"]
        with app.app_context():
            db.engine.dispose()  # this process's connections were cut too

        assert wait_for(nothing_checking(app, batch_id), 150, step=1), (tmp_path / "worker.log").read_text()[-4000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    log = (tmp_path / "worker.log").read_text()
    assert "OperationalError" in log, "the outage never reached the worker: the test proved nothing"
    with app.app_context():
        leads = db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id)).all()
        expected = {phone: "available" if int(phone[-1]) % 2 == 0 else "unavailable" for phone in phones}
        assert {lead.phone: lead.status for lead in leads} == expected
        progress = batch_progress.batch_progress(db.session.get(CheckBatch, batch_id))
    assert progress["done"] == progress["total"] == len(phones)
    assert calls_at_outage < len(phones), "the batch was over before the outage"
