"""A workspace's members: its one owner and the members they invite, remove or hand ownership to.

An invitation is a link holding a random token, shown once; only its SHA-256 is stored (as for API
tokens), so a copy of the database opens nothing. It joins the workspace it was made for, as a
member, once, within INVITATION_LIFETIME, unless the owner revoked it.

API tokens belong to the workspace (only its owner makes them), so they keep working when members
come and go, except the tokens a removed person created: they saw those in clear, so those are
revoked with them. A removed member's user row is deleted, and with it every sign-in: their
cookies, remember-me included, open nothing from the next request on."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from availability.addresses import InvalidAddress, normalise_email
from extensions import db
from models import ApiToken, Invitation, Role, User, Workspace, utcnow
from services import accounts

INVITATION_LIFETIME = timedelta(days=7)


class TeamError(Exception):
    """A request the team rules refuse; the message is for the person who asked."""


class InvitationUnusable(Exception):
    """An invitation link that can't be used, and why (for its page); `gone` when it did exist."""

    def __init__(self, message: str, gone: bool):
        super().__init__(message)
        self.gone = gone


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except InvalidAddress as exc:
        raise TeamError(f"That email address is {exc.reason}.") from None


def _taken(email: str) -> bool:
    return db.session.scalar(db.select(User.id).where(User.email == email)) is not None


def _new_user(workspace_id: int, email: str, password: str, role: str) -> User:
    user = User(email=email, workspace_id=workspace_id, role=role)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email, added at the same moment elsewhere
        db.session.rollback()
        raise TeamError(f"There is already an account for {email}.") from None
    return user


def create_owner(email: str, password: str, region: str) -> User:
    """A new user owning a new workspace of their own."""
    email = email.strip().lower()
    if _taken(email):
        raise TeamError(f"User {email} already exists")
    workspace = Workspace(name=email, default_region=region)
    db.session.add(workspace)
    db.session.flush()
    return _new_user(workspace.id, email, password, Role.OWNER)


def add_member(workspace_id: int, email: str, password: str) -> User:
    """A member added directly (the CLI), without an invitation."""
    email = email.strip().lower()
    if _taken(email):
        raise TeamError(f"User {email} already exists")
    return _new_user(workspace_id, email, password, Role.MEMBER)


def members(workspace_id: int) -> list[User]:
    return db.session.scalars(
        db.select(User).where(User.workspace_id == workspace_id).order_by(User.role != Role.OWNER, User.email)
    ).all()


def owner_of(workspace_id: int) -> User | None:
    return db.session.scalar(db.select(User).where(User.workspace_id == workspace_id, User.role == Role.OWNER))


def pending_invitations(workspace_id: int) -> list[Invitation]:
    return db.session.scalars(
        db.select(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id.desc())
    ).all()


def invite(inviter: User, raw_email: str) -> str:
    """An invitation to `inviter`'s workspace; returns its token, which exists only here. A new
    invitation for the same email replaces the one still open."""
    email = _email(raw_email)
    if _taken(email):
        raise TeamError(f"There is already an account for {email}: one person belongs to one workspace.")
    now = utcnow()
    db.session.execute(
        db.update(Invitation)
        .where(
            Invitation.workspace_id == inviter.workspace_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            workspace_id=inviter.workspace_id,
            email=email,
            token_hash=_digest(token),
            invited_by=inviter.id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    db.session.commit()
    return token


def revoke_invitation(invitation: Invitation) -> None:
    invitation.revoked_at = invitation.revoked_at or utcnow()
    db.session.commit()


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def open_invitation(token: str) -> Invitation:
    """The invitation a link names, if it can still be used; otherwise InvitationUnusable saying why."""
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.token_hash == _digest(token)))
    if invitation is None:
        raise InvitationUnusable("This invitation link is not valid. Check that it was copied whole.", gone=False)
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            f"This invitation was already used on {_date(invitation.accepted_at)}. Log in instead.", gone=True
        )
    if invitation.revoked_at is not None:
        raise InvitationUnusable("This invitation was withdrawn. Ask the workspace's owner for a new one.", gone=True)
    if invitation.expires_at <= utcnow():
        raise InvitationUnusable(
            f"This invitation expired on {_date(invitation.expires_at)}. Ask the workspace's owner for a new one.",
            gone=True,
        )
    return invitation


def accept(token: str, password: str) -> User:
    """The invitee's account, in the invitation's workspace (and no other), as a member."""
    invitation = open_invitation(token)
    # One conditional UPDATE: of two acceptances at once, one wins and the other is told it was used.
    used = db.session.execute(
        db.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .values(accepted_at=utcnow())
    )
    if used.rowcount != 1:
        db.session.rollback()
        open_invitation(token)  # raises now, with the reason: used, withdrawn or expired
        raise InvitationUnusable("This invitation was already used. Log in instead.", gone=True)
    if _taken(invitation.email):
        db.session.rollback()
        raise TeamError(f"There is already an account for {invitation.email}. Log in instead.")
    return _new_user(invitation.workspace_id, invitation.email, password, Role.MEMBER)


def _other_member(owner: User, member_id: int) -> User:
    member = db.session.scalar(db.select(User).where(User.id == member_id, User.workspace_id == owner.workspace_id))
    if member is None:
        raise LookupError(member_id)
    if member.id == owner.id:
        raise TeamError("That is you: pass ownership to another member first.")
    return member


def remove_member(owner: User, member_id: int) -> tuple[str, int]:
    """Removes a member of `owner`'s workspace; their email and how many API tokens they had
    created (revoked now). LookupError if no member of this workspace has that id."""
    member = _other_member(owner, member_id)
    email, now = member.email, utcnow()
    revoked = db.session.execute(
        db.update(ApiToken)
        .where(ApiToken.user_id == member.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, user_id=None)
    ).rowcount
    db.session.execute(db.update(ApiToken).where(ApiToken.user_id == member.id).values(user_id=None))
    db.session.execute(db.update(Invitation).where(Invitation.invited_by == member.id).values(invited_by=None))
    db.session.execute(db.delete(accounts.SignIn).where(accounts.SignIn.user_id == member.id))
    db.session.delete(member)
    db.session.commit()
    return email, revoked


def pass_ownership(owner: User, member_id: int) -> User:
    """`member_id` owns the workspace from now on; `owner` becomes a member."""
    member = _other_member(owner, member_id)
    owner.role = Role.MEMBER
    db.session.flush()  # one owner at a time: the unique index sees the old one go first
    member.role = Role.OWNER
    db.session.commit()
    return member
