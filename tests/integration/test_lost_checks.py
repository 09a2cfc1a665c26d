"""Which checks Redis lost is told from the leads and the jobs it holds: a lead Checking for a
while with no job for its run gets one, as fresh as the check asked for; nothing else does."""

import pytest
from rq.job import Job

from extensions import db
from models import Lead, User, Workspace
from services import leads as lead_store
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.queue import check_queue, enqueue_check

pytestmark = pytest.mark.integration


def _drop_jobs_of(queue, lead_id: int) -> None:
    """As Redis restarted without them would: the lead's jobs are gone."""
    for job_id in queue.get_job_ids():
        if job_id.startswith(f"check_{lead_id}_"):
            queue.remove(job_id)
            Job.fetch(job_id, connection=queue.connection).delete()


def _queued(queue) -> dict[int, tuple]:
    return {job.args[0]: (job.args[1], job.args[4]) for job in queue.get_jobs()}


def test_only_the_checks_redis_lost_are_queued_again(app, user, demo_line):
    app.config["CHECK_LOST_AFTER_SECONDS"] = 0
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        leads = [lead_store.create_lead(workspace, {"phone": f"20255501{n:02d}"})[0] for n in range(6)]
        waiting, lost, lost_fresh, unqueued, scheduled, other_run = leads
        queue = check_queue()
        for lead in (waiting, lost, lost_fresh, other_run):
            lead_checks.request_check(lead, fresh=lead is lost_fresh)
        _drop_jobs_of(queue, lost.id)
        _drop_jobs_of(queue, lost_fresh.id)
        # An older snapshot holds a job for another run of this lead: it would call no line.
        _drop_jobs_of(queue, other_run.id)
        enqueue_check(other_run.id, "older-run")
        # A batch still being queued: its leads have no jobs yet, and are not lost.
        batch = batch_checks.open_batch(workspace.id, "bulk")
        db.session.execute(db.update(Lead).where(Lead.id == unqueued.id).values(**batch_checks.checking_values(batch)))
        # A check waiting out a line's pace sits in the scheduled registry.
        lead_checks.request_check(scheduled)
        _drop_jobs_of(queue, scheduled.id)
        enqueue_check(scheduled.id, scheduled.check_run, delay=60)
        db.session.commit()
        runs = {lead.id: lead.check_run for lead in leads}

        assert batch_checks.requeue_lost_checks() == 3
        queued = _queued(queue)
        assert queued[lost.id] == (runs[lost.id], False)
        assert queued[lost_fresh.id] == (runs[lost_fresh.id], True), "a re-check asked for stays fresh"
        assert queued[other_run.id] == (runs[other_run.id], False)
        assert unqueued.id not in queued and scheduled.id not in queued
        assert batch_checks.requeue_lost_checks() == 0, "queued once"

        # Only after the grace: a check just asked for may not have its job yet.
        app.config["CHECK_LOST_AFTER_SECONDS"] = 3600
        _drop_jobs_of(queue, lost.id)
        assert batch_checks.requeue_lost_checks() == 0


def test_a_batch_is_left_alone_while_it_is_queued_and_an_import_redis_lost_is_queued_again(app, user, demo_line):
    """An upload's batch waits for its import; if Redis lost the import job, the import is queued
    again (it resumes, then queues the checks). A bulk batch its process never finished queueing
    is lost after BATCH_QUEUEING_SECONDS."""
    from datetime import timedelta

    from models import CheckBatch, Upload, utcnow
    from services.imports import uploads

    app.config["CHECK_LOST_AFTER_SECONDS"] = 0
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        imported, dropped = (lead_store.create_lead(workspace, {"phone": f"20255502{n:02d}"})[0] for n in range(2))
        upload_batch = batch_checks.open_batch(workspace.id, "upload")
        upload = Upload(
            workspace_id=workspace.id,
            filename="a.csv",
            stored_name="x",
            kind="csv",
            state="importing",
            batch_id=upload_batch.id,
        )
        db.session.add(upload)
        db.session.flush()
        bulk = batch_checks.open_batch(workspace.id, "bulk")
        for lead, batch in ((imported, upload_batch), (dropped, bulk)):
            db.session.execute(db.update(Lead).where(Lead.id == lead.id).values(**batch_checks.checking_values(batch)))
        db.session.commit()
        queue = check_queue()

        # Its import job is gone (Redis restarted): it is queued again, its batch's lead waits for it.
        assert uploads.requeue_lost_imports() == 1
        assert [job.args for job in queue.get_jobs()] == [(upload.id,)]
        assert uploads.requeue_lost_imports() == 0, "queued once"
        assert batch_checks.requeue_lost_checks() == 0, "a bulk batch queued minutes ago may still be queueing"

        bulk.created_at = utcnow() - timedelta(seconds=batch_checks.BATCH_QUEUEING_SECONDS + 1)
        upload_batch.created_at = bulk.created_at
        db.session.commit()
        assert batch_checks.requeue_lost_checks() == 1
        assert {job.args[0] for job in queue.get_jobs()} == {upload.id, dropped.id}
        assert db.session.get(CheckBatch, upload_batch.id).queued_at is None
