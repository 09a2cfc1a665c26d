"""Workspaces, their members (signed in with Flask-Login), invitations to join one, API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models.types import Str, utcnow


class Workspace(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Str(254))
    default_region: Mapped[str] = mapped_column(Str(2), default="US")
    # Settings: re-check leads whose answer is older than this (off | weekly | monthly), and how
    # many days a line's answer is reused (None: the app's default).
    recheck_every: Mapped[str] = mapped_column(Str(10), default="off", server_default="off")
    cache_available_days: Mapped[int | None]
    cache_unavailable_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Role:
    # One workspace per user. The owner manages lines, API tokens, members and settings; a member
    # works with leads, imports and Quick Send.
    OWNER = "owner"
    MEMBER = "member"


class User(UserMixin, db.Model):
    __table_args__ = (
        # One owner per workspace, whatever a race between two hand-overs does.
        Index(
            "uq_user_one_owner",
            "workspace_id",
            unique=True,
            sqlite_where=text("role = 'owner'"),
            postgresql_where=text("role = 'owner'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    email: Mapped[str] = mapped_column(Str(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Str(256))
    # Least privilege by default: only the code making a workspace names its owner.
    role: Mapped[str] = mapped_column(Str(10), default=Role.MEMBER, server_default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace: Mapped[Workspace] = relationship()
    # The sign-in this object was loaded or signed in under (services/accounts.py); not a column.
    sign_in_key = None

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    def get_id(self) -> str | None:
        return self.sign_in_key

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    # Who created it (None once they left the workspace: their tokens were revoked then).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Str(100))
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough and the
    # token itself is never stored.
    token_hash: Mapped[str] = mapped_column(Str(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invitation(db.Model):
    """A link to join a workspace as a member: shown once, stored as the SHA-256 of its token
    (like API tokens), good until expires_at, used once, revocable by the owner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    email: Mapped[str] = mapped_column(Str(254))
    token_hash: Mapped[str] = mapped_column(Str(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
