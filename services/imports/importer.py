"""The import itself (run by the import job): stream the rows, sort each into imported, duplicate,
invalid or empty, insert in chunks, store the problem rows as a CSV, then check the new leads.

Each chunk's leads, problem rows and the upload's counters are committed together, so a re-run
after a crash resumes after the last committed row instead of importing anything twice. The stored
file is read from a local temporary copy (storage.spooled), made by whichever host runs the job.
"""

import io
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from flask import current_app

from availability.addresses import InvalidAddress, normalise
from availability.fields import ADDRESS_FIELDS, LEAD_FIELDS, NAME_FIELDS
from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, Upload, UploadState, Workspace, dialects, search_text, utcnow
from services import leads as lead_store
from services import metrics
from services.checks import batches as batch_checks
from services.exports import SafeCsvWriter
from services.webhooks import events as webhook_events

from . import assembly, storage
from .met import Met
from .reader import FileFormat, ImportFileError, UnreadRow, count_rows, rows
from .uploads import discard

CHUNK = 1000


def run_import(upload_id: int) -> None:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.state not in (UploadState.QUEUED, UploadState.IMPORTING):
        return  # finished already, or never confirmed
    if upload.state == UploadState.QUEUED and upload.batch_id is None:
        # New leads are written already Checking in this batch (or No Active Line without a line),
        # so the end of the import only has to queue them. A job run again keeps the first one's.
        batch = batch_checks.open_batch(upload.workspace_id, "upload")
        upload.batch_id = batch.id if batch else None
        db.session.commit()
    try:
        _import(upload)
    except storage.StorageUnavailable:
        db.session.rollback()  # left as it is, for RQ's next try to resume, as after a crash
        raise
    except Exception as exc:
        db.session.rollback()
        _failed(db.session.get(Upload, upload_id), exc)
        if not isinstance(exc, ImportFileError):
            raise
    finally:
        upload = db.session.get(Upload, upload_id)
        if upload.finished:  # its report is stored; a crash mid-import keeps the file to resume from
            discard(upload)
        # What was imported gets checked, even when the import stopped early.
        if upload.batch_id and upload.imported:
            batch_checks.queue_batch(db.session.get(CheckBatch, upload.batch_id))
        if upload.finished:
            webhook_events.upload_finished(upload.workspace_id, upload.id)


def _failed(upload: Upload, exc: Exception) -> None:
    upload.state = UploadState.FAILED
    reason = str(exc) if isinstance(exc, ImportFileError) else "an unexpected error"
    if upload.rows_done:
        upload.error = (
            f"The import stopped after {upload.rows_done} of {upload.rows_total} rows "
            f"({upload.imported} leads imported) because of {reason}."
        )[:500]
    else:
        upload.error = f"Nothing was imported because of {reason}."[:500]
    upload.finished_at = utcnow()
    db.session.commit()


def _import(upload: Upload) -> None:
    with storage.spooled(upload.stored_name) as path:
        _import_file(upload, path)


def _import_file(upload: Upload, path) -> None:
    fmt = FileFormat(upload.kind, upload.encoding, upload.delimiter)
    region = db.session.get(Workspace, upload.workspace_id).default_region
    resuming = upload.state == UploadState.IMPORTING
    if not resuming:
        limit = current_app.config["MAX_IMPORT_ROWS"]
        upload.rows_total = count_rows(path, fmt, limit)
        if upload.rows_total > limit:
            raise ImportFileError(f"the file has more than the limit of {limit:,} rows")
        upload.state = UploadState.IMPORTING
        _store_problems(upload, 0, [["row", "reason", *upload.headers]])
        db.session.commit()

    # The addresses met: the workspace's, read once instead of asked per row, then each row's.
    seen = _existing_keys(upload.workspace_id, upload.rows_total or 0)
    data = rows(path, fmt)
    next(data, None)  # the header
    numbered = enumerate(data, start=2)  # row 1 is the header, as a spreadsheet numbers them
    for _ in islice(numbered, upload.rows_done):
        pass
    processes = current_app.config["IMPORT_PROCESSES"]
    for chunk, parsed in _parsed_chunks(_chunks(numbered, CHUNK), upload.mapping, region, processes):
        _import_chunk(upload, chunk, parsed, seen)
    upload.state = UploadState.DONE
    upload.finished_at = utcnow()
    db.session.commit()


def _chunks(items: Iterator, size: int) -> Iterable[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def _parsed_chunks(chunks: Iterable[list], mapping: list, region: str, processes: int) -> Iterator[tuple[list, list]]:
    """Each chunk with its rows parsed and normalised, in order. Normalising (phonenumbers above
    all) is most of an import's work, so it runs on every core while this process writes to the
    database; at most two chunks per process are in flight, so the file is never read ahead whole."""
    if processes <= 1:
        yield from ((chunk, _parse_chunk(chunk, mapping, region)) for chunk in chunks)
        return
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, pool.apply_async(_parse_chunk, (chunk, mapping, region))))
            if len(pending) >= 2 * processes:
                chunk, result = pending.popleft()
                yield chunk, result.get()
        while pending:
            chunk, result = pending.popleft()
            yield chunk, result.get()


def _parse_chunk(chunk: list[tuple[int, list[str]]], mapping: list, region: str) -> list[tuple]:
    """(lead columns, keys, invalid fields) per row; the columns are None for an empty row.
    Plain tuples: they cross between processes, and pickle small."""
    parsed, columns = [], assembly.plan(mapping)
    for _, cells in chunk:
        values = assembly.values(columns, cells)
        parsed.append(_lead(values, region) if any(values.values()) else (None, set(), []))
    return parsed


def _store_problems(upload: Upload, seq: int, lines: list[list]) -> None:
    """A chunk of the problem-rows CSV, numbered by the file row it starts at (the header: 0)."""
    out = io.StringIO()
    problems = SafeCsvWriter(out)  # cells as uploaded: "=HYPERLINK(…)" must not run when opened
    for line in lines:
        problems.writerow(line)
    storage.append(upload.stored_name, storage.PROBLEMS, seq, out.getvalue().encode("utf-8"))


def _import_chunk(upload: Upload, chunk: list, parsed: list[tuple], seen: Met) -> None:
    new, problems, before = [], [], (upload.duplicates, upload.invalid, upload.empty)
    for (number, cells), (lead, keys, bad) in zip(chunk, parsed):
        if isinstance(cells, UnreadRow):  # a vCard the parser refused: the others still land
            upload.invalid += 1
            problems.append([number, cells.reason, *cells])
            continue
        if lead is None:
            upload.empty += 1
            continue
        if not keys:
            upload.invalid += 1
            problems.append([number, "; ".join(bad) or "no phone number or email address", *cells])
            continue
        earlier = max((row for key in keys if (row := seen.get(key)) is not None), default=None)
        if earlier is not None:
            upload.duplicates += 1
            where = f"row {earlier} of this file" if earlier else "a lead already in this workspace"
            problems.append([number, f"duplicate of {where}", *cells])
            continue
        for key in keys:
            seen.add(key, number)
        if bad:
            upload.invalid_fields += 1
            problems.append([number, "imported; kept as typed but invalid: " + "; ".join(bad), *cells])
        new.append(lead)
    if new:
        _insert(new, upload)
    if problems:
        _store_problems(upload, upload.rows_done + 1, problems)
    upload.imported += len(new)
    upload.rows_done += len(chunk)
    duplicate, invalid, empty = upload.duplicates - before[0], upload.invalid - before[1], upload.empty - before[2]
    db.session.commit()
    metrics.import_rows(imported=len(new), duplicate=duplicate, invalid=invalid, empty=empty)


def _insert(leads: list[tuple], upload: Upload) -> None:
    """One executemany straight to the driver, in the session's transaction: at 100,000 rows the
    ORM's (and even Core's) per-row parameter processing costs more than the database does. The
    chunk is tallied in one go (models/dialects.py says how, per database)."""
    connection = db.session.connection()
    to_db = Lead.__table__.c.created_at.type.bind_processor(connection.dialect)
    now = to_db(utcnow()) if to_db else utcnow()
    if upload.batch_id:
        state = {
            **batch_checks.checking_values(db.session.get(CheckBatch, upload.batch_id)),
            "status": LeadStatus.CHECKING.value,
        }
    else:
        state = {**batch_checks.NO_LINE_VALUES, "status": LeadStatus.NO_ACTIVE_LINE.value, "checked_at": now}
    state = {k: (to_db(v) if to_db and hasattr(v, "isoformat") else v) for k, v in state.items()}
    columns = [*LEAD_COLUMNS, "workspace_id", "upload_id", "created_at", "updated_at", *state]
    extra = (upload.workspace_id, upload.id, now, now, *state.values())
    rows = [lead + extra for lead in leads]
    with dialects.counted_in_bulk(connection, upload.workspace_id, upload.batch_id, state["status"], len(rows)):
        dialects.insert_many(connection, "lead", columns, rows)


# (field, kind, label), in check order; computed once, used 800,000 times.
_ADDRESS_COLUMNS = [(field.key, field.kind, field.label) for field in LEAD_FIELDS if field.kind]
# The order of the values _lead returns.
LEAD_COLUMNS = [
    *NAME_FIELDS,
    *(column for field, _ in ADDRESS_FIELDS for column in (field, f"{field}_norm")),
    "search_text",
]


def _lead(values: dict[str, str], region: str) -> tuple[tuple, set[str], list[str]]:
    """The lead's column values (LEAD_COLUMNS order), the addresses that identify it, and what was
    invalid. A value longer than its column makes the whole row invalid (no keys): cut, a name
    would be wrong and an address could become another one. (The reader's text holds no NUL or
    unpaired surrogate: CSV drops NULs and decodes with replacement, XML can carry neither.)"""
    if values.get("full_name") and not (values.get("first_name") or values.get("last_name")):
        first, _, last = values["full_name"].partition(" ")
        values = {**values, "first_name": first, "last_name": last.strip()}
    too_long = [
        f"{field.label} is longer than {field.max_length} characters"
        for field in LEAD_FIELDS
        if len(values.get(field.key, "")) > field.max_length
    ]
    if too_long:
        return (), set(), too_long
    lead = [values.get(field, "") for field in NAME_FIELDS]
    keys, fallback, bad = set(), None, []
    for field, kind, label in _ADDRESS_COLUMNS:
        raw = values.get(field, "")
        norm = None
        if raw:
            try:
                norm = normalise(raw, kind, region)
            except InvalidAddress as exc:
                bad.append(f"{label} “{raw[:60]}”: {exc.reason}")
        lead += (raw, norm)
        # A lead is known by its primary phone and email; failing those, its first valid address.
        if norm and field in ("phone", "email"):
            keys.add(norm)
        elif norm and fallback is None:
            fallback = norm
    names = len(NAME_FIELDS)
    addresses = zip(lead[names::2], lead[names + 1 :: 2])
    return (*lead, search_text(lead[:names], addresses)), keys or ({fallback} if fallback else set()), bad


def _existing_keys(workspace_id: int, rows: int) -> Met:
    """Primary phones and emails of the workspace's leads before this import (row 0), read in
    batches: a million leads' rows at once would be ~200 MB. Sized for them and `rows` more leads
    of a phone and an email each."""
    keys = Met(2 * (rows + lead_store.count_leads(workspace_id)))
    query = db.select(Lead.phone_norm, Lead.email_norm).where(Lead.workspace_id == workspace_id)
    for phone, email in db.session.execute(query.execution_options(yield_per=10_000)):
        for key in (phone, email):
            if key:
                keys.add(key, 0)
    return keys
