"""The API's imports: upload a file and follow its import. Views of the API blueprint (app.py
imports this module before registering it), under its token check and JSON errors."""

from flask import g, jsonify, request, url_for

from blueprints.api import bp
from blueprints.api_errors import ApiError
from blueprints.api_idempotency import idempotent
from blueprints.scoping import owned_or_404
from models import Upload
from services.api_json import upload_json
from services.imports import storage, uploads
from services.imports.reader import ImportFileError


@bp.post("/leads/import")
@idempotent
def import_leads():
    """Upload a spreadsheet; columns are matched automatically and the import runs in the background."""
    upload = None
    try:
        upload, _ = uploads.receive(g.workspace_id, request.files.get("file"))
        uploads.start(upload, upload.mapping)
    except ImportFileError as exc:
        if upload is not None:  # no one is left to fix its columns: it is listed as failed, with why
            uploads.refuse(upload, str(exc))
        upload_id = upload.id if upload is not None else exc.upload_id
        raise ApiError(400, str(exc), **({"uploadId": str(upload_id)} if upload_id else {})) from None
    except storage.StorageUnavailable as exc:  # nothing was kept: the same call can be made again
        raise ApiError(503, exc.for_people) from None
    status_url = url_for("api.upload_status", upload_id=upload.id)
    return jsonify(success=True, uploadId=str(upload.id), statusUrl=status_url), 202


@bp.get("/uploads/<int:upload_id>")
def upload_status(upload_id: int):
    upload = owned_or_404(Upload, upload_id, g.workspace_id)
    return jsonify(success=True, **upload_json(upload))
