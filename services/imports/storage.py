"""Where uploaded files and their problem rows live: somewhere every host reads, never a local disk.

The database by default (models/upload_chunks.py); S3-compatible object storage when
UPLOAD_STORAGE_URL names a bucket (storage_s3.py). Either keeps a stored name's file (FILE) and
problem rows (PROBLEMS) as numbered chunks of about CHUNK_BYTES, written and read one at a time: no
host ever holds a whole file. A reader that needs a file (a seekable zip, the CSV sniffing) gets a
local temporary copy, deleted when it is done (`spooled`).
"""

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

from extensions import db
from models import UploadChunk

CHUNK_BYTES = 1024 * 1024
# Local temporary copies of uploads (scratch), in the system's temporary folder.
SCRATCH_PREFIX = "bbcheck-upload-"
FILE, PROBLEMS = "file", "problems"


class StorageUnavailable(Exception):
    """The object storage did not do what was asked (unreachable, its bucket missing, the
    credentials refused): nothing is wrong with the file, and it may work again later."""

    for_people = "File storage is unavailable right now; try again in a minute."


class Store(Protocol):
    def put(self, name: str, kind: str, seq: int, data: bytes) -> None:
        """Write one chunk; the same seq again replaces it."""

    def chunks(self, name: str, kind: str) -> Iterator[bytes]:
        """The chunks in seq order, one at a time; none when nothing is stored."""

    def delete(self, name: str, kind: str) -> None: ...


class DatabaseStore:
    """Chunks in the upload_chunk table, written in the caller's transaction: a file is stored with
    its upload row, and a chunk of problem rows with the import's counters (a resumed import
    neither repeats nor loses any)."""

    table = UploadChunk.__table__

    def put(self, name: str, kind: str, seq: int, data: bytes) -> None:
        t = self.table
        db.session.execute(t.delete().where(t.c.stored_name == name, t.c.kind == kind, t.c.seq == seq))
        db.session.execute(t.insert().values(stored_name=name, kind=kind, seq=seq, data=data))

    def chunks(self, name: str, kind: str) -> Iterator[bytes]:
        t, seq = self.table, -1
        # One query a chunk: no driver buffers a whole result of megabyte rows.
        while True:
            row = db.session.execute(
                db.select(t.c.seq, t.c.data)
                .where(t.c.stored_name == name, t.c.kind == kind, t.c.seq > seq)
                .order_by(t.c.seq)
                .limit(1)
            ).first()
            if row is None:
                return
            seq = row.seq
            yield bytes(row.data)

    def delete(self, name: str, kind: str) -> None:
        t = self.table
        db.session.execute(t.delete().where(t.c.stored_name == name, t.c.kind == kind))


def init_app(app: Flask) -> None:
    """Choose the store from UPLOAD_STORAGE_URL. Raises config.SettingsError for one it can't use."""
    url = app.config.get("UPLOAD_STORAGE_URL")
    if url:
        from .storage_s3 import S3Store  # noqa: PLC0415 - boto3 is loaded only by those who use it

        app.extensions["upload_storage"] = S3Store(url)
    else:
        app.extensions["upload_storage"] = DatabaseStore()


def store() -> Store:
    return current_app.extensions["upload_storage"]


def save(name: str, stream: BinaryIO, copy: BinaryIO) -> None:
    """Store a file read from `stream` a chunk at a time, writing it to `copy` (local scratch, for
    reading its first rows) as it goes. With the database, it is committed with the caller's
    transaction."""
    backend, seq = store(), 0
    while data := stream.read(CHUNK_BYTES):
        backend.put(name, FILE, seq, data)
        copy.write(data)
        seq += 1
    copy.flush()


def chunks(name: str, kind: str) -> Iterator[bytes]:
    return store().chunks(name, kind)


def append(name: str, kind: str, seq: int, data: bytes) -> None:
    store().put(name, kind, seq, data)


def delete(name: str, kind: str) -> None:
    store().delete(name, kind)


@contextmanager
def scratch() -> Iterator[BinaryIO]:
    """A local temporary file, deleted on leaving, and locked while in use: a process killed with
    one (SIGKILL, the OOM killer: no `finally` runs) drops the lock, and the next scratch on this
    host deletes its file instead of leaving up to MAX_UPLOAD_MB behind for each."""
    _delete_abandoned()
    with tempfile.NamedTemporaryFile(prefix=SCRATCH_PREFIX) as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        yield file


def _delete_abandoned() -> None:
    # An old one only: a file just made may not be locked yet.
    cutoff = time.time() - 60
    for path in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            with open(path, "rb") as file:
                if os.fstat(file.fileno()).st_mtime > cutoff:
                    continue
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: in use
                path.unlink()
        except OSError:  # in use, or gone already
            continue


@contextmanager
def spooled(name: str, first: int | None = None) -> Iterator[Path]:
    """A local temporary copy of the stored file (with `first`, of that many chunks only), deleted
    on leaving. Raises FileNotFoundError when none is stored."""
    with scratch() as out:
        found = False
        for data in islice(chunks(name, FILE), first):
            out.write(data)
            found = True
        if not found:
            raise FileNotFoundError(f"upload {name} is not stored")
        out.flush()
        yield Path(out.name)
