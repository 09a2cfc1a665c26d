"""The API's OpenAPI 3.1 description, served at /api/openapi.json and tested with schemathesis.
Its schemas are in openapi_parts.py."""

from blueprints import openapi_leads, openapi_webhooks
from blueprints.openapi_limits import idempotent, rate_limited
from blueprints.openapi_parts import ID, SCHEMAS, errors, json_content, path_id, ref

LEADS = {"type": "array", "minItems": 1, "maxItems": 1000, "items": ref("LeadInput")}

PATHS = {
    "/api/leads": {
        "get": openapi_leads.LIST,
        "post": idempotent(
            {
                "summary": "Create up to 1,000 leads; their checks go on as one batch",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"type": "object", "required": ["leads"], "properties": {"leads": LEADS}},
                                    {**LEADS, "description": "The leads alone, as a JSON array"},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "201": json_content(
                        {
                            "type": "object",
                            "required": ["success", "created", "leadIds", "errors", "batchId"],
                            "properties": {
                                "success": {"const": True},
                                "created": {"type": "integer"},
                                "leadIds": {"type": "array", "items": ID},
                                "errors": {
                                    "type": "array",
                                    "items": ref("RowError"),
                                    "description": "The leads not created, by their index in the request",
                                },
                                "batchId": {
                                    **ID,
                                    "type": ["string", "null"],
                                    "description": "Their checks' batch (GET /api/batches/{batchId}); "
                                    "null with no line on (they say no_active_line)",
                                },
                                "warning": {"type": "string", "description": "Saved, but their checks could not start"},
                            },
                        },
                        "Created",
                    ),
                    **errors(400, 401, 413),
                },
            }
        ),
    },
    "/api/leads/{leadId}": {
        "get": {
            "summary": "A lead with its status",
            "parameters": [path_id("leadId")],
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "required": ["success", "lead"],
                        "properties": {"success": {"const": True}, "lead": ref("Lead")},
                    },
                    "The lead",
                ),
                **errors(401, 404),
            },
        },
        "patch": openapi_leads.PATCH,
        "delete": openapi_leads.DELETE,
    },
    "/api/leads/check-availability": {
        "get": {
            "summary": "Check one lead now",
            "parameters": [
                {
                    "name": "id",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "The lead's id (digits: anything else is 400; no lead of yours, 404)",
                }
            ],
            "responses": {
                "200": json_content(
                    {
                        "allOf": [
                            {"type": "object", "required": ["success"], "properties": {"success": {"const": True}}},
                            ref("CheckResult"),
                        ]
                    },
                    "The lead's answer",
                ),
                **errors(400, 401, 404, 429, 500, 503),
            },
        },
        "post": idempotent(
            {
                "summary": "Check a list of leads, or a bare address",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {
                                        "type": "object",
                                        "required": ["leadIds"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "leadIds": {
                                                "type": "array",
                                                "minItems": 1,
                                                "maxItems": 1000,
                                                "items": {"type": ["string", "integer"]},
                                                "description": "Lead ids (digits: anything else is 400); one "
                                                "that names no lead of yours is its result's not_found",
                                            }
                                        },
                                    },
                                    {
                                        "type": "object",
                                        "required": ["address"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "address": {"type": "string", "description": "A phone number or email"}
                                        },
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "200": json_content(
                        {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "required": ["success", "checked", "successful", "errors", "results"],
                                    "properties": {
                                        "success": {"const": True},
                                        "checked": {"type": "integer"},
                                        "successful": {"type": "integer"},
                                        "errors": {"type": "integer"},
                                        "results": {"type": "array", "items": ref("CheckResult")},
                                    },
                                },
                                {
                                    "type": "object",
                                    "required": ["success", "available", "address"],
                                    "properties": {
                                        "success": {"const": True},
                                        "available": {"type": "boolean"},
                                        "address": {"type": "string"},
                                    },
                                },
                            ]
                        },
                        "The leads' answers, or the address's (normalised)",
                    ),
                    "202": json_content(ref("Accepted"), "A long list: checked as a batch; follow statusUrl"),
                    **errors(400, 401, 413, 429, 500, 503),
                },
            }
        ),
    },
    "/api/batches/{batchId}": {
        "get": {
            "summary": "A batch's progress; its results once done",
            "parameters": [path_id("batchId")],
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "required": ["success", "batchId", "state", "total", "done"],
                        "properties": {
                            "success": {"const": True},
                            "batchId": ID,
                            "state": {"enum": ["running", "done", "cancelled"]},
                            "total": {"type": "integer"},
                            "done": {"type": "integer"},
                            "available": {"type": "integer"},
                            "unavailable": {"type": "integer"},
                            "errors": {"type": "integer"},
                            "etaSeconds": {"type": ["integer", "null"]},
                            "results": {"type": "array", "items": ref("CheckResult")},
                        },
                    },
                    "Progress",
                ),
                **errors(401, 404),
            },
        }
    },
    "/api/leads/import": {
        "post": idempotent(
            {
                "summary": "Import a CSV or XLSX spreadsheet or a vCard file (columns matched automatically)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "202": json_content(ref("Accepted"), "Importing; follow statusUrl"),
                    **errors(400, 401, 413),
                },
            }
        )
    },
    "/api/uploads/{uploadId}": {
        "get": {
            "summary": "An import's progress and report",
            "parameters": [path_id("uploadId")],
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "required": ["success", "uploadId", "state", "rowsDone"],
                        "properties": {
                            "success": {"const": True},
                            "uploadId": ID,
                            "state": {"type": "string"},
                            "filename": {"type": "string"},
                            "rowsTotal": {"type": ["integer", "null"]},
                            "rowsDone": {"type": "integer"},
                            "report": {"type": "object"},
                            "error": {"type": ["string", "null"]},
                            "batchId": {"type": ["string", "null"]},
                        },
                    },
                    "Progress",
                ),
                **errors(401, 404),
            },
        }
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Blue Bubble Check API",
            "version": "1",
            "description": "Checks whether leads can be reached on iMessage through your own lines. Each "
            "token may make API_RATE_LIMIT requests (200 a minute unless set): every answer says how many "
            "are left (RateLimit-* headers, missing only when the limit could not be counted).",
        },
        "security": [{"bearer": []}],
        "paths": rate_limited({**PATHS, **openapi_webhooks.PATHS}),
        "webhooks": openapi_webhooks.WEBHOOKS,
        "components": {
            "schemas": {**SCHEMAS, **openapi_webhooks.SCHEMAS},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
