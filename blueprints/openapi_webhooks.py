"""The OpenAPI description of the webhooks: the /api/webhooks paths (blueprints/api_webhooks.py) and
the events themselves (OpenAPI 3.1's `webhooks`), each a POST to the subscriber's endpoint."""

from blueprints.openapi_parts import ID, errors, json_content, path_id, ref
from services.webhooks import BATCH_COMPLETED, EVENTS, LEAD_CHECKED, UPLOAD_COMPLETED
from services.webhooks.endpoints import MAX_DESCRIPTION_LENGTH, MAX_ENDPOINTS, MAX_URL_LENGTH

WHEN = {"type": ["string", "null"], "format": "date-time"}
EVENT_NAME = {"enum": list(EVENTS)}

SCHEMAS = {
    "WebhookInput": {
        "type": "object",
        "required": ["url", "events"],
        "additionalProperties": False,
        "properties": {
            "url": {
                "type": "string",
                "maxLength": MAX_URL_LENGTH,
                "description": "https:// (no user or password); names resolving to private, loopback or "
                "link-local addresses are refused unless the operator allows private networks",
            },
            "events": {"type": "array", "minItems": 1, "items": EVENT_NAME},
            "description": {"type": ["string", "null"], "maxLength": MAX_DESCRIPTION_LENGTH},
        },
    },
    "Webhook": {
        "type": "object",
        "required": ["id", "url", "description", "events", "createdAt", "failingSince", "disabledAt"],
        "properties": {
            "id": ID,
            "url": {"type": "string"},
            "description": {"type": "string"},
            "events": {"type": "array", "items": EVENT_NAME},
            "createdAt": {"type": "string", "format": "date-time"},
            "failingSince": {**WHEN, "description": "The first failed attempt since the last success"},
            "disabledAt": {**WHEN, "description": "Disabled after 24 hours of failures: nothing is sent to it"},
        },
    },
}


def _event(event_type: str, data: dict) -> dict:
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": event_type},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
    }


SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The message's id: the same on every attempt, so a receiver can drop repeats",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "Seconds since the epoch of this attempt; refuse ones far from now (replays)",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "v1,<base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`> keyed with the "
        "endpoint's whsec_ secret (Standard Webhooks; its libraries verify it)",
    },
]


def _delivery(event_type: str, summary: str, data: dict) -> dict:
    return {
        "post": {
            "summary": summary,
            "description": "Sent to each endpoint subscribed to it. A 2xx answer is a delivery; anything else is "
            "tried again after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h; an endpoint failing for 24 hours is disabled.",
            "security": [],  # signed instead (the headers below)
            "parameters": SIGNATURE_HEADERS,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _event(event_type, data)}}},
            "responses": {"2XX": {"description": "Received"}},
        }
    }


COUNT = {"type": "integer", "minimum": 0}
WEBHOOKS = {
    LEAD_CHECKED: _delivery(
        LEAD_CHECKED,
        EVENTS[LEAD_CHECKED],
        {"type": "object", "required": ["lead"], "properties": {"lead": ref("Lead")}},
    ),
    BATCH_COMPLETED: _delivery(
        BATCH_COMPLETED,
        EVENTS[BATCH_COMPLETED],
        {
            "type": "object",
            "required": ["batchId", "kind", "total", "available", "unavailable", "errors", "noActiveLine"],
            "properties": {
                "batchId": ID,
                "kind": {"enum": ["upload", "bulk", "recheck", "periodic", "api"]},
                "total": COUNT,
                "available": COUNT,
                "unavailable": COUNT,
                "errors": COUNT,
                "noActiveLine": COUNT,
            },
        },
    ),
    UPLOAD_COMPLETED: _delivery(
        UPLOAD_COMPLETED,
        EVENTS[UPLOAD_COMPLETED],
        {
            "type": "object",
            "required": ["uploadId", "state", "filename", "rowsTotal", "rowsDone", "report", "error", "batchId"],
            "properties": {
                "uploadId": ID,
                "state": {"enum": ["done", "failed"]},
                "filename": {"type": "string"},
                "rowsTotal": {"type": ["integer", "null"]},
                "rowsDone": {"type": "integer"},
                "report": {"type": "object"},
                "error": {"type": ["string", "null"]},
                "batchId": {"type": ["string", "null"]},
            },
        },
    ),
}

PATHS = {
    "/api/webhooks": {
        "get": {
            "summary": "The workspace's webhook endpoints",
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "required": ["success", "webhooks"],
                        "properties": {
                            "success": {"const": True},
                            "webhooks": {"type": "array", "items": ref("Webhook")},
                        },
                    },
                    "The endpoints",
                ),
                **errors(401),
            },
        },
        "post": {
            "summary": f"Subscribe an endpoint to events (at most {MAX_ENDPOINTS}); its secret is in this answer only",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("WebhookInput")}}},
            "responses": {
                "201": json_content(
                    {
                        "type": "object",
                        "required": ["success", "webhook", "secret"],
                        "properties": {
                            "success": {"const": True},
                            "webhook": ref("Webhook"),
                            "secret": {"type": "string", "pattern": "^whsec_", "description": "Shown only this once"},
                        },
                    },
                    "Subscribed",
                ),
                **errors(400, 401, 413),
            },
        },
    },
    "/api/webhooks/{webhookId}": {
        "delete": {
            "summary": "Delete an endpoint and its delivery log (its queued retries send nothing)",
            "parameters": [path_id("webhookId")],
            "responses": {"204": {"description": "Deleted"}, **errors(401, 404)},
        }
    },
}
