"""The JSON API, authenticated with bearer tokens. Errors are always {"success": false, ...}."""

import math

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from availability.addresses import InvalidAddress
from availability.fields import FIELDS, LEAD_FIELDS
from availability.outcomes import CheckResult, Outcome
from availability.statuses import LeadStatus
from blueprints import api_schema
from blueprints.api_errors import ApiError, api_error, http_error, id_text, json_body, options_in_json
from blueprints.api_idempotency import idempotent
from blueprints.api_limits import limit_api
from blueprints.scoping import as_id, owned_or_404
from extensions import db
from models import CheckBatch, Lead, Workspace
from services import quick_send
from services import tokens as api_tokens
from services.api_json import answer, lead_json
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.checks import progress as batch_progress
from services.leads import InvalidLead, NoAddress, insert_leads, lead_row
from services.lines import has_line_switched_on
from services.queue import BackgroundUnavailable

bp = Blueprint("api", __name__, url_prefix="/api")
limit_api(bp)  # first: its headers go on last, on whatever answer the handlers below made

MAX_LEADS_PER_REQUEST = 1000

bp.register_error_handler(ApiError, api_error)
bp.after_request(options_in_json)
# App-wide, for every path under /api: see api_errors.http_error.
bp.app_errorhandler(HTTPException)(http_error)


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return  # the description is public
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    workspace_id = api_tokens.workspace_for(token.strip()) if scheme.lower() == "bearer" and token else None
    if workspace_id is None:
        raise ApiError(401, "Unauthorized: missing or invalid API token")
    g.workspace_id = workspace_id


@bp.get("/openapi.json")
def openapi():
    return jsonify(api_schema.document())


LEADS_EXAMPLE = '{"leads": [{"phone": "+12025550143"}]}'


@bp.post("/leads")
@idempotent
def create_leads():
    items = _lead_items(json_body(LEADS_EXAMPLE))
    workspace = db.session.get(Workspace, g.workspace_id)
    rows, problems = [], []
    for index, item in enumerate(items):
        data, problem = _lead_fields(item)
        if problem is None:
            try:
                rows.append(lead_row(workspace, data)[0])
            except InvalidLead as exc:
                problem = invalid_fields(exc)
            except NoAddress as exc:
                problem = str(exc)
        if problem:
            problems.append({"index": index, "error": problem})
    if not rows:
        return jsonify(success=False, error="No lead was created", code=400, errors=problems), 400
    ids = insert_leads(rows)
    # One commit for the request: a failure stores none of its leads, never some of them.
    db.session.commit()
    body = dict(success=True, created=len(ids), leadIds=[str(i) for i in ids], errors=problems, batchId=None)
    try:
        # One batch, as a bulk check's, followed like any other; a worker queues its checks.
        batch = batch_checks.start_batch(g.workspace_id, "api", Lead.id.in_(ids), later=True)
        body["batchId"] = str(batch.id) if batch else None
    except BackgroundUnavailable:
        body["warning"] = (
            "Saved but not checked: background work is unavailable; "
            "ask for their checks later (POST /api/leads/check-availability)"
        )
    return jsonify(body), 201


def _lead_items(body) -> list:
    """The leads sent: {"leads": [...]} or a bare JSON array of them."""
    items = body.get("leads") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise ApiError(400, f"Send a JSON body like {LEADS_EXAMPLE}, or a JSON array of leads")
    if len(items) > MAX_LEADS_PER_REQUEST:
        raise ApiError(
            400,
            f"At most {MAX_LEADS_PER_REQUEST:,} leads per request, and this one has {len(items):,}: "
            "send them in several requests, or import them as a file (POST /api/leads/import)",
        )
    return items


def invalid_fields(exc: InvalidLead) -> str:
    """Why a lead's fields can't be stored, naming each by its JSON name."""
    return "; ".join(f"{FIELDS[field].json} {why}" for field, why in exc.problems.items())


def _lead_fields(item) -> tuple[dict, str | None]:
    if not isinstance(item, dict):
        return {}, "Each lead must be a JSON object"
    data = {}
    for field in LEAD_FIELDS:
        value = item.get(field.json)
        if value is not None and not isinstance(value, str):
            return {}, f"{field.json} must be a string"
        data[field.key] = value or ""
    return data, None


@bp.get("/leads/<int:lead_id>")
def get_lead(lead_id: int):
    lead = owned_or_404(Lead, lead_id, g.workspace_id)
    return jsonify(success=True, lead=lead_json(lead))


# --- Availability checks (the spec's three calls) ---------------------------------------------

NO_LINE = "No active line configured: add or activate one on the Lines page"


def _check_json(lead: Lead) -> dict:
    return {"leadId": str(lead.id), "available": answer(lead.status), "status": lead.status}


def _my_leads(texts: list[str]) -> dict[int, Lead]:
    """This workspace's leads among the ids, by id, in one query; others' are simply not there."""
    ids = {lead_id for lead_id in map(as_id, texts) if lead_id}
    query = db.select(Lead).where(Lead.workspace_id == g.workspace_id, Lead.id.in_(ids))
    return {lead.id: lead for lead in db.session.scalars(query)} if ids else {}


def _lead_or_404(raw) -> Lead:
    text = id_text(raw)
    lead = _my_leads([text]).get(as_id(text))
    if lead is None:
        raise ApiError(404, f"Lead not found: {text[:50]}")
    return lead


def _not_found(text: str) -> dict:
    return {"leadId": text, "available": None, "status": "not_found", "error": "Lead not found"}


def _refuse(trouble: CheckResult):
    if trouble.outcome is Outcome.RATE_LIMITED:
        raise ApiError(
            429, "The lines are at their rate limit; try again later", retryAfter=math.ceil(trouble.retry_after or 60)
        )
    raise ApiError(500, f"Check failed: {trouble.detail}")


def _require_a_line() -> None:
    if not has_line_switched_on(g.workspace_id):
        raise ApiError(400, NO_LINE)


@bp.get("/leads/check-availability")
def check_lead():
    if not request.args.get("id"):
        raise ApiError(400, "Give the lead's id: /api/leads/check-availability?id=...")
    lead = _lead_or_404(request.args["id"])
    _require_a_line()
    again = lead_checks.check_now(lead)
    if again:
        _refuse(again.trouble)
    return jsonify(success=True, **_check_json(lead))


@bp.post("/leads/check-availability")
@idempotent
def check_leads_or_address():
    body = json_body('{"leadIds": ["1", "2"]} or {"address": "+12025550143"}')
    if not isinstance(body, dict) or ("leadIds" in body) == ("address" in body):
        raise ApiError(
            400,
            'Send a JSON object with either "leadIds" (a list of lead ids) or '
            '"address" (a phone number or email address)',
        )
    if "address" in body:
        return _check_address(body["address"])
    return _check_lead_list(body["leadIds"])


def _check_address(raw):
    if not isinstance(raw, str):
        raise ApiError(400, '"address" must be a string')
    try:
        workspace = db.session.get(Workspace, g.workspace_id)
        address = quick_send.read_address(workspace, raw)
        answer = quick_send.check_address(workspace, address)
    except InvalidAddress as exc:
        raise ApiError(400, exc.reason) from None
    except quick_send.NoActiveLine:
        raise ApiError(400, NO_LINE) from None
    if answer.outcome is Outcome.INVALID_ADDRESS:
        raise ApiError(400, f"The line says {address} is not a valid address")
    if answer.outcome not in (Outcome.AVAILABLE, Outcome.UNAVAILABLE):
        _refuse(answer)
    return jsonify(success=True, available=answer.outcome is Outcome.AVAILABLE, address=address)


def _check_lead_list(ids):
    if not isinstance(ids, list) or not ids:
        raise ApiError(400, '"leadIds" must be a non-empty list of lead ids')
    if len(ids) > MAX_LEADS_PER_REQUEST:
        raise ApiError(400, f"At most {MAX_LEADS_PER_REQUEST} lead ids per request")
    if not all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in ids):
        raise ApiError(400, '"leadIds" must hold lead ids (strings or integers)')
    texts = list(dict.fromkeys(map(id_text, ids)))
    found = _my_leads(texts)
    # An unknown id (or another workspace's) is that lead's error, not the whole request's.
    leads = list({found[as_id(t)].id: found[as_id(t)] for t in texts if as_id(t) in found}.values())
    missing = [_not_found(t) for t in texts if as_id(t) not in found]
    if leads:  # as ?id= is 404 before it is "no line"
        _require_a_line()
    if len(leads) > current_app.config["API_INLINE_CHECK_LIMIT"]:
        # Too many to answer while the caller waits: a batch, with a URL to follow it.
        batch = batch_checks.start_batch(g.workspace_id, "api", Lead.id.in_([lead.id for lead in leads]))
        status_url = url_for("api.batch_status", batch_id=batch.id)
        return jsonify(
            success=True, batchId=str(batch.id), statusUrl=status_url, errors=len(missing), results=missing
        ), 202
    results = []
    for index, lead in enumerate(leads):
        again = lead_checks.check_now(lead)
        if again and again.trouble.outcome is Outcome.RATE_LIMITED:
            # The rest go on in the background; the caller can ask again (answers are reused).
            for rest in leads[index + 1 :]:
                lead_checks.request_check(rest)
            _refuse(again.trouble)
        result = _check_json(lead)
        if again or lead.status == LeadStatus.ERROR:
            result["error"] = again.trouble.detail if again else lead.error
        results.append(result)
    results += missing
    if all("error" in r and r["status"] == LeadStatus.CHECKING for r in results):
        raise ApiError(500, f"Check failed: {results[0]['error']}")
    errors = sum("error" in r for r in results)
    return jsonify(success=True, checked=len(results), successful=len(results) - errors, errors=errors, results=results)


@bp.get("/batches/<int:batch_id>")
def batch_status(batch_id: int):
    batch = owned_or_404(CheckBatch, batch_id, g.workspace_id)
    progress = batch_progress.batch_progress(batch)
    state = "cancelled" if batch.cancelled_at else "done" if progress["done"] >= progress["total"] else "running"
    body = dict(
        success=True,
        batchId=str(batch.id),
        state=state,
        total=progress["total"],
        done=progress["done"],
        available=progress.get(LeadStatus.AVAILABLE, 0),
        unavailable=progress.get(LeadStatus.UNAVAILABLE, 0),
        errors=progress.get(LeadStatus.ERROR, 0),
        etaSeconds=math.ceil(progress["eta"]) if progress["eta"] is not None else None,
    )
    if state != "running":
        leads = db.session.scalars(db.select(Lead).where(Lead.batch_id == batch.id).order_by(Lead.id))
        body["results"] = [_check_json(lead) for lead in leads]
    return jsonify(body)
