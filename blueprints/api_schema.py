"""The API's OpenAPI 3.1 description, served at /api/openapi.json and tested with schemathesis."""
from availability.fields import LEAD_FIELDS

STATUSES = ["not_checked", "checking", "available", "unavailable", "error", "no_active_line"]
ID = {"type": "string", "pattern": "^[0-9]+$", "description": "A numeric id, as a string"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "Bad request: the error says what is wrong (including: no active line configured)",
            401: "Missing or invalid token", 404: "Not found (also: another workspace's)",
            413: "Request too large (over MAX_UPLOAD_MB)",
            429: "The lines are rate limited: retry after retryAfter seconds",
            500: "The check failed", 503: "Background work is unavailable"}
    return {str(code): _json(_ref("Error"), text[code]) for code in codes}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}


SCHEMAS = {
    "Error": {
        "type": "object", "required": ["success", "error", "code"],
        "properties": {
            "success": {"const": False}, "error": {"type": "string"}, "code": {"type": "integer"},
            "retryAfter": {"type": "integer", "minimum": 0},
            "errors": {"type": "array", "items": _ref("RowError")},
        },
    },
    "RowError": {"type": "object", "required": ["index", "error"],
                 "properties": {"index": {"type": "integer"}, "error": {"type": "string"}}},
    "Status": {"type": "string", "enum": STATUSES},
    "LeadInput": {"type": "object", "properties": {
        field.json: {"type": "string", "maxLength": field.max_length, "description": field.label}
        for field in LEAD_FIELDS}},
    "Lead": {
        "type": "object",
        "required": ["id", "status", "available", "availableAddress", "checkedAt", "error", "invalidAddresses"],
        "properties": {
            "id": ID, **{field.json: {"type": "string"} for field in LEAD_FIELDS},
            "status": _ref("Status"), "available": {"type": ["boolean", "null"]},
            "availableAddress": {"type": ["string", "null"]},
            "checkedAt": {"type": ["string", "null"], "format": "date-time"},
            "error": {"type": ["string", "null"]},
            "invalidAddresses": {"type": "array", "items": {"type": "string"}},
        },
    },
    "CheckResult": {
        "type": "object", "required": ["leadId", "available", "status"],
        "properties": {"leadId": ID, "available": {"type": "boolean"}, "status": _ref("Status"),
                       "error": {"type": ["string", "null"]}},
    },
    "Accepted": {
        "type": "object", "required": ["success", "statusUrl"],
        "properties": {"success": {"const": True}, "batchId": ID, "uploadId": ID, "statusUrl": {"type": "string"}},
    },
}

PATHS = {
    "/api/leads": {"post": {
        "summary": "Create leads (each is checked automatically)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["leads"],
            "properties": {"leads": {"type": "array", "minItems": 1, "maxItems": 1000, "items": _ref("LeadInput")}},
        }}}},
        "responses": {
            "201": _json({"type": "object", "required": ["success", "created", "leadIds", "errors"], "properties": {
                "success": {"const": True}, "created": {"type": "integer"},
                "leadIds": {"type": "array", "items": ID}, "errors": {"type": "array", "items": _ref("RowError")},
            }}, "Created"),
            **_errors(400, 401, 413),
        },
    }},
    "/api/leads/{leadId}": {"get": {
        "summary": "A lead with its status",
        "parameters": [_path_id("leadId")],
        "responses": {
            "200": _json({"type": "object", "required": ["success", "lead"],
                          "properties": {"success": {"const": True}, "lead": _ref("Lead")}}, "The lead"),
            **_errors(401, 404),
        },
    }},
    "/api/leads/check-availability": {
        "get": {
            "summary": "Check one lead now",
            "parameters": [{"name": "id", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": _json({"allOf": [{"type": "object", "required": ["success"],
                                         "properties": {"success": {"const": True}}}, _ref("CheckResult")]},
                             "The lead's answer"),
                **_errors(400, 401, 404, 429, 500, 503),
            },
        },
        "post": {
            "summary": "Check a list of leads, or a bare address",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                {"type": "object", "required": ["leadIds"], "additionalProperties": False, "properties": {
                    "leadIds": {"type": "array", "minItems": 1, "maxItems": 1000,
                                "items": {"type": ["string", "integer"]}}}},
                {"type": "object", "required": ["address"], "additionalProperties": False,
                 "properties": {"address": {"type": "string", "description": "A phone number or email"}}},
            ]}}}},
            "responses": {
                "200": _json({"oneOf": [
                    {"type": "object", "required": ["success", "checked", "successful", "errors", "results"],
                     "properties": {"success": {"const": True}, "checked": {"type": "integer"},
                                    "successful": {"type": "integer"}, "errors": {"type": "integer"},
                                    "results": {"type": "array", "items": _ref("CheckResult")}}},
                    {"type": "object", "required": ["success", "available", "address"],
                     "properties": {"success": {"const": True}, "available": {"type": "boolean"},
                                    "address": {"type": "string"}}},
                ]}, "The leads' answers, or the address's (normalised)"),
                "202": _json(_ref("Accepted"), "A long list: checked as a batch; follow statusUrl"),
                **_errors(400, 401, 404, 413, 429, 500, 503),
            },
        },
    },
    "/api/batches/{batchId}": {"get": {
        "summary": "A batch's progress; its results once done",
        "parameters": [_path_id("batchId")],
        "responses": {
            "200": _json({"type": "object", "required": ["success", "batchId", "state", "total", "done"],
                          "properties": {
                              "success": {"const": True}, "batchId": ID,
                              "state": {"enum": ["running", "done", "cancelled"]},
                              "total": {"type": "integer"}, "done": {"type": "integer"},
                              "available": {"type": "integer"}, "unavailable": {"type": "integer"},
                              "errors": {"type": "integer"}, "etaSeconds": {"type": ["integer", "null"]},
                              "results": {"type": "array", "items": _ref("CheckResult")}}},
                         "Progress"),
            **_errors(401, 404),
        },
    }},
    "/api/leads/import": {"post": {
        "summary": "Import a CSV or XLSX file (columns matched automatically)",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}},
        }}}},
        "responses": {"202": _json(_ref("Accepted"), "Importing; follow statusUrl"), **_errors(400, 401, 413)},
    }},
    "/api/uploads/{uploadId}": {"get": {
        "summary": "An import's progress and report",
        "parameters": [_path_id("uploadId")],
        "responses": {
            "200": _json({"type": "object", "required": ["success", "uploadId", "state", "rowsDone"], "properties": {
                "success": {"const": True}, "uploadId": ID, "state": {"type": "string"},
                "filename": {"type": "string"}, "rowsTotal": {"type": ["integer", "null"]},
                "rowsDone": {"type": "integer"}, "report": {"type": "object"},
                "error": {"type": ["string", "null"]}, "batchId": {"type": ["string", "null"]}}}, "Progress"),
            **_errors(401, 404),
        },
    }},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Blue Bubble Check API", "version": "1",
                 "description": "Checks whether leads can be reached on iMessage through your own lines."},
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
