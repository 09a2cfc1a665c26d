"""The workspace's Settings page: periodic re-check and how long line answers are reused (the
owner's to change; a member sees their own account's links)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from extensions import db
from services import members

bp = Blueprint("settings", __name__, url_prefix="/settings")


class SettingsForm(FlaskForm):
    recheck_every = SelectField(
        "Re-check leads automatically",
        choices=[
            SelectChoice("off", "Off"),
            SelectChoice("weekly", "Weekly: answers older than 7 days"),
            SelectChoice("monthly", "Monthly: answers older than 30 days"),
        ],
    )
    cache_available_days = IntegerField(
        "Reuse an “available” answer for (days)", validators=[Optional(), NumberRange(0, 365)]
    )
    cache_unavailable_days = IntegerField(
        "Reuse an “unavailable” answer for (days)", validators=[Optional(), NumberRange(0, 365)]
    )


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.route("/", methods=["GET", "POST"])
def index():
    workspace = current_user.workspace
    form = SettingsForm(obj=workspace)
    if not current_user.is_owner:
        if form.is_submitted():
            abort(403, description="Only the workspace's owner changes its settings.")
        return render_template("settings/index.html", owner=members.owner_of(current_user.workspace_id))
    if form.validate_on_submit():
        form.populate_obj(workspace)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.index"))
    defaults = {
        "available": current_app.config["CACHE_AVAILABLE_DAYS"],
        "unavailable": current_app.config["CACHE_UNAVAILABLE_DAYS"],
    }
    return render_template(
        "settings/index.html",
        form=form,
        defaults=defaults,
        sweep_minutes=current_app.config["RECHECK_SWEEP_SECONDS"] // 60,
    )
