"""The OpenAPI description of the lead list, edit and delete (blueprints/api_leads.py)."""

from availability.fields import LEAD_FIELDS
from blueprints.openapi_parts import STATUSES, errors, json_content, path_id, ref

LEAD_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "description": 'Only the fields sent change; null or "" empties one. The rules of a new lead hold.',
    "properties": {
        field.json: {"type": ["string", "null"], "maxLength": field.max_length, "description": field.label}
        for field in LEAD_FIELDS
    },
}

LIST = {
    "summary": "The workspace's leads, newest first, a page at a time",
    "parameters": [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
        {
            "name": "cursor",
            "in": "query",
            "schema": {"type": "string"},
            "description": "The previous page's nextCursor",
        },
        {"name": "status", "in": "query", "schema": {"enum": STATUSES}},
        {
            "name": "updatedSince",
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
            "description": "Only leads changed at or after this time (ISO-8601; without a zone, UTC)",
        },
    ],
    "responses": {
        "200": json_content(
            {
                "type": "object",
                "required": ["success", "leads", "nextCursor"],
                "properties": {
                    "success": {"const": True},
                    "leads": {"type": "array", "items": ref("Lead")},
                    "nextCursor": {"type": ["string", "null"], "description": "null on the last page"},
                },
            },
            "A page of leads",
        ),
        **errors(400, 401),
    },
}

PATCH = {
    "summary": "Change a lead; a changed address clears its answer and checks it again",
    "parameters": [path_id("leadId")],
    "requestBody": {"required": True, "content": {"application/json": {"schema": LEAD_PATCH}}},
    "responses": {
        "200": json_content(
            {
                "type": "object",
                "required": ["success", "lead", "rechecked"],
                "properties": {
                    "success": {"const": True},
                    "lead": ref("Lead"),
                    "rechecked": {"type": "boolean", "description": "The addresses changed: checked again"},
                    "warning": {"type": "string", "description": "Why the new check could not start"},
                },
            },
            "The lead as it is now",
        ),
        **errors(400, 401, 404, 413),
    },
}

DELETE = {
    "summary": "Delete a lead (its queued check does nothing)",
    "parameters": [path_id("leadId")],
    "responses": {"204": {"description": "Deleted"}, **errors(401, 404)},
}
