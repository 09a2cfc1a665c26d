"""The import itself (run by the import job): stream the rows, sort each into imported, duplicate,
invalid or empty, insert in chunks, write the problem rows to a CSV, then check the new leads.

Each chunk's leads and the upload's counters are committed together, so a re-run after a crash
resumes after the last committed row instead of importing anything twice.
"""
import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from flask import current_app

import lead_checks
from availability.addresses import ADDRESS_FIELDS, read_field
from extensions import db
from models import Lead, Upload, UploadState, Workspace, utcnow

from .mapping import LEAD_FIELDS
from .reader import FileFormat, ImportFileError, count_rows, rows
from .uploads import problems_path, upload_path

CHUNK = 1000
NAME_LIMITS = {"first_name": 100, "last_name": 100, "company": 200}


def run_import(upload_id: int) -> None:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.state not in (UploadState.QUEUED, UploadState.IMPORTING):
        return  # finished already, or never confirmed
    try:
        _import(upload)
    except Exception as exc:
        db.session.rollback()
        upload = db.session.get(Upload, upload_id)
        upload.state = UploadState.FAILED
        reason = str(exc) if isinstance(exc, ImportFileError) else "an unexpected error"
        if upload.rows_done:
            upload.error = (f"The import stopped after {upload.rows_done} of {upload.rows_total} rows "
                            f"({upload.imported} leads imported) because of {reason}.")[:500]
        else:
            upload.error = f"Nothing was imported because of {reason}."[:500]
        upload.finished_at = utcnow()
        db.session.commit()
        if not isinstance(exc, ImportFileError):
            raise
        return
    # The new leads are checked as one batch (or told No Active Line).
    upload.batch_id = getattr(lead_checks.start_batch(upload.workspace_id, "upload",
                                                      Lead.upload_id == upload.id), "id", None)
    db.session.commit()


def _import(upload: Upload) -> None:
    path, fmt = upload_path(upload), FileFormat(upload.kind, upload.encoding, upload.delimiter)
    region = db.session.get(Workspace, upload.workspace_id).default_region
    resuming = upload.state == UploadState.IMPORTING
    if not resuming:
        upload.rows_total = count_rows(path, fmt)
        limit = current_app.config["MAX_IMPORT_ROWS"]
        if upload.rows_total > limit:
            raise ImportFileError(f"the file has {upload.rows_total:,} rows, more than the limit of {limit:,}")
        upload.state = UploadState.IMPORTING
        db.session.commit()

    seen: dict[str, int] = {}  # normalised address -> the file row that first had it
    with open(problems_path(upload), "a" if resuming else "w", newline="", encoding="utf-8") as out:
        problems = csv.writer(out)
        if not resuming:
            problems.writerow(["row", "reason", *upload.headers])
        data = rows(path, fmt)
        next(data, None)  # the header
        numbered = enumerate(data, start=2)  # row 1 is the header, as a spreadsheet numbers them
        for _ in islice(numbered, upload.rows_done):
            pass
        for chunk in _chunks(numbered, CHUNK):
            _import_chunk(upload, chunk, region, seen, problems)
            out.flush()
    upload.state = UploadState.DONE
    upload.finished_at = utcnow()
    db.session.commit()


def _chunks(items: Iterator, size: int) -> Iterable[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def _import_chunk(upload: Upload, chunk: list[tuple[int, list[str]]], region: str,
                  seen: dict[str, int], problems) -> None:
    candidates = []
    for number, cells in chunk:
        values = {field: cells[i].strip() for i, field in enumerate(upload.mapping)
                  if field and i < len(cells)}
        if not any(values.values()):
            upload.empty += 1
            continue
        lead, keys, bad = _lead(values, region)
        if not keys:
            upload.invalid += 1
            problems.writerow([number, "; ".join(bad) or "no phone number or email address", *cells])
            continue
        candidates.append((number, cells, lead, keys, bad))

    existing = _existing(upload.workspace_id, {k for *_, keys, _ in candidates for k in keys})
    new = []
    for number, cells, lead, keys, bad in candidates:
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier or keys & existing:
            upload.duplicates += 1
            where = f"row {earlier} of this file" if earlier else "a lead already in this workspace"
            problems.writerow([number, f"duplicate of {where}", *cells])
            continue
        for key in keys:
            seen[key] = number
        if bad:
            upload.invalid_fields += 1
            problems.writerow([number, "imported; kept as typed but invalid: " + "; ".join(bad), *cells])
        new.append({**lead, "workspace_id": upload.workspace_id, "upload_id": upload.id})
    if new:
        db.session.execute(db.insert(Lead), new)
    upload.imported += len(new)
    upload.rows_done += len(chunk)
    db.session.commit()


def _lead(values: dict[str, str], region: str) -> tuple[dict, set[str], list[str]]:
    """The lead's column values, the addresses that identify it, and what was invalid."""
    lead = {field: "" for field in NAME_LIMITS}
    if values.get("full_name") and not (values.get("first_name") or values.get("last_name")):
        first, _, last = values["full_name"].partition(" ")
        values = {**values, "first_name": first, "last_name": last.strip()}
    for field, limit in NAME_LIMITS.items():
        lead[field] = values.get(field, "")[:limit]
    valid, bad = [], []
    for field, kind in ADDRESS_FIELDS:
        value = read_field(field, kind, values.get(field), region)
        lead[field], lead[f"{field}_norm"] = value.raw[:254], value.normalised
        if value.invalid:
            bad.append(f"{LEAD_FIELDS[field]} “{value.raw[:60]}”: {value.problem}")
        elif value.normalised:
            valid.append((field, value.normalised))
    # A lead is known by its primary phone and email; failing those, its first valid address.
    keys = {norm for field, norm in valid if field in ("phone", "email")} or {norm for _, norm in valid[:1]}
    return lead, keys, bad


def _existing(workspace_id: int, keys: set[str]) -> set[str]:
    if not keys:
        return set()
    found = set()
    for column in (Lead.phone_norm, Lead.email_norm):
        found.update(db.session.scalars(
            db.select(column).where(Lead.workspace_id == workspace_id, column.in_(keys))))
    return found
