"""The API's JSON for a lead and an upload, shared by its answers and the webhooks' payloads."""

from availability.fields import FIELDS, LEAD_FIELDS
from availability.statuses import LeadStatus
from models import Lead, Upload
from services.imports.uploads import report


def answer(status: str) -> bool | None:
    """True or false only for an answer; None (JSON null) while it is pending or failed: a client
    must never read a check that could not tell as "not on iMessage"."""
    return {LeadStatus.AVAILABLE: True, LeadStatus.UNAVAILABLE: False}.get(status)


def lead_json(lead: Lead) -> dict:
    body = {"id": str(lead.id)}
    body.update({field.json: getattr(lead, field.key) for field in LEAD_FIELDS})
    body.update(
        status=lead.status,
        available=answer(lead.status),
        availableAddress=lead.available_address,
        checkedAt=lead.checked_at.isoformat() + "Z" if lead.checked_at else None,
        error=lead.error,
        invalidAddresses=[FIELDS[v.field].json for v in lead.address_fields() if v.invalid],
    )
    return body


def upload_json(upload: Upload) -> dict:
    return dict(
        uploadId=str(upload.id),
        state=upload.state,
        filename=upload.filename,
        rowsTotal=upload.rows_total,
        rowsDone=upload.rows_done,
        report=report(upload),
        error=upload.error,
        batchId=str(upload.batch_id) if upload.batch_id else None,
    )
