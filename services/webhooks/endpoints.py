"""A workspace's webhook endpoints: add one (its secret is shown once), list, delete, enable again
after it was disabled; and the log of deliveries the page shows."""

import base64
import ipaddress
import secrets
from urllib.parse import urlsplit

from flask import current_app

from availability.lines.safe_http import refusal
from extensions import db
from models import WebhookDelivery, WebhookEndpoint, WebhookOutbox

from . import EVENTS

# Enough for every tool a team connects; bounds the messages one event makes.
MAX_ENDPOINTS = 10
MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 100
SECRET_PREFIX = "whsec_"


class WebhookError(ValueError):
    """What is wrong with an endpoint asked for, in words for the person (or client) asking."""


def check_url(raw) -> str:
    url = raw.strip() if isinstance(raw, str) else ""
    if not url:
        raise WebhookError("Give the URL the events are sent to (https://…)")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(f"The URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise WebhookError("The URL has spaces or control characters in it")
    allow_private = current_app.config["LINE_ALLOW_PRIVATE_NETWORKS"]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise WebhookError("The URL is not valid") from None
    # Plain http only where the operator allows private networks (a local set-up, the tests).
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise WebhookError("The URL must start with https://")
    if not parts.hostname:
        raise WebhookError("The URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise WebhookError("Put no user name or password in the URL: the signature tells the receiver it is us")
    try:
        ip = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url  # a name: checked, with every address it resolves to, at each delivery
    why = refusal(parts.hostname, ip, allow_private)
    if why:
        raise WebhookError(about_webhooks(why))
    return url


def about_webhooks(refusal_text: str) -> str:
    """The SSRF guard's refusal (written for lines, whose guard and setting webhooks share)."""
    return refusal_text.replace("lines", "webhooks")


def check_events(raw) -> list[str]:
    names = ", ".join(EVENTS)
    if not isinstance(raw, list) or not raw or not all(isinstance(event, str) for event in raw):
        raise WebhookError(f"Choose at least one event: {names}")
    unknown = [event for event in raw if event not in EVENTS]
    if unknown:
        raise WebhookError(f"Unknown event {unknown[0][:40]!r}: the events are {names}")
    return [event for event in EVENTS if event in raw]


def check_description(raw) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise WebhookError("The description is text")
    text = " ".join(raw.split())
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise WebhookError(f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters")
    return text


def create(workspace_id: int, url, events, description=None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (in clear only here: it is stored encrypted)."""
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        url=check_url(url),
        events=check_events(events),
        description=check_description(description),
    )
    if len(endpoints_of(workspace_id)) >= MAX_ENDPOINTS:
        raise WebhookError(f"A workspace has at most {MAX_ENDPOINTS} webhook endpoints: delete one first")
    # 32 random bytes, base64, as the specification's secrets are (24 to 64 bytes).
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint.secret_encrypted = current_app.extensions["secrets_box"].encrypt(secret)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def endpoints_of(workspace_id: int) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            db.select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id).order_by(WebhookEndpoint.id)
        )
    )


def delete(endpoint: WebhookEndpoint) -> None:
    """The endpoint, its log and outbox; its retries still queued find it gone and send nothing."""
    db.session.execute(db.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.execute(db.delete(WebhookOutbox).where(WebhookOutbox.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()


def enable(endpoint: WebhookEndpoint) -> None:
    """Its owner fixed the receiver: events are sent to it again, and its day of failures starts over."""
    endpoint.disabled_at = endpoint.failing_since = None
    db.session.commit()


def has_disabled(workspace_id: int) -> bool:
    return bool(
        db.session.scalar(
            db.select(db.func.count(WebhookEndpoint.id)).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.disabled_at.is_not(None)
            )
        )
    )


def recent_deliveries(workspace_id: int, limit: int = 50) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            db.select(WebhookDelivery)
            .where(WebhookDelivery.workspace_id == workspace_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
