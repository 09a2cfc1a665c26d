"""Uploaded files and their problem rows, kept in the database in chunks: every host (the web that
received a file, the worker that imports it) reads them there, and none is held whole in memory."""

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import Str


class UploadChunk(db.Model):
    # An upload's stored name (not its id: the file is stored before its upload row is written).
    stored_name: Mapped[str] = mapped_column(Str(64), primary_key=True)
    kind: Mapped[str] = mapped_column(Str(10), primary_key=True)  # "file" | "problems"
    # Order within the file; the problem rows' chunks are numbered by the file row they start at.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
