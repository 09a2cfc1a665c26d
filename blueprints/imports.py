"""Leads → Import: upload a spreadsheet, confirm the columns, watch the import, read the report."""

import unicodedata
from itertools import chain
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from blueprints.scoping import owned_or_404
from extensions import db
from models import Upload, UploadState
from services.imports import storage, uploads
from services.imports.mapping import IMPORT_FIELDS, column_problems, mapping_problem
from services.imports.reader import ImportFileError

bp = Blueprint("imports", __name__, url_prefix="/leads/import")


@bp.before_request
@login_required
def _signed_in():
    pass


def _upload(upload_id: int) -> Upload:
    return owned_or_404(Upload, upload_id, current_user.workspace_id)


@bp.errorhandler(storage.StorageUnavailable)
def _storage_unavailable(exc):
    # The object storage is away (the database store fails as the database does): said on the
    # Import page, whichever step asked.
    flash(exc.for_people, "error")
    return redirect(url_for("imports.index"))


@bp.get("/")
def index():
    recent = db.session.scalars(
        db.select(Upload).where(Upload.workspace_id == current_user.workspace_id).order_by(Upload.id.desc()).limit(10)
    ).all()
    return render_template("imports/index.html", recent=recent)


@bp.post("/")
def create():
    try:
        upload, _ = uploads.receive(current_user.workspace_id, request.files.get("file"))
    except ImportFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.index"))
    return redirect(url_for("imports.show", upload_id=upload.id))


@bp.get("/<int:upload_id>")
def show(upload_id: int):
    upload = _upload(upload_id)
    if upload.state != UploadState.MAPPING:
        return render_template("imports/show.html", upload=upload)
    return _mapping_page(upload, upload.mapping)


def _mapping_page(upload: Upload, mapping: list[str | None], status: int = 200):
    """One row per column of the file: its header, a few of its values, the field it goes to. A
    problem is said once: beside the column it concerns, or above them all when it is no column's."""
    try:
        samples = uploads.column_samples(upload)
    except (ImportFileError, OSError):
        abort(410)  # the stored file is gone
    by_column = column_problems(upload.headers, mapping)
    return render_template(
        "imports/mapping.html",
        upload=upload,
        mapping=mapping,
        samples=samples,
        fields=IMPORT_FIELDS,
        problem=None if by_column else mapping_problem(mapping),
        column_problems=by_column,
    ), status


@bp.post("/<int:upload_id>")
def confirm(upload_id: int):
    upload = _upload(upload_id)
    mapping = [request.form.get(f"column-{i}") or None for i in range(len(upload.headers))]
    if any(field not in IMPORT_FIELDS for field in mapping if field):
        abort(400)
    if upload.state == UploadState.MAPPING and mapping_problem(mapping):
        # Drawn again with the fields as chosen, the problem beside its column: nothing is lost.
        return _mapping_page(upload, mapping, 400)
    try:
        uploads.start(upload, mapping)
    except ImportFileError as exc:
        flash(str(exc), "error")
    return redirect(url_for("imports.show", upload_id=upload.id))


@bp.get("/<int:upload_id>/progress")
def progress(upload_id: int):
    upload = _upload(upload_id)
    # 286 tells htmx to stop polling once the import has finished.
    return render_template("imports/_progress.html", upload=upload), 286 if upload.finished else 200


@bp.get("/<int:upload_id>/problems.csv")
def problems(upload_id: int):
    upload = _upload(upload_id)
    chunks = storage.chunks(upload.stored_name, storage.PROBLEMS)
    first = next(chunks, None)
    if first is None:
        abort(404)
    # Streamed a chunk at a time, read from the database (or the bucket) as the client takes them.
    response = Response(stream_with_context(chain([first], chunks)), mimetype="text/csv")
    name = f"problems-{upload.filename.rsplit('.', 1)[0]}.csv"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    # As send_file names a download: the name in UTF-8 for the browsers that read it, ASCII for the rest.
    utf8_name = {"filename*": f"UTF-8''{quote(name)}"}
    response.headers.set("Content-Disposition", "attachment", filename=ascii_name, **utf8_name)
    return response
