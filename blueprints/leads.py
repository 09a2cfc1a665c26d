"""The leads table: list, filter, add, check one lead or many, with fragments for htmx."""

import zlib

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from availability.fields import FIELDS, LEAD_FIELDS
from availability.statuses import LeadStatus
from blueprints import formatting
from blueprints.scoping import as_id, owned_or_404
from extensions import db
from models import CheckBatch, Lead, LineStatus, SentMessage, dialects
from services import exports
from services import leads as lead_store
from services.checks import all_matching
from services.checks import batches as batch_checks
from services.checks import lead as lead_checks
from services.checks import progress as batch_progress
from services.lines import line_state, switched_on_lines
from services.queue import BackgroundUnavailable
from services.webhooks.endpoints import has_disabled as has_disabled_webhook

bp = Blueprint("leads", __name__, url_prefix="/leads")


class LeadForm(FlaskForm):
    pass


# The lengths are checked by lead_store, as for the API and imports.
for _field in LEAD_FIELDS:
    setattr(LeadForm, _field.key, StringField(_field.label))


def reads_only(view):
    """Marks a view that only reads, as the page's most frequent requests do: it runs without a
    transaction (models/dialects.py read_without_transaction). A mark, not a wrapper, because the
    switch must come before sign-in's query opens a transaction (the before_request below)."""
    view.reads_only = True
    return view


@bp.before_request
def _no_transaction_to_read():
    if getattr(current_app.view_functions.get(request.endpoint), "reads_only", False):
        dialects.read_without_transaction(db.session())


@bp.before_request
@login_required
def _signed_in():
    pass


def _filters(args) -> dict:
    """The table's filter from a query string or a form: status, search text, sort."""
    status = args.get("status")
    sort = args.get("sort")
    return {
        "status": status if status in LeadStatus.__members__.values() else None,
        "q": (args.get("q") or "").strip()[:100] or None,
        "sort": sort if sort in lead_store.SORTS else "newest",
    }


@bp.get("/")
@reads_only
def index():
    return _index_page()


def _index_page(typed: dict | None = None, problems: dict | None = None, status: int = 200):
    """The leads table; after a refused add-lead form, with what was typed and why (`problems`:
    field key, or "" for the whole lead, to message)."""
    filters = _filters(request.args)
    page = lead_store.table_page(
        current_user.workspace_id,
        filters["status"],
        filters["q"],
        filters["sort"],
        request.args.get("page", 1, type=int),
        current_app.config["LEADS_PER_PAGE"],
    )
    lines = switched_on_lines(current_user.workspace_id)
    return render_template(
        "leads/index.html",
        page=page,
        lead_fields=FIELDS,
        filters=filters,
        statuses=list(LeadStatus),
        batches=_running_batches(lines),
        line_state=line_state(current_user.workspace_id, lines),
        webhook_disabled=current_user.is_owner and has_disabled_webhook(current_user.workspace_id),
        typed=typed or {},
        problems=problems or {},
    ), status


def _running_batches(lines) -> list[tuple[CheckBatch, dict]]:
    """Recent batches that still have leads being checked, with their progress."""
    active = [line for line in lines if line.status == LineStatus.ACTIVE]
    with_progress = batch_progress.newest_with_progress(current_user.workspace_id, active)
    return [(batch, p) for batch, p in with_progress if p["done"] < p["total"]]


@bp.post("/bulk-check")
def bulk_check():
    """Check the selected leads, or every lead matching the table's filter, as one batch."""
    filters = _filters(request.form)
    # Back to the table as the user left it: same filter, same page.
    back = redirect(
        url_for(
            "leads.index",
            page=request.form.get("page", type=int),
            **{name: value for name, value in filters.items() if value},
        )
    )
    ids = [i for i in map(as_id, request.form.getlist("lead_ids")) if i]
    if not ids and not request.form.get("all_matching"):
        flash("Select the leads to check first.", "error")
        return back
    try:
        if request.form.get("all_matching"):
            # Maybe a million leads: past a few thousand, a worker marks them (all_matching.py).
            batch, by_worker = all_matching.start(current_user.workspace_id, filters["status"], filters["q"])
        else:
            batch, by_worker = batch_checks.start_batch(current_user.workspace_id, "bulk", Lead.id.in_(ids)), False
    except BackgroundUnavailable as exc:
        flash(str(exc), "error")
        return back
    no_line = line_state(current_user.workspace_id) == "none"
    if by_worker and no_line:  # maybe a million: they turn No Active Line over a few minutes
        how_many = all_matching.how_many(current_user.workspace_id, filters["status"], filters["q"])
        flash(
            f"No active line: {how_many} leads will say No Active Line; they are being marked now. "
            "Set up a line to check them.",
            "error",
        )
    elif batch is None and no_line:
        flash("No active line: the leads show No Active Line. Set up a line first.", "error")
    elif batch is None:
        flash("None of those leads are here any more.", "error")
    elif by_worker:  # the batch shows once the worker has marked its first leads
        flash("Checking every lead matching this filter: they turn Checking in a moment.", "success")
    return back


@bp.post("/batches/<int:batch_id>/cancel")
def cancel_batch(batch_id: int):
    batch = owned_or_404(CheckBatch, batch_id, current_user.workspace_id)
    stopped = batch_checks.cancel_batch(batch)
    flash(f"Check cancelled: {stopped} leads were not checked.", "success")
    return redirect(url_for("leads.index"))


bp.add_app_template_filter(formatting.address_filter, "address_text")
bp.add_app_template_filter(formatting.ago_filter, "ago")
bp.add_app_template_filter(formatting.extra_addresses_filter, "extra_addresses")


@bp.app_template_filter("row_state")
def row_state(lead: Lead) -> str:
    """A short fingerprint of what a lead's row shows while it is being checked."""
    return format(zlib.crc32(f"{lead.status}|{lead.error or ''}".encode()), "x")


@bp.get("/updates")
@reads_only
def updates():
    """One poll for the whole page: the watched rows whose state changed and the progress of the
    watched batches, as out-of-band swaps. However many rows are Checking, a page makes one request
    every 2 s; 286 stops the polling once nothing on the page is running."""
    watched = dict(w.partition(":")[::2] for w in request.args.getlist("lead"))
    ids = [i for i in map(as_id, watched) if i][:500]
    leads = lead_store.leads_by_id(current_user.workspace_id, ids)
    batch_ids = [i for i in map(as_id, request.args.getlist("batch")) if i][:10]
    with_progress = batch_progress.batches_with_progress(current_user.workspace_id, batch_ids) if batch_ids else []
    running = any(lead.status == LeadStatus.CHECKING for lead in leads) or any(
        p["done"] < p["total"] and not b.cancelled_at for b, p in with_progress
    )
    changed = [lead for lead in leads if row_state(lead) != watched.get(str(lead.id))]
    html = render_template(
        "leads/_updates.html",
        batches=with_progress,
        leads=changed,
        # While anything runs the chips' counts move: the tally's few rows, sent with the rest.
        counts=lead_store.status_counts(current_user.workspace_id) if changed or with_progress else None,
        filters=_filters(request.args),
        statuses=list(LeadStatus),
    )
    return html, 200 if running else 286


@bp.get("/export.csv")
def export():
    filters = _filters(request.args)
    condition = lead_store.matching(current_user.workspace_id, filters["status"], filters["q"])
    query = (
        lead_store.in_order(condition, filters["sort"])
        .with_only_columns(*exports.columns())
        .execution_options(yield_per=1000)
    )

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
        return _refused(form, {"": " ".join(error for errors in form.errors.values() for error in errors)})
    try:
        lead, read = lead_store.create_lead(current_user.workspace, form.data)
    except lead_store.InvalidLead as exc:
        return _refused(
            form, {f: f"{FIELDS[f].label} {problem}: nothing was saved." for f, problem in exc.problems.items()}
        )
    except lead_store.NoAddress as exc:
        return _refused(form, {"": str(exc)})
    for value in read:
        if value.invalid:
            flash(f"“{value.raw}” is {value.problem}: kept as typed, shown as invalid, never checked.", "warning")
    message = _start_check(lead)
    if message:
        flash(message, "error")
    return redirect(url_for("leads.index"))


def _refused(form: LeadForm, problems: dict[str, str]):
    """The page again, its form open with what was typed and each problem beside its field."""
    typed = {field.key: (form[field.key].data or "") for field in LEAD_FIELDS}
    return _index_page(typed, problems, 400)


@bp.get("/<int:lead_id>")
def show(lead_id: int):
    lead = owned_or_404(Lead, lead_id, current_user.workspace_id)
    sent = db.session.scalars(
        db.select(SentMessage).where(SentMessage.lead_id == lead.id).order_by(SentMessage.id.desc()).limit(100)
    ).all()
    # A lead without a name (as Quick Send makes them) goes by its first address until given one.
    title = lead.name or next((v.raw for v in lead.address_fields() if v.normalised), f"Lead {lead.id}")
    return render_template(
        "leads/show.html", lead=lead, title=title, sent=sent, answers=lead_store.last_answers(lead), lead_fields=FIELDS
    )


@bp.post("/<int:lead_id>/check")
def check(lead_id: int):
    lead = owned_or_404(Lead, lead_id, current_user.workspace_id)
    # The button is a deliberate re-check: ask the lines again rather than reuse an answer.
    message = _start_check(lead, fresh=True)
    if not request.headers.get("HX-Request"):  # the lead page's plain form
        if message:
            flash(message, "error")
        return redirect(url_for("leads.show", lead_id=lead.id))
    # The watcher may have stopped (nothing was running): a fresh one picks this row up.
    return render_template("leads/_row.html", lead=lead, message=message)


def _start_check(lead: Lead, fresh: bool = False) -> str | None:
    try:
        lead_checks.request_check(lead, fresh=fresh)
    except BackgroundUnavailable as exc:
        return str(exc)
    return None
