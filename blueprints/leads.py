"""The leads table: list, add, and check one lead, with a per-row status fragment for htmx."""
from flask import (
    Blueprint, Response, current_app, flash, redirect, render_template, request, stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

import exports
import lead_checks
from availability.statuses import LeadStatus
from blueprints.scoping import owned_or_404
from extensions import db
from lead_store import NoAddress, create_lead
from models import CheckBatch, Lead

bp = Blueprint("leads", __name__, url_prefix="/leads")


class LeadForm(FlaskForm):
    first_name = StringField("First name", validators=[Length(max=100)])
    last_name = StringField("Last name", validators=[Length(max=100)])
    company = StringField("Company", validators=[Length(max=200)])
    phone = StringField("Phone", validators=[Length(max=254)])
    email = StringField("Email", validators=[Length(max=254)])
    alt_phone1 = StringField("Alternate phone 1", validators=[Length(max=254)])
    alt_phone2 = StringField("Alternate phone 2", validators=[Length(max=254)])
    alt_phone3 = StringField("Alternate phone 3", validators=[Length(max=254)])
    alt_email1 = StringField("Alternate email 1", validators=[Length(max=254)])
    alt_email2 = StringField("Alternate email 2", validators=[Length(max=254)])
    alt_email3 = StringField("Alternate email 3", validators=[Length(max=254)])


@bp.before_request
@login_required
def _signed_in():
    pass


def _status_filter() -> str | None:
    status = request.args.get("status")
    return status if status in LeadStatus.__members__.values() else None


def _leads_query():
    """The workspace's leads, narrowed by the page's filter; newest first."""
    query = db.select(Lead).where(Lead.workspace_id == current_user.workspace_id)
    status = _status_filter()
    if status:
        query = query.where(Lead.status == status)
    return query.order_by(Lead.id.desc())


@bp.get("/")
def index():
    page = db.paginate(_leads_query(), per_page=current_app.config["LEADS_PER_PAGE"], error_out=False)
    return render_template(
        "leads/index.html",
        page=page,
        form=LeadForm(),
        status=_status_filter(),
        statuses=list(LeadStatus),
        batches=_running_batches(),
        line_state=lead_checks.line_state(current_user.workspace_id),
    )


def _running_batches() -> list[tuple[CheckBatch, dict]]:
    """Recent batches that still have leads being checked, with their progress."""
    recent = db.session.scalars(
        db.select(CheckBatch).where(CheckBatch.workspace_id == current_user.workspace_id)
        .order_by(CheckBatch.id.desc()).limit(3)
    )
    with_progress = [(batch, lead_checks.batch_progress(batch)) for batch in recent]
    return [(batch, p) for batch, p in with_progress if p["done"] < p["total"]]


@bp.get("/batches/<int:batch_id>/progress")
def batch_progress(batch_id: int):
    batch = owned_or_404(CheckBatch, batch_id, current_user.workspace_id)
    progress = lead_checks.batch_progress(batch)
    finished = progress["done"] >= progress["total"]
    # 286 stops htmx polling once every lead of the batch has its answer.
    return render_template("leads/_batch.html", batch=batch, progress=progress), 286 if finished else 200


@bp.get("/export.csv")
def export():
    query = _leads_query().with_only_columns(*exports.columns()).execution_options(yield_per=1000)

    def lines():
        # Run inside the streaming response, so rows are read as they are sent.
        yield from exports.csv_lines(db.session.execute(query))

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=leads.csv"
    return response


@bp.post("/")
def create():
    form = LeadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("leads.index"))
    try:
        lead, read = create_lead(current_user.workspace, form.data)
    except NoAddress as exc:
        flash(str(exc), "error")
        return redirect(url_for("leads.index"))
    for value in read:
        if value.invalid:
            flash(f"“{value.raw}” is {value.problem}: kept as typed, shown as invalid, never checked.",
                  "warning")
    message = _start_check(lead)
    if message:
        flash(message, "error")
    return redirect(url_for("leads.index"))


@bp.get("/<int:lead_id>/row")
def row(lead_id: int):
    lead = owned_or_404(Lead, lead_id, current_user.workspace_id)
    return render_template("leads/_row.html", lead=lead)


@bp.post("/<int:lead_id>/check")
def check(lead_id: int):
    lead = owned_or_404(Lead, lead_id, current_user.workspace_id)
    # The button is a deliberate re-check: ask the lines again rather than reuse an answer.
    message = _start_check(lead, fresh=True)
    return render_template("leads/_row.html", lead=lead, message=message)


def _start_check(lead: Lead, fresh: bool = False) -> str | None:
    try:
        lead_checks.request_check(lead, fresh=fresh)
    except lead_checks.BackgroundUnavailable as exc:
        return str(exc)
    return None
