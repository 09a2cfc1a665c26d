"""The JSON API, authenticated with bearer tokens. Errors are always {"success": false, ...}."""
from flask import Blueprint, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

import api_tokens
import lead_checks
from availability.addresses import ADDRESS_FIELDS
from blueprints.scoping import owned_or_404
from extensions import db
from lead_store import NAME_FIELDS, NoAddress, create_lead
from imports import uploads
from imports.reader import ImportFileError
from models import Lead, Upload, Workspace

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_LEADS_PER_REQUEST = 1000

# The API's camelCase names for the lead fields.
JSON_NAMES = {
    "first_name": "firstName", "last_name": "lastName", "company": "company",
    "phone": "phone", "email": "email",
    "alt_phone1": "altPhone1", "alt_phone2": "altPhone2", "alt_phone3": "altPhone3",
    "alt_email1": "altEmail1", "alt_email2": "altEmail2", "alt_email3": "altEmail3",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def error(status: int, message: str):
    return jsonify(success=False, error=message, code=status), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error(exc.status, exc.message)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
    return error(exc.code or 500, messages.get(exc.code, exc.description or exc.name))


@bp.app_errorhandler(404)
def _not_found(exc):
    # Unknown URLs under /api/ never reach the blueprint's handlers; answer them in JSON too.
    return error(404, "Not found") if request.path.startswith("/api/") else exc


@bp.before_request
def _authenticate():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    workspace_id = api_tokens.workspace_for(token.strip()) if scheme.lower() == "bearer" and token else None
    if workspace_id is None:
        raise ApiError(401, "Unauthorized: missing or invalid API token")
    g.workspace_id = workspace_id


def lead_json(lead: Lead) -> dict:
    body = {"id": str(lead.id)}
    body.update({JSON_NAMES[f]: getattr(lead, f) for f in NAME_FIELDS})
    body.update({JSON_NAMES[f]: getattr(lead, f) for f, _ in ADDRESS_FIELDS})
    body.update(
        status=lead.status,
        available={"available": True, "unavailable": False}.get(lead.status),
        availableAddress=lead.available_address,
        checkedAt=lead.checked_at.isoformat() + "Z" if lead.checked_at else None,
        error=lead.error,
        invalidAddresses=[JSON_NAMES[v.field] for v in lead.address_fields() if v.invalid],
    )
    return body


@bp.post("/leads")
def create_leads():
    body = request.get_json(silent=True)
    items = body.get("leads") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise ApiError(400, 'Send a JSON body like {"leads": [{"phone": "+12025550143"}]}')
    if len(items) > MAX_LEADS_PER_REQUEST:
        raise ApiError(400, f"At most {MAX_LEADS_PER_REQUEST} leads per request")
    workspace = db.session.get(Workspace, g.workspace_id)
    created, problems = [], []
    for index, item in enumerate(items):
        data, problem = _lead_fields(item)
        if problem is None:
            try:
                created.append(create_lead(workspace, data)[0])
            except NoAddress as exc:
                problem = str(exc)
        if problem:
            problems.append({"index": index, "error": problem})
    if not created:
        return jsonify(success=False, error="No lead was created", code=400, errors=problems), 400
    for lead in created:
        try:
            lead_checks.request_check(lead)
        except lead_checks.BackgroundUnavailable:
            break  # the leads are saved; they stay Not checked until background work is back
    return jsonify(success=True, created=len(created), leadIds=[str(l.id) for l in created],
                   errors=problems), 201


def _lead_fields(item) -> tuple[dict, str | None]:
    if not isinstance(item, dict):
        return {}, "Each lead must be a JSON object"
    data = {}
    for field, name in JSON_NAMES.items():
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            return {}, f"{name} must be a string"
        data[field] = value or ""
    return data, None


@bp.get("/leads/<int:lead_id>")
def get_lead(lead_id: int):
    lead = owned_or_404(Lead, lead_id, g.workspace_id)
    return jsonify(success=True, lead=lead_json(lead))


@bp.post("/leads/import")
def import_leads():
    """Upload a spreadsheet; columns are matched automatically and the import runs in the background."""
    try:
        upload, _ = uploads.receive(g.workspace_id, request.files.get("file"))
        uploads.start(upload, upload.mapping)
    except ImportFileError as exc:
        raise ApiError(400, str(exc)) from None
    status_url = url_for("api.upload_status", upload_id=upload.id)
    return jsonify(success=True, uploadId=str(upload.id), statusUrl=status_url), 202


@bp.get("/uploads/<int:upload_id>")
def upload_status(upload_id: int):
    upload = owned_or_404(Upload, upload_id, g.workspace_id)
    return jsonify(
        success=True, uploadId=str(upload.id), state=upload.state, filename=upload.filename,
        rowsTotal=upload.rows_total, rowsDone=upload.rows_done, report=uploads.report(upload),
        error=upload.error, batchId=str(upload.batch_id) if upload.batch_id else None,
    )
