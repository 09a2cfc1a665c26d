"""The OpenAPI description's parts: its schemas (components) and the helpers its paths are written with."""

from availability.fields import LEAD_FIELDS

STATUSES = ["not_checked", "checking", "available", "unavailable", "error", "no_active_line"]
ID = {"type": "string", "pattern": "^[0-9]+$", "description": "A numeric id, as a string"}
AVAILABLE = {
    "type": ["boolean", "null"],
    "description": "true: on iMessage; false: not; null: no answer yet (pending, failed, no line, not found)",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict:
    text = {
        400: "Bad request: the error says what is wrong (including: no active line configured)",
        401: "Missing or invalid token",
        404: "Not found (also: another workspace's)",
        413: "Request too large (over MAX_UPLOAD_MB)",
        409: "A request with this Idempotency-Key is still running: retry in a few seconds",
        422: "This Idempotency-Key was first used with a different request",
        429: "Over this token's API_RATE_LIMIT, or the lines at their pace: retry after retryAfter seconds",
        500: "The check failed",
        503: "Background work is unavailable",
    }
    described = {str(code): json_content(ref("Error"), text[code]) for code in codes}
    if 429 in codes:
        seconds = {"type": "string", "pattern": "^[0-9]+$"}
        described["429"]["headers"] = {
            "Retry-After": {"required": True, "schema": seconds, "description": "Seconds, as retryAfter"}
        }
    return described


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["success", "error", "code"],
        "properties": {
            "success": {"const": False},
            "error": {"type": "string"},
            "code": {"type": "integer"},
            "retryAfter": {"type": "integer", "minimum": 0},
            # A refused import: listed, with its reason, as this failed upload.
            "uploadId": {"type": "string"},
            "errors": {"type": "array", "items": ref("RowError")},
        },
    },
    "RowError": {
        "type": "object",
        "required": ["index", "error"],
        "properties": {"index": {"type": "integer"}, "error": {"type": "string"}},
    },
    "Status": {"type": "string", "enum": STATUSES},
    "LeadInput": {
        "type": "object",
        "properties": {
            field.json: {"type": "string", "maxLength": field.max_length, "description": field.label}
            for field in LEAD_FIELDS
        },
    },
    "Lead": {
        "type": "object",
        "required": ["id", "status", "available", "availableAddress", "checkedAt", "error", "invalidAddresses"],
        "properties": {
            "id": ID,
            **{field.json: {"type": "string"} for field in LEAD_FIELDS},
            "status": ref("Status"),
            "available": AVAILABLE,
            "availableAddress": {"type": ["string", "null"]},
            "checkedAt": {"type": ["string", "null"], "format": "date-time"},
            "error": {"type": ["string", "null"]},
            "invalidAddresses": {"type": "array", "items": {"type": "string"}},
        },
    },
    "CheckResult": {
        "type": "object",
        "required": ["leadId", "available", "status"],
        "properties": {
            "leadId": ID,
            "available": AVAILABLE,
            "status": {"enum": [*STATUSES, "not_found"], "description": "not_found: no lead of yours has this id"},
            "error": {"type": ["string", "null"]},
        },
    },
    "Accepted": {
        "type": "object",
        "required": ["success", "statusUrl"],
        "properties": {
            "success": {"const": True},
            "batchId": ID,
            "uploadId": ID,
            "statusUrl": {"type": "string"},
            "errors": {"type": "integer", "description": "A batch: how many ids named no lead of yours"},
            "results": {"type": "array", "items": ref("CheckResult"), "description": "A batch: those ids"},
        },
    },
}
