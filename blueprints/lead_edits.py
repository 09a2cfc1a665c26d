"""Fixing leads: edit one, delete it or a selection of the table. Views of
the leads blueprint (app.py imports this module before registering it), kept apart for size."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from availability.fields import FIELDS, LEAD_FIELDS
from blueprints.leads import _filters, bp
from blueprints.scoping import as_id, owned_or_404
from extensions import db
from models import Lead
from services import lead_edits
from services import leads as lead_store


def _lead(lead_id: int) -> Lead:
    return owned_or_404(Lead, lead_id, current_user.workspace_id)


@bp.route("/<int:lead_id>/edit", methods=["GET", "POST"])
def edit(lead_id: int):
    lead = _lead(lead_id)
    if request.method == "GET":
        values = {field.key: getattr(lead, field.key) or "" for field in LEAD_FIELDS}
        return render_template("leads/edit.html", lead=lead, fields=LEAD_FIELDS, values=values, errors={})
    # Every field is posted; a field missing from the form is left as it is, not emptied.
    values = {field.key: request.form[field.key] for field in LEAD_FIELDS if field.key in request.form}
    errors = {}
    try:  # (the CSRF token was checked before the view, as for every form)
        edited = lead_edits.edit_lead(current_user.workspace, lead, values)
    except lead_store.InvalidLead as exc:
        errors = {field: f"{FIELDS[field].label} {problem}" for field, problem in exc.problems.items()}
    except lead_store.NoAddress as exc:
        errors[""] = str(exc)
    if errors:
        db.session.rollback()
        shown = {field.key: values.get(field.key, getattr(lead, field.key) or "") for field in LEAD_FIELDS}
        return render_template("leads/edit.html", lead=lead, fields=LEAD_FIELDS, values=shown, errors=errors), 422
    flash("Saved.", "success")
    for value in edited.read:
        if value.invalid:
            flash(f"“{value.raw}” is {value.problem}: kept as typed, shown as invalid, never checked.", "warning")
    if edited.message:
        flash(f"The addresses changed, but the lead could not be checked again: {edited.message}", "error")
    elif edited.rechecked:
        flash("The addresses changed: the lead is being checked again.", "success")
    return redirect(url_for("leads.show", lead_id=lead.id))


@bp.post("/<int:lead_id>/delete")
def delete(lead_id: int):
    lead = _lead(lead_id)
    name = lead.name or "the lead"
    lead_edits.delete_leads(current_user.workspace_id, Lead.id == lead.id)
    flash(f"Deleted {name}.", "success")
    return redirect(url_for("leads.index"))


@bp.post("/bulk-delete")
def bulk_delete():
    """Delete the selected leads, or every lead matching the table's filter: first a page saying
    which and how many (nothing is deleted), then, confirmed there, the deletion."""
    filters = _filters(request.form)
    page = request.form.get("page", type=int)
    # Back to the table as the user left it: same filter, same page.
    back = url_for("leads.index", page=page, **{name: value for name, value in filters.items() if value})
    everything = bool(request.form.get("all_matching"))
    if everything:
        which = lead_store.matching(current_user.workspace_id, filters["status"], filters["q"])
    else:
        ids = sorted({i for i in map(as_id, request.form.getlist("lead_ids")) if i})
        if not ids:
            flash("Select the leads to delete first.", "error")
            return redirect(back)
        which = db.and_(Lead.workspace_id == current_user.workspace_id, Lead.id.in_(ids))
    if not request.form.get("confirmed"):
        count = db.session.scalar(db.select(db.func.count()).select_from(Lead).where(which))
        names = db.session.scalars(db.select(Lead).where(which).order_by(Lead.id.desc()).limit(10)).all()
        ids = [] if everything else ids
        return render_template(
            "leads/delete.html",
            count=count,
            names=names,
            ids=ids,
            everything=everything,
            filters={**filters, "page": page},
            back=back,
        )
    deleted = lead_edits.delete_leads(current_user.workspace_id, which)
    flash(f"Deleted {deleted:,} lead{'s' if deleted != 1 else ''}.", "success")
    return redirect(back)
