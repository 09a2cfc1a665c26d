"""The API tokens page: create (the token is shown once), see when each was last used, revoke."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from blueprints.roles import owner_only
from blueprints.scoping import owned_or_404
from extensions import db
from models import ApiToken
from services import tokens as api_tokens

bp = Blueprint("tokens", __name__, url_prefix="/settings/tokens")
owner_only(bp, "API tokens")


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], render_kw={"placeholder": "e.g. CRM sync"})


@bp.before_request
@login_required
def _signed_in():
    pass


def _page(form: TokenForm, new_token: str | None = None):
    tokens = db.session.scalars(
        db.select(ApiToken)
        .where(ApiToken.workspace_id == current_user.workspace_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()
    return render_template("tokens/index.html", form=form, tokens=tokens, new_token=new_token)


@bp.get("/")
def index():
    return _page(TokenForm())


@bp.post("/")
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form), 400
    # Rendered, not redirected: the token exists in clear only in this one response.
    return _page(TokenForm(formdata=None), new_token=api_tokens.create_token(current_user, form.name.data.strip()))


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    row = owned_or_404(ApiToken, token_id, current_user.workspace_id)
    api_tokens.revoke(row)
    flash(f"Token “{row.name}” revoked: requests with it now get 401.", "success")
    return redirect(url_for("tokens.index"))
