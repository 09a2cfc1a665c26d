"""API tokens: shown once at creation, stored only as a SHA-256 hash."""

import hashlib
import secrets

from extensions import db
from models import ApiToken, User, utcnow

PREFIX = "imc_"


def digest(token: str) -> str:
    """How a token is known: its SHA-256, as stored (and as the API's rate limit counts it)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(workspace_id=user.workspace_id, user_id=user.id, name=name, token_hash=digest(token)))
    db.session.commit()
    return token


def workspace_for(token: str) -> int | None:
    """The workspace a live token belongs to, or None. Looking up by hash means the secret itself
    is never compared byte by byte, so there is no timing signal to learn it from."""
    row = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.workspace_id


def revoke(row: ApiToken) -> None:
    row.revoked_at = row.revoked_at or utcnow()
    db.session.commit()
