"""The Operations page: queue, workers, failed jobs (with retry), lines' health and pace."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from services import operations

bp = Blueprint("operations", __name__, url_prefix="/operations")


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.get("/")
def index():
    workspace = current_user.workspace_id
    return render_template(
        "operations/index.html",
        counts=operations.queue_counts(),
        workers=operations.workers(),
        failed=operations.failed_jobs(workspace),
        lines=operations.line_paces(workspace),
    )


@bp.post("/failed/<job_id>/retry")
def retry(job_id: str):
    if not operations.retry(current_user.workspace_id, job_id):
        abort(404)
    flash("Queued again.", "success")
    return redirect(url_for("operations.index"))
