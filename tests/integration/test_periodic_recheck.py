"""Periodic re-check and per-workspace answer reuse, with real workers against the demo line."""

from datetime import timedelta

import pytest

from extensions import db
from models import AddressResult, CheckBatch, Lead, User, utcnow
from services import leads as lead_store
from services.checks.rechecks import start_due_rechecks

pytestmark = pytest.mark.integration


def answered_lead(workspace, phone, days_ago, status="available"):
    """A lead (and its address's cached answer) last checked `days_ago`."""
    lead, _ = lead_store.create_lead(workspace, {"phone": phone})
    when = utcnow() - timedelta(days=days_ago)
    lead.status, lead.checked_at = status, when
    db.session.add(AddressResult(workspace_id=workspace.id, address=lead.phone_norm, result=status, checked_at=when))
    db.session.commit()
    return lead.id


def test_leads_older_than_the_period_are_asked_again(app, user, demo_line, demo_server, run_worker):
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        workspace.recheck_every = "weekly"
        stale = answered_lead(workspace, "2025550142", days_ago=8)  # answer still within 30 days
        recent = answered_lead(workspace, "2025550144", days_ago=2)
        [batch] = start_due_rechecks()
        assert (batch.kind, batch.total, batch.fresh) == ("periodic", 1, True)
        assert start_due_rechecks() == []  # running it again finds nothing new
    run_worker()
    with app.app_context():
        lead = db.session.get(Lead, stale)
        assert lead.status == "available" and utcnow() - lead.checked_at < timedelta(minutes=1)
        assert db.session.get(Lead, recent).checked_at < utcnow() - timedelta(days=1)
    assert demo_server.stats["calls"] == 1  # the old answer was not reused


def test_the_workers_start_the_recheck_on_their_own(app, user, demo_line, demo_server, run_worker):
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        workspace.recheck_every = "monthly"
        stale = answered_lead(workspace, "2025550143", days_ago=31, status="unavailable")
        answered_lead(workspace, "2025550145", days_ago=20, status="unavailable")
    run_worker()  # its maintenance queues the sweep, which queues the check
    with app.app_context():
        assert db.session.scalar(db.select(CheckBatch.kind)) == "periodic"
        assert db.session.get(Lead, stale).checked_at > utcnow() - timedelta(minutes=1)
    assert demo_server.stats["calls"] == 1
    run_worker()  # within the sweep period: no second sweep
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckBatch.id))) == 1


def test_no_recheck_when_it_is_off_or_there_is_no_line(app, user):
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        lead = answered_lead(workspace, "2025550142", days_ago=400)
        assert start_due_rechecks() == []
        workspace.recheck_every = "weekly"
        db.session.commit()
        assert start_due_rechecks() == []  # no line: the answer stays, not "No Active Line"
        assert db.session.get(Lead, lead).status == "available"


def test_a_workspace_can_reuse_answers_for_less_time(app, logged_in, user, demo_line, demo_server, run_worker):
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        workspace.cache_unavailable_days = 0
        db.session.commit()
        for _ in range(2):
            assert logged_in.post("/leads/", data={"phone": "202-555-0143"}).status_code == 302
            run_worker()
    assert demo_server.stats["calls"] == 2  # 0 days: the second lead's number was asked again
