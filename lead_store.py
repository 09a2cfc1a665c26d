"""Creating leads, shared by the add-lead form, the API and (later) imports."""
from availability.addresses import ADDRESS_FIELDS, FieldValue
from extensions import db
from models import Lead, Workspace

NAME_FIELDS = ("first_name", "last_name", "company")


class NoAddress(ValueError):
    pass


def create_lead(workspace: Workspace, data: dict) -> tuple[Lead, list[FieldValue]]:
    """Add a lead with every address kept as typed; invalid ones are marked, not dropped.
    Commits, so the new lead has an id for its check."""
    if not any((data.get(field) or "").strip() for field, _ in ADDRESS_FIELDS):
        raise NoAddress("A lead needs at least one phone number or email address.")
    lead = Lead(workspace_id=workspace.id)
    for field in NAME_FIELDS:
        setattr(lead, field, (data.get(field) or "").strip()[:200])
    read = lead.set_addresses(data, workspace.default_region)
    db.session.add(lead)
    db.session.commit()
    return lead, read
