"""Webhooks: a workspace's endpoints (URLs subscribed to events), the attempts owed to them (the
outbox) and the log of every attempt to deliver an event to one. The rules are in services/webhooks/."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import Str, utcnow


class WebhookEndpoint(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    url: Mapped[str] = mapped_column(Str(500))
    description: Mapped[str] = mapped_column(Str(100), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    # The whsec_ signing secret, as a Fernet token (services/secrets_box.py); shown once in clear.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first failed attempt since the last success (None: the last attempt succeeded).
    failing_since: Mapped[datetime | None]
    # Set after 24 hours of failures: no event is sent to it until its owner enables it again.
    disabled_at: Mapped[datetime | None]


class WebhookDelivery(db.Model):
    """One attempt to deliver one event (message) to one endpoint. Each attempt of a message has the
    message's id (the webhook-id header) and payload, so a receiver can tell a retry from a new event."""

    __table_args__ = (
        # The page's log, newest first.
        Index("ix_webhook_delivery_workspace_newest", "workspace_id", text("id DESC")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(Str(40))
    event_type: Mapped[str] = mapped_column(Str(40))
    payload: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int]
    # Asked for with Redeliver (a single attempt, not retried).
    manual: Mapped[bool] = mapped_column(default=False)
    succeeded: Mapped[bool]
    status_code: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Str(300))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_attempt_at: Mapped[datetime | None]


class WebhookOutbox(db.Model):
    """The next attempt a message is owed to an endpoint, written before its job is queued in Redis:
    advanced (the retry, from when it is due) or removed in the commit that logs an attempt. The
    workers' sweep queues again a row due whose job Redis does not hold (services/webhooks/outbox.py)."""

    __table_args__ = (UniqueConstraint("endpoint_id", "message_id", name="uq_webhook_outbox_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(Str(40))
    event_type: Mapped[str] = mapped_column(Str(40))
    payload: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int]
    due_at: Mapped[datetime] = mapped_column(index=True)
