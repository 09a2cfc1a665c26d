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
    cache_available_days = IntegerField("Reuse an “available” answer for", validators=[Optional(), NumberRange(0, 365)])
    cache_unavailable_days = IntegerField(
        "Reuse an “unavailable” answer for", validators=[Optional(), NumberRange(0, 365)]
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
    defaults = {
        "cache_available_days": current_app.config["CACHE_AVAILABLE_DAYS"],
        "cache_unavailable_days": current_app.config["CACHE_UNAVAILABLE_DAYS"],
    }
    if form.validate_on_submit():
        form.populate_obj(workspace)
        # A workspace at the installation's default (or blank) keeps following it if it changes.
        for name, default in defaults.items():
            if form[name].data == default:
                setattr(workspace, name, None)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.index"))
    if not form.is_submitted():
        # The values in force, not blanks over a placeholder that only looks like one.
        for name, default in defaults.items():
            if form[name].data is None and float(default).is_integer():  # a whole number of days
                form[name].data = int(default)
    return render_template(
        "settings/index.html",
        form=form,
        defaults=defaults,
        sweep_minutes=current_app.config["RECHECK_SWEEP_SECONDS"] // 60,
    )
