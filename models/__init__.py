"""SQLAlchemy models. Every row a user owns carries its workspace, and every query filters on it.
Accounts (workspaces, users, tokens) are in accounts.py; the column type and clock in types.py."""

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from availability.addresses import FieldValue
from availability.fields import ADDRESS_FIELDS, FIELDS, MAX_ADDRESS_LENGTH
from availability.statuses import LeadStatus
from extensions import db
from models.accounts import ApiToken, Invitation, Role, User, Workspace
from models.search import search_fold, search_text
from models.types import Str, utcnow
from models.upload_chunks import UploadChunk
from models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookOutbox

# Every model and helper is imported from here (`from models import Lead`), wherever it is written.
__all__ = [
    "AddressResult",
    "ApiToken",
    "CheckBatch",
    "Invitation",
    "Lead",
    "LeadTally",
    "Line",
    "LineStatus",
    "Role",
    "SentMessage",
    "Str",
    "Upload",
    "UploadChunk",
    "UploadState",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookOutbox",
    "Workspace",
    "search_fold",
    "search_text",
    "utcnow",
]


class LineStatus:
    ACTIVE = "active"
    INACTIVE = "inactive"
    # Still switched on by the user, but the line itself is broken (auth, Private API, helper).
    UNHEALTHY = "unhealthy"


class Line(db.Model):
    __table_args__ = (Index("uq_line_key", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    name: Mapped[str] = mapped_column(Str(100))
    provider: Mapped[str] = mapped_column(Str(20))  # a name in availability/lines/registry.py
    url: Mapped[str] = mapped_column(Str(500))
    # Fernet token of the password / API key; see services/secrets_box.py.
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(Str(20))
    status: Mapped[str] = mapped_column(Str(20), default=LineStatus.ACTIVE)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Fractions allowed: Sendblue allows 30 checks an hour (0.5 a minute). Migration 0018.
    rate_per_minute: Mapped[float] = mapped_column(default=6)
    daily_cap: Mapped[int | None]
    health_reason: Mapped[str | None] = mapped_column(Str(300))
    health_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Names the line's pace and pause in Redis: random and never reused, where an id may be
    # (SQLite gives a new row a deleted last row's id).
    key: Mapped[str] = mapped_column(Str(32), default=lambda: secrets.token_hex(16))

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class CheckBatch(db.Model):
    """Leads checked together (an upload's new leads, later bulk checks); its progress is the
    statuses of the leads that carry its id (counted in LeadTally)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    kind: Mapped[str] = mapped_column(Str(20))  # upload | bulk | recheck | periodic | api
    total: Mapped[int] = mapped_column(default=0)
    # Ask the lines again: answers from before the batch began are not reused.
    fresh: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    cancelled_at: Mapped[datetime | None]
    # When every check of the batch was in the queue: until then, its leads wait with no job
    # behind them without being lost (batch_checks.requeue_lost_checks).
    queued_at: Mapped[datetime | None]
    # When its batch.completed was sent: set once (UPDATE ... WHERE announced_at IS NULL), in the
    # commit that puts the message in the outbox (services/webhooks/events.py).
    announced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A check of all leads matching the table's filter that a worker marks (checks.all_matching):
    # the filter, so the marking can be done again if Redis loses its job, and the marking's lease
    # (None once done). A run renews it each slice; one lapsed, with no job in Redis, was lost.
    match_status: Mapped[str | None] = mapped_column(Str(20))
    match_q: Mapped[str | None] = mapped_column(Str(100))
    marking_until: Mapped[datetime | None] = mapped_column(index=True)


class LeadTally(db.Model):
    """How many leads a workspace (batch_id 0) and each of its batches hold in each status. Kept by
    triggers on the lead table (migration 0008) whatever writes the leads, so the leads page and
    the progress poll read a few rows instead of counting 100,000. Never written by the app.
    A migration that rebuilds the lead table (batch mode on SQLite) drops the triggers: re-create
    them (tests/test_lead_tally.py fails otherwise)."""

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(Str(20), primary_key=True)
    n: Mapped[int]


class UploadState:
    MAPPING = "mapping"  # read, waiting for the user to confirm the columns
    QUEUED = "queued"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


class Upload(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    filename: Mapped[str] = mapped_column(Str(255))
    # Name of the stored file (services/imports/storage.py), never the user's file name.
    stored_name: Mapped[str] = mapped_column(Str(64))
    kind: Mapped[str] = mapped_column(Str(10))
    encoding: Mapped[str | None] = mapped_column(Str(20))
    delimiter: Mapped[str | None] = mapped_column(Str(2))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(Str(20), default=UploadState.MAPPING)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    empty: Mapped[int] = mapped_column(default=0)
    # Imported rows that had some invalid address fields (kept as typed, marked invalid).
    invalid_fields: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Str(500))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("check_batch.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When its import job was queued: a job Redis lost is told by it (uploads.requeue_lost_imports).
    queued_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.state in (UploadState.DONE, UploadState.FAILED)

    @property
    def problems(self) -> int:
        return self.duplicates + self.invalid + self.invalid_fields


def _text(field: str):
    return mapped_column(Str(FIELDS[field].max_length), default="")


def _normal_form():
    return mapped_column(Str(MAX_ADDRESS_LENGTH))


class Lead(db.Model):
    __table_args__ = (
        # One per sort of the leads table (and the status filter), so a page reads its 50 rows in
        # order instead of sorting the workspace.
        Index("ix_lead_workspace_status", "workspace_id", "status", text("id DESC")),
        # On SQLite it is (workspace_id, id, search_text), for the search to scan (migration 0010).
        Index("ix_lead_workspace_newest", "workspace_id", text("id DESC")),
        Index("ix_lead_workspace_name", "workspace_id", "last_name", "first_name", "id"),
        Index("ix_lead_workspace_checked", "workspace_id", text("checked_at DESC"), text("id DESC")),
        Index("ix_lead_batch_status", "batch_id", "status"),
        # The API's "changed since" (GET /api/leads?updatedSince=).
        Index("ix_lead_workspace_updated", "workspace_id", "updated_at", "id"),
        # No index on the addresses: nothing looks a lead up by one (an import reads the
        # workspace's once), and each made an import slower (migration 0012).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed through the indexes above (their leading column).
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    # Each field's size is the fields table's (availability/fields.py); each address is kept as
    # typed, with its normal form (NULL when empty or invalid).
    first_name: Mapped[str] = _text("first_name")
    last_name: Mapped[str] = _text("last_name")
    company: Mapped[str] = _text("company")
    phone: Mapped[str] = _text("phone")
    phone_norm: Mapped[str | None] = _normal_form()
    email: Mapped[str] = _text("email")
    email_norm: Mapped[str | None] = _normal_form()
    alt_phone1: Mapped[str] = _text("alt_phone1")
    alt_phone1_norm: Mapped[str | None] = _normal_form()
    alt_phone2: Mapped[str] = _text("alt_phone2")
    alt_phone2_norm: Mapped[str | None] = _normal_form()
    alt_phone3: Mapped[str] = _text("alt_phone3")
    alt_phone3_norm: Mapped[str | None] = _normal_form()
    alt_email1: Mapped[str] = _text("alt_email1")
    alt_email1_norm: Mapped[str | None] = _normal_form()
    alt_email2: Mapped[str] = _text("alt_email2")
    alt_email2_norm: Mapped[str | None] = _normal_form()
    alt_email3: Mapped[str] = _text("alt_email3")
    alt_email3_norm: Mapped[str | None] = _normal_form()

    search_text: Mapped[str] = mapped_column(Str(1000), default="")
    status: Mapped[str] = mapped_column(Str(20), default=LeadStatus.NOT_CHECKED)
    available_address: Mapped[str | None] = mapped_column(Str(MAX_ADDRESS_LENGTH))
    checked_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Str(300))
    # Identifies the check in flight: a job whose run id no longer matches was superseded and
    # must not write its answer over a newer one.
    check_run: Mapped[str | None] = mapped_column(Str(36))
    check_started_at: Mapped[datetime | None]
    # The status shown before the current check began, restored if that check is cancelled.
    status_before_check: Mapped[str | None] = mapped_column(Str(20))
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("upload.id", ondelete="SET NULL", name="fk_lead_upload_id")
    )
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_batch.id", ondelete="SET NULL", name="fk_lead_batch_id")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by every write through SQLAlchemy, ORM or bulk UPDATE alike (onupdate); imports, which
    # insert through the driver, set it themselves. NULL only if a row was written around both.
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def lead_status(self) -> LeadStatus:
        return LeadStatus(self.status)

    def index_for_search(self) -> None:
        self.search_text = search_text(
            [self.first_name, self.last_name, self.company],
            [(getattr(self, field), getattr(self, f"{field}_norm")) for field, _ in ADDRESS_FIELDS],
        )

    def address_fields(self) -> list[FieldValue]:
        """The lead's addresses in check order, with a reason on each invalid one."""
        out = []
        for field, kind in ADDRESS_FIELDS:
            raw = getattr(self, field) or ""
            norm = getattr(self, f"{field}_norm")
            problem = f"not a valid {kind.value}" if raw and norm is None else None
            out.append(FieldValue(field, kind, raw, norm, problem))
        return out


class AddressResult(db.Model):
    """The last answer a line gave for an address in a workspace: the cache and the history.
    Only answers are stored; "could not tell" never is."""

    __table_args__ = (UniqueConstraint("workspace_id", "address", name="uq_address_result"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    address: Mapped[str] = mapped_column(Str(254))
    result: Mapped[str] = mapped_column(Str(20))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentMessage(db.Model):
    """A lead's log of messages sent from Quick Send: when, how, through which line, and whether
    the line took it. The text itself is not kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id", ondelete="SET NULL"))
    line_name: Mapped[str] = mapped_column(Str(100))  # kept if the line is deleted
    address: Mapped[str] = mapped_column(Str(254))
    channel: Mapped[str] = mapped_column(Str(20))  # imessage | sms | line's choice
    sent: Mapped[bool]
    detail: Mapped[str | None] = mapped_column(Str(300))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
