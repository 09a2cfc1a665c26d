"""What a workspace's owner alone may do: pages for members answer 403 with a clear message (the
nav in base.html hides them too)."""

from flask import Blueprint, abort
from flask_login import current_user, login_required

from services import members


def owner_only(bp: Blueprint, what: str) -> None:
    """Every route of `bp` needs a signed-in owner; a member gets 403 saying who manages `what`."""

    @bp.before_request
    @login_required
    def _owner():
        if not current_user.is_owner:
            owner = members.owner_of(current_user.workspace_id)
            who = f"the workspace's owner, {owner.email}," if owner else "the workspace's owner"
            abort(403, description=f"Only {who} manages {what}. Ask them if you need a change.")
