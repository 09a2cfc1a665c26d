"""Signing in and out. Each sign-in is a row on the server, named by a random key that the browser's
session and remember-me cookies carry (it is Flask-Login's user id). A cookie is
good only while its row exists, so ending a sign-in deletes one row and every copy of its cookies
is refused from then on: logging out ends this browser only; "log out everywhere" and a password
change delete the user's other rows too. (A per-user token, as before, could only end every
browser at once; Flask's cookie sessions can't be revoked by themselves.)"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, bindparam
from sqlalchemy.orm import Mapped, joinedload, mapped_column
from werkzeug.security import check_password_hash

from extensions import db
from models import User, utcnow

# As long as Flask-Login's remember-me cookie lasts: no sign-in outlives it, and older rows go.
LIFETIME = timedelta(days=365)
# A hash of a random password, in the scheme and cost set_password uses (Werkzeug's scrypt default;
# a test holds them equal), checked when no account has the email: a sign-in then takes as long
# for any email, so timing tells no one which accounts exist.
_NO_ACCOUNT_HASH = (
    "scrypt:32768:8:1$3TE6CC1iKNRlSghI$81dc80934041029bbb4753836afadae095858d4e77897ccd91123ce1752"
    "1d26d611e89e31437d843c4bf3f0a1a98647b9c8972b52df79ef54ae7f144b3cdb9f8"
)


class SignIn(db.Model):
    # Only the key's SHA-256: a copy of the database can't be turned into cookies.
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; one password hash is checked either way."""
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_NO_ACCOUNT_HASH, password)
        return None
    return user if user.check_password(password) else None


def start_sign_in(user: User) -> None:
    """A new sign-in for `user`, whose get_id() then names it (for login_user)."""
    db.session.execute(db.delete(SignIn).where(SignIn.user_id == user.id, SignIn.created_at < utcnow() - LIFETIME))
    user.sign_in_key = secrets.token_urlsafe(32)
    db.session.add(SignIn(key_hash=_digest(user.sign_in_key), user_id=user.id))
    db.session.commit()


# Built once: every request a signed-in browser makes runs it, and building it cost a fifth of
# the time a page's poll spends signing in.
_SIGNED_IN = (
    db.select(User)
    .options(joinedload(User.workspace))
    .join(SignIn, SignIn.user_id == User.id)
    .where(SignIn.key_hash == bindparam("key_hash"), SignIn.created_at >= bindparam("since"))
)


def signed_in_user(key: str) -> User | None:
    """The user a session or remember-me cookie names, if that sign-in has not ended, with their
    workspace in the same query (pages write phone numbers in its region)."""
    user = db.session.scalar(_SIGNED_IN, {"key_hash": _digest(key), "since": utcnow() - LIFETIME})
    if user is not None:
        user.sign_in_key = key
    return user


def end_sign_in(user: User) -> None:
    """Logging out: this sign-in's cookies, wherever copied, open nothing any more."""
    db.session.execute(db.delete(SignIn).where(SignIn.key_hash == _digest(user.sign_in_key or "")))
    db.session.commit()


def end_every_sign_in(user: User, keep_this_one: bool = False) -> None:
    """Every browser signed in as `user` is signed out (or every other one)."""
    query = db.delete(SignIn).where(SignIn.user_id == user.id)
    if keep_this_one:
        query = query.where(SignIn.key_hash != _digest(user.sign_in_key or ""))
    db.session.execute(query)
    db.session.commit()


def change_password(user: User, password: str) -> None:
    """A new password, and every other browser signed out (this one stays signed in)."""
    user.set_password(password)
    end_every_sign_in(user, keep_this_one=True)
