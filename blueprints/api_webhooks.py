"""The API's webhooks: subscribe an endpoint (its secret is in this answer only), list, delete.
Views of the API blueprint (app.py imports this module before registering it)."""

from flask import Response, g, jsonify

from blueprints.api import bp
from blueprints.api_errors import ApiError, json_body
from blueprints.scoping import owned_or_404
from models import WebhookEndpoint
from services.webhooks import endpoints

EXAMPLE = '{"url": "https://crm.example.com/hooks/bbc", "events": ["lead.checked"]}'
FIELDS = {"url", "events", "description"}


def webhook_json(endpoint: WebhookEndpoint) -> dict:
    def when(value):
        return value.isoformat() + "Z" if value else None

    return {
        "id": str(endpoint.id),
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "createdAt": when(endpoint.created_at),
        "failingSince": when(endpoint.failing_since),
        "disabledAt": when(endpoint.disabled_at),
    }


@bp.post("/webhooks")
def create_webhook():
    body = json_body(EXAMPLE)
    if not isinstance(body, dict):
        raise ApiError(400, f"Send a JSON object like {EXAMPLE}")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ApiError(400, f"Unknown field {unknown[0][:40]!r}: send url, events and optionally description")
    try:
        endpoint, secret = endpoints.create(
            g.workspace_id, body.get("url"), body.get("events"), body.get("description")
        )
    except endpoints.WebhookError as exc:
        raise ApiError(400, str(exc)) from None
    return jsonify(success=True, webhook=webhook_json(endpoint), secret=secret), 201


@bp.get("/webhooks")
def list_webhooks():
    return jsonify(success=True, webhooks=[webhook_json(e) for e in endpoints.endpoints_of(g.workspace_id)])


@bp.delete("/webhooks/<int:webhook_id>")
def delete_webhook(webhook_id: int):
    endpoints.delete(owned_or_404(WebhookEndpoint, webhook_id, g.workspace_id))
    return Response(status=204)
