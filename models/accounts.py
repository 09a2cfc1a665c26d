"""Workspaces, their members (signed in with Flask-Login) and their API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey
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


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    email: Mapped[str] = mapped_column(Str(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Str(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace: Mapped[Workspace] = relationship()
    # The sign-in this object was loaded or signed in under (services/accounts.py); not a column.
    sign_in_key = None

    def get_id(self) -> str | None:
        return self.sign_in_key

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(Str(100))
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough and the
    # token itself is never stored.
    token_hash: Mapped[str] = mapped_column(Str(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
