"""The periodic re-check (the spec's best practice): in each workspace that asks for it, leads whose
answer is older than a week or a month are checked again, as one batch through the same pacing."""

from datetime import timedelta

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, Workspace, utcnow
from services.checks import batches as batch_checks
from services.lines import has_line_switched_on

PERIODS = {"off": None, "weekly": timedelta(days=7), "monthly": timedelta(days=30)}
# Answers that can go stale; No Active Line is re-checked when a line appears, Not checked never was.
RECHECKED = (LeadStatus.AVAILABLE, LeadStatus.UNAVAILABLE, LeadStatus.ERROR)


def due(period: timedelta):
    """The SQL condition for leads whose last answer is older than `period`."""
    return db.and_(Lead.status.in_(RECHECKED), Lead.checked_at < utcnow() - period)


def start_due_rechecks() -> list[CheckBatch]:
    """Start one fresh batch per workspace with leads due; safe to run twice (due leads are
    Checking after the first run, so the second finds none)."""
    workspaces = db.session.scalars(db.select(Workspace).where(Workspace.recheck_every != "off")).all()
    batches = []
    for workspace in workspaces:
        period = PERIODS.get(workspace.recheck_every)
        # Without a line the answers stay as they are (not turned into No Active Line).
        if period and has_line_switched_on(workspace.id):
            batch = batch_checks.start_batch(workspace.id, "periodic", due(period), fresh=True)
            if batch:
                batches.append(batch)
    return batches
