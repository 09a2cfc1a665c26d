"""An upload's life before the import job: store the file, read its header, guess the mapping,
and queue the import once the mapping is confirmed. Shared by the Import page and the API."""

import logging
import uuid
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from extensions import db
from models import Upload, UploadState, utcnow

from . import storage
from .mapping import guess_mapping, mapping_problem
from .reader import ImportFileError, first_rows

# The mapping page shows a few values of each column, read from the file's first rows: enough
# rows that a sparse column (a second phone, filled now and then) still shows some.
PREVIEW_ROWS = 20
SAMPLES = 3
PREVIEW_CHUNKS = 2

log = logging.getLogger(__name__)


def column_samples(upload: Upload) -> list[list[str]]:
    """Up to SAMPLES distinct values of each column, blanks skipped. Raises ImportFileError or
    OSError when the stored file can't be read."""
    # A CSV's first rows are in its first megabytes; a workbook is read whole (its zip index is at the end).
    with storage.spooled(upload.stored_name, PREVIEW_CHUNKS if upload.kind == "csv" else None) as path:
        _, table = first_rows(path, PREVIEW_ROWS)
    samples: list[list[str]] = [[] for _ in upload.headers]
    for row in table[1:]:
        for values, value in zip(samples, row):
            value = value.strip()
            if value and len(values) < SAMPLES and value not in values:
                values.append(value)
    return samples


def receive(workspace_id: int, file: FileStorage) -> tuple[Upload, list[list[str]]]:
    """Store the file and read its first rows; returns the upload and the preview rows.
    Raises ImportFileError (and keeps nothing) when it can't be read, StorageUnavailable when it
    can't be stored."""
    if not file or not file.filename:
        raise ImportFileError("Choose a CSV or XLSX spreadsheet, or a vCard file, to upload.")
    stored_name = uuid.uuid4().hex
    filename = Path(file.filename).name[:255]
    # Stored a chunk at a time (the request body is never held whole), and copied to local scratch
    # meanwhile for reading its first rows.
    with storage.scratch() as copy:
        try:
            storage.save(stored_name, file.stream, copy)
            fmt, table = first_rows(Path(copy.name), PREVIEW_ROWS)
        except ImportFileError as exc:
            exc.upload_id = _refused(workspace_id, filename, stored_name, str(exc))
            raise
        except Exception:  # StorageUnavailable mostly
            db.session.rollback()
            if copy.tell():  # chunks were stored: they go, if the storage lets us
                with suppress(storage.StorageUnavailable):
                    storage.delete(stored_name, storage.FILE)
            raise
    headers = [h.strip() or f"Column {i + 1}" for i, h in enumerate(table[0])]
    upload = Upload(
        workspace_id=workspace_id,
        filename=filename,
        stored_name=stored_name,
        kind=fmt.kind,
        encoding=fmt.encoding,
        delimiter=fmt.delimiter,
        headers=headers,
        mapping=guess_mapping(headers),
    )
    db.session.add(upload)
    db.session.commit()
    return upload, table[1:]


def _refused(workspace_id: int, filename: str, stored_name: str, reason: str) -> int:
    """Listed under Recent imports with its reason; the file itself is not kept."""
    db.session.rollback()  # the chunks stored so far (refuse deletes them from object storage)
    refused = Upload(workspace_id=workspace_id, filename=filename, stored_name=stored_name, kind="")
    db.session.add(refused)
    refuse(refused, reason)
    return refused.id


def start(upload: Upload, mapping: list[str | None]) -> None:
    """Confirm the mapping and queue the import. Raises ImportFileError when it can't be used."""
    if upload.state != UploadState.MAPPING:
        raise ImportFileError("This file is already being imported.")
    mapping = (list(mapping) + [None] * len(upload.headers))[: len(upload.headers)]
    problem = mapping_problem(mapping)
    if problem:
        raise ImportFileError(problem)
    upload.mapping = mapping
    upload.state = UploadState.QUEUED
    try:
        queue_import(upload)
    except Exception as exc:  # Redis unreachable: keep the upload waiting for another try
        upload.state = UploadState.MAPPING
        db.session.commit()
        raise ImportFileError("Background work is unavailable right now; try again shortly.") from exc


def queue_import(upload: Upload) -> None:
    """Queue the upload's import job, noting when: a job Redis lost is told by it (below)."""
    from services.queue import enqueue_import

    upload.queued_at = utcnow()
    db.session.commit()
    enqueue_import(upload.id)


def requeue_lost_imports() -> int:
    """Queue again the import of every upload queued or importing whose job Redis no longer holds
    (restarted empty or from an older snapshot, flushed): it resumes where it stopped, and then
    queues its batch's checks. Told from the uploads and the jobs' ids, left alone for
    CHECK_LOST_AFTER_SECONDS after being queued (the job goes in just after). An import that
    failed for good stays in Redis's failed registry, for a person to retry. Returns how many."""
    from services.queue import enqueue_import, jobs_in_redis

    cutoff = utcnow() - timedelta(seconds=current_app.config["CHECK_LOST_AFTER_SECONDS"])
    # Uploads first, jobs second: a job queued in between is seen.
    waiting = db.session.scalars(
        db.select(Upload.id).where(
            Upload.state.in_((UploadState.QUEUED, UploadState.IMPORTING)),
            db.or_(Upload.queued_at.is_(None), Upload.queued_at <= cutoff),
        )
    ).all()
    db.session.rollback()
    if not waiting:
        return 0
    in_redis = jobs_in_redis().imports
    lost = [upload_id for upload_id in waiting if upload_id not in in_redis]
    for upload_id in lost:
        enqueue_import(upload_id)
    return len(lost)


def refuse(upload: Upload, reason: str) -> None:
    """The upload won't be imported: it is marked failed with why, and its file deleted."""
    upload.state, upload.finished_at, upload.error = UploadState.FAILED, utcnow(), reason[:500]
    db.session.commit()
    discard(upload)


def discard(upload: Upload) -> None:
    """Delete the uploaded file once its import has finished (its report and problem rows stay).
    The bucket not answering leaves the file there, logged: the import's end (its checks queued,
    its webhook) and the periodic sweep (re-checks after the abandoned uploads) go on."""
    try:
        storage.delete(upload.stored_name, storage.FILE)
    except storage.StorageUnavailable:
        log.warning("Upload %d finished; its file is left in the bucket, which did not answer", upload.id)
    db.session.commit()


def discard_abandoned() -> int:
    """Delete the files of uploads left at the mapping step longer than UPLOAD_RETENTION_HOURS; each
    upload says why it was not imported. Returns how many."""
    cutoff = utcnow() - timedelta(hours=current_app.config["UPLOAD_RETENTION_HOURS"])
    abandoned = db.session.scalars(
        db.select(Upload).where(Upload.state == UploadState.MAPPING, Upload.created_at < cutoff)
    ).all()
    for upload in abandoned:
        upload.state, upload.finished_at = UploadState.FAILED, utcnow()
        upload.error = "Nothing was imported: the columns were not confirmed in time, and the file was deleted."
    db.session.commit()  # marked first: a file is never gone from an upload still waiting for it
    for upload in abandoned:
        discard(upload)
    return len(abandoned)


def report(upload: Upload) -> dict:
    return {
        "imported": upload.imported,
        "duplicates": upload.duplicates,
        "invalid": upload.invalid,
        "empty": upload.empty,
        "importedWithInvalidFields": upload.invalid_fields,
    }
