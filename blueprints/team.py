"""Settings → Team (the owner invites, removes, hands over ownership) and the invitation link's
page, opened signed out, where the invitee sets a password and joins. The rules are in
services/members.py."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.roles import owner_only
from blueprints.scoping import owned_or_404
from extensions import limiter
from models import Invitation
from services import accounts, members

bp = Blueprint("team", __name__, url_prefix="/settings/team")
owner_only(bp, "members")
join_bp = Blueprint("join", __name__)


class InviteForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=254)], render_kw={"placeholder": "name@company.com"}
    )


class JoinForm(FlaskForm):
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(min=12, max=200)])
    repeat = PasswordField("Password again", validators=[EqualTo("password", "The two passwords differ")])


def _page(form: InviteForm, link: str | None = None, status: int = 200):
    workspace = current_user.workspace_id
    return render_template(
        "team/index.html",
        form=form,
        link=link,
        members=members.members(workspace),
        invitations=members.pending_invitations(workspace),
        days=members.INVITATION_LIFETIME.days,
    ), status


@bp.get("/")
def index():
    return _page(InviteForm())


@bp.post("/invite")
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        token = members.invite(current_user, form.email.data)
    except members.TeamError as exc:
        form.email.errors.append(str(exc))
        return _page(form, status=400)
    # Rendered, not redirected: the link exists in clear only in this one response.
    return _page(InviteForm(formdata=None), link=url_for("join.join", token=token, _external=True))


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke(invitation_id: int):
    invitation = owned_or_404(Invitation, invitation_id, current_user.workspace_id)
    members.revoke_invitation(invitation)
    flash(f"The invitation for {invitation.email} was withdrawn: its link no longer works.", "success")
    return redirect(url_for("team.index"))


@bp.post("/members/<int:member_id>/remove")
def remove(member_id: int):
    try:
        email, tokens = members.remove_member(current_user, member_id)
    except LookupError:
        abort(404)
    except members.TeamError as exc:
        flash(str(exc), "error")
        return redirect(url_for("team.index"))
    revoked = f" The {tokens} API token(s) they created were revoked." if tokens else ""
    flash(f"{email} was removed and signed out everywhere.{revoked}", "success")
    return redirect(url_for("team.index"))


@bp.post("/members/<int:member_id>/make-owner")
def make_owner(member_id: int):
    try:
        member = members.pass_ownership(current_user, member_id)
    except LookupError:
        abort(404)
    except members.TeamError as exc:
        flash(str(exc), "error")
        return redirect(url_for("team.index"))
    flash(f"{member.email} owns the workspace now; you are a member.", "success")
    return redirect(url_for("settings.index"))


def _unusable(response) -> bool:
    return response.status_code in (404, 410)


# Guessing a link is hopeless (32 random bytes), yet links that don't work count like failed
# sign-ins, per address.
@join_bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], deduct_when=_unusable)
def join(token: str):
    try:
        invitation = members.open_invitation(token)
    except members.InvitationUnusable as exc:
        return render_template("team/join.html", problem=str(exc)), 410 if exc.gone else 404
    if current_user.is_authenticated:
        return render_template("team/join.html", invitation=invitation, signed_in_as=current_user.email)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            user = members.accept(token, form.password.data)
        except members.InvitationUnusable as exc:
            return render_template("team/join.html", problem=str(exc)), 410
        except members.TeamError as exc:
            return render_template("team/join.html", problem=str(exc)), 409
        accounts.start_sign_in(user)
        login_user(user)
        flash("Welcome: you are a member of this workspace now.", "success")
        return redirect(url_for("leads.index"))
    return render_template("team/join.html", invitation=invitation, form=form)
