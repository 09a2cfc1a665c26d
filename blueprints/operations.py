"""The Operations page: queue, workers, failed jobs (with retry), lines' health and pace."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from services import operations

bp = Blueprint("operations", __name__, url_prefix="/operations")


@bp.before_request
@login_required
def _signed_in():
    pass


# The page polls its live part this often, while its tab is visible (static/page.js).
REFRESH_SECONDS = 5


def _live() -> dict:
    workspace = current_user.workspace_id
    return {
        "counts": operations.queue_counts(),
        "workers": operations.workers(),
        "failed": operations.failed_jobs(workspace),
        "lines": operations.line_paces(workspace),
        "refresh_seconds": REFRESH_SECONDS,
    }


@bp.get("/")
def index():
    return render_template("operations/index.html", **_live())


@bp.get("/live")
def live():
    """The page's live part, which it fetches every REFRESH_SECONDS."""
    return render_template("operations/_live.html", **_live())


@bp.post("/failed/<job_id>/retry")
def retry(job_id: str):
    if not operations.retry(current_user.workspace_id, job_id):
        abort(404)
    flash("Queued again.", "success")
    return redirect(url_for("operations.index"))
