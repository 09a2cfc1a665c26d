"""Editing and deleting leads, from the lead's page, the leads table and the API: the rules of a
new lead (services/leads.py), and a changed address checked again."""

from dataclasses import dataclass

from redis import RedisError

from availability.addresses import FieldValue
from availability.fields import ADDRESS_FIELDS, FIELDS, NAME_FIELDS
from availability.statuses import LeadStatus
from extensions import db
from models import Lead, Workspace
from services.checks import lead as lead_checks
from services.leads import read_lead
from services.queue import BackgroundUnavailable, drop_queued_checks


@dataclass
class Edited:
    read: list[FieldValue]  # the addresses as read, for warnings about invalid ones
    rechecked: bool  # an address changed: the answer was cleared and a check asked for
    message: str | None = None  # why that check could not start (the lead stays Not checked)


def edit_lead(workspace: Workspace, lead: Lead, data: dict) -> Edited:
    """Change the fields `data` names (keys of the fields table; the others keep theirs) by the
    rules of a new lead, and commit. An address left as typed keeps its normal form (also a line's
    word that it is invalid). When the addresses to check change, the lead's answer goes (it was
    about other addresses) and it is checked again, as a new lead is; a check in flight is
    superseded by the new run. Raises as read_lead, before anything changes."""
    stored = {field: getattr(lead, field) or "" for field in FIELDS}
    values, read = read_lead({**stored, **{k: v for k, v in data.items() if k in FIELDS}}, workspace.default_region)
    before = [getattr(lead, f"{field}_norm") for field, _ in ADDRESS_FIELDS]
    for field in NAME_FIELDS:
        setattr(lead, field, values[field])
    for value in read:
        if value.raw != stored[value.field]:
            setattr(lead, value.field, value.raw)
            setattr(lead, f"{value.field}_norm", value.normalised)
    lead.index_for_search()
    changed = [getattr(lead, f"{field}_norm") for field, _ in ADDRESS_FIELDS] != before
    superseded = (lead.id, lead.check_run) if lead.status == LeadStatus.CHECKING and lead.check_run else None
    if changed:
        lead.status, lead.status_before_check = LeadStatus.NOT_CHECKED, None
        lead.available_address = lead.checked_at = lead.error = None
        lead.check_run = lead.check_started_at = None
    db.session.commit()
    if not changed:
        return Edited(read, False)
    if superseded:
        _drop_queued([superseded])
    try:
        lead_checks.request_check(lead)
    except BackgroundUnavailable as exc:
        return Edited(read, True, str(exc))
    return Edited(read, True)


def delete_leads(workspace_id: int, which) -> int:
    """Delete the workspace's leads meeting the SQL condition `which`, with their logs of sent
    messages (the foreign key cascades); the tally follows by its triggers. Their queued checks
    leave the queue; a check a worker holds already finds no lead and does nothing (run_check).
    Returns how many were deleted."""
    scope = db.and_(Lead.workspace_id == workspace_id, which)
    waiting = db.session.execute(
        db.select(Lead.id, Lead.check_run).where(scope, Lead.status == LeadStatus.CHECKING)
    ).all()
    deleted = db.session.execute(db.delete(Lead).where(scope).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    _drop_queued([(lead_id, run) for lead_id, run in waiting if run])
    return deleted


def _drop_queued(checks: list[tuple[int, str]]) -> None:
    """Take checks no longer wanted out of the queue, so that those asked for next don't wait
    behind them. Only tidying: a job left (Redis away, a worker holds it) finds its run gone and
    does nothing."""
    try:
        drop_queued_checks(checks)
    except RedisError:
        pass
