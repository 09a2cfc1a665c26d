"""The Lines page: the messaging backends checks go through."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from availability.lines import PROVIDERS
from blueprints.roles import owner_only
from blueprints.scoping import owned_or_404
from extensions import db
from models import Line, LineStatus
from services import line_admin

bp = Blueprint("lines", __name__, url_prefix="/lines")
owner_only(bp, "lines")


class PaceField(FloatField):
    def _value(self):
        # 6, not "6.0"; 0.5 stays 0.5
        return f"{self.data:g}" if isinstance(self.data, (int, float)) else super()._value()


class LineForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    provider = SelectField("Provider", choices=[SelectChoice(p.name, p.label) for p in PROVIDERS.values()])
    url = StringField("Server URL", validators=[DataRequired(), Length(max=500)])
    secret = PasswordField("Password / API key", validators=[Optional(), Length(max=500)])
    sender = StringField("Sender number (optional)", validators=[Optional(), Length(max=20)])
    rate_per_minute = PaceField("Checks per minute", validators=[Optional(), NumberRange(0.01, 600)])
    daily_cap = IntegerField("Daily cap", validators=[Optional(), NumberRange(1, 1_000_000)])

    def validate_url(self, field):
        parts = urlsplit(field.data.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError("Enter an http:// or https:// URL")

    def validate_secret(self, field):
        problem = line_admin.secret_problem(self.provider.data, field.data)
        if problem:
            raise ValidationError(problem)


@bp.before_request
@login_required
def _signed_in():
    pass


def _line(line_id: int) -> Line:
    return owned_or_404(Line, line_id, current_user.workspace_id)


@bp.get("/")
def index():
    lines = db.session.scalars(
        db.select(Line).where(Line.workspace_id == current_user.workspace_id).order_by(Line.id)
    ).all()
    return render_template(
        "lines/index.html",
        lines=lines,
        paused=line_admin.pauses(lines),
        providers=PROVIDERS,
        test_address=current_app.config["LINE_TEST_ADDRESS"],
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = LineForm()
    if form.validate_on_submit():
        line = line_admin.add_line(current_user.workspace_id, **_fields(form), test=True)
        _say_how_it_went(line, "added")
        return redirect(url_for("lines.index"))
    return render_template("lines/form.html", form=form, line=None, providers=PROVIDERS)


@bp.route("/<int:line_id>/edit", methods=["GET", "POST"])
def edit(line_id: int):
    line = _line(line_id)
    form = LineForm(obj=line)
    if request.method == "GET":
        form.secret.data = ""  # never send a stored secret back to the browser
    if form.validate_on_submit():
        line_admin.update_line(line, **_fields(form))
        _say_how_it_went(line, "saved")
        return redirect(url_for("lines.index"))
    return render_template("lines/form.html", form=form, line=line, providers=PROVIDERS)


@bp.post("/<int:line_id>/activate")
def activate(line_id: int):
    line = _line(line_id)
    line_admin.set_active(line, True)
    _say_how_it_went(line, "switched on")
    return redirect(url_for("lines.index"))


@bp.post("/<int:line_id>/deactivate")
def deactivate(line_id: int):
    line_admin.set_active(_line(line_id), False)
    return redirect(url_for("lines.index"))


@bp.post("/<int:line_id>/delete")
def delete(line_id: int):
    line = _line(line_id)
    name = line.name
    line_admin.delete_line(line)
    flash(f"Line “{name}” deleted.", "success")
    return redirect(url_for("lines.index"))


@bp.post("/<int:line_id>/test")
def test(line_id: int):
    line = _line(line_id)
    address = (request.form.get("address") or current_app.config["LINE_TEST_ADDRESS"]).strip()
    outcome = line_admin.test_connection(line, address)
    return render_template("lines/_test_result.html", line=line, outcome=outcome)


def _say_how_it_went(line: Line, done: str) -> None:
    """Saving or switching on tests the line: say what the test found."""
    if line.status == LineStatus.ACTIVE:
        flash(f"Line “{line.name}” {done}: it answered a test and is active.", "success")
    elif line.status == LineStatus.UNHEALTHY:
        flash(
            f"Line “{line.name}” {done}, but its test failed: {line.health_reason}. "
            "It stays Unhealthy, unused, until a test passes (fix it, or press Test connection).",
            "error",
        )
    else:
        flash(f"Line “{line.name}” {done} (inactive).", "success")


def _fields(form: LineForm) -> dict:
    return dict(
        name=form.name.data.strip(),
        provider=form.provider.data,
        url=form.url.data.strip(),
        secret=form.secret.data or None,
        sender=(form.sender.data or "").strip() or None,
        rate_per_minute=form.rate_per_minute.data,
        daily_cap=form.daily_cap.data,
    )
