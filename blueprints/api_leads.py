"""The API's lead list, edit and delete: views of the API blueprint (app.py imports this module
before registering it), under its token check and JSON errors."""

import base64
import binascii
from datetime import UTC, datetime

from flask import Response, g, jsonify, request

from availability.fields import BY_JSON
from availability.statuses import LeadStatus
from blueprints.api import bp, invalid_fields, lead_json
from blueprints.api_errors import ApiError, json_body
from blueprints.scoping import MAX_ID, owned_or_404
from extensions import db
from models import Lead, Workspace
from services import lead_edits
from services import leads as lead_store

DEFAULT_LIMIT, MAX_LIMIT = 50, 500
PATCH_EXAMPLE = '{"firstName": "Ada", "phone": "+12025550143"}'


@bp.get("/leads")
def list_leads():
    """The workspace's leads, newest first, a page at a time: follow nextCursor until it is null."""
    limit = _limit(request.args.get("limit"))
    status = request.args.get("status")
    if status is not None and status not in LeadStatus.__members__.values():
        raise ApiError(400, f"status must be one of: {', '.join(LeadStatus)}")
    leads, more = lead_store.leads_after(
        g.workspace_id,
        status=status,
        updated_since=_since(request.args.get("updatedSince")),
        before_id=_cursor(request.args.get("cursor")),
        limit=limit,
    )
    cursor = _encode_cursor(leads[-1].id) if more else None
    return jsonify(success=True, leads=[lead_json(lead) for lead in leads], nextCursor=cursor)


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= MAX_LIMIT):
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _since(raw: str | None) -> datetime | None:
    """An ISO-8601 time; one without a zone is read as UTC. Naive UTC, as the database keeps it."""
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw.strip())
        # (0001-01-01T00:00+01:00 is before year 1 in UTC: OverflowError)
        return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    except (ValueError, OverflowError):
        raise ApiError(400, "updatedSince must be an ISO-8601 time, like 2026-12-01T18:00:00Z") from None


# The cursor names the last lead of a page; opaque, so that how pages are cut may change.
_CURSOR_PREFIX = "lead:"


def _encode_cursor(lead_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{lead_id}".encode()).decode().rstrip("=")


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, ValueError):  # not base64, not ASCII, not UTF-8
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not (text.startswith(_CURSOR_PREFIX) and number.isascii() and number.isdigit() and len(number) <= 10):
        raise ApiError(400, "cursor must be a nextCursor this API returned")
    return min(int(number), MAX_ID + 1)


@bp.patch("/leads/<int:lead_id>")
def patch_lead(lead_id: int):
    """Change the fields sent (the others keep theirs), by the rules of a new lead; a changed
    address clears the lead's answer and checks it again."""
    lead = owned_or_404(Lead, lead_id, g.workspace_id)
    body = json_body(PATCH_EXAMPLE)
    if not isinstance(body, dict):
        raise ApiError(400, f"Send a JSON object like {PATCH_EXAMPLE}")
    unknown = sorted(set(body) - BY_JSON.keys())
    if unknown:
        raise ApiError(400, f"Unknown fields: {', '.join(name[:40] for name in unknown[:10])}")
    data = {}
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise ApiError(400, f"{name} must be a string (or null, to empty it)")
        data[BY_JSON[name].key] = value or ""
    try:
        edited = lead_edits.edit_lead(db.session.get(Workspace, g.workspace_id), lead, data)
    except lead_store.InvalidLead as exc:
        db.session.rollback()
        raise ApiError(400, invalid_fields(exc)) from None
    except lead_store.NoAddress as exc:
        db.session.rollback()
        raise ApiError(400, str(exc)) from None
    body = {"success": True, "lead": lead_json(lead), "rechecked": edited.rechecked}
    if edited.message:
        body["warning"] = f"Not checked again: {edited.message}"
    return jsonify(body)


@bp.delete("/leads/<int:lead_id>")
def delete_lead(lead_id: int):
    lead = owned_or_404(Lead, lead_id, g.workspace_id)
    lead_edits.delete_leads(g.workspace_id, Lead.id == lead.id)
    return Response(status=204)
