"""upload_chunk: uploaded files and their problem rows, in the database every host reads

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 12:00:00

The files stored before, in `uploads/` of the instance folder of the host running this upgrade,
are copied in (1 MB a chunk, one chunk in memory at a time): the problem rows of every import, and
the file of an upload not finished yet. They are left where they were, for the operator to delete.
Files on other hosts' disks are not seen: upgrade where the uploads folder is (the shared folder
the README asked for).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

CHUNK_BYTES = 1024 * 1024
UNFINISHED = ("mapping", "queued", "importing")


def upgrade():
    op.create_table(
        "upload_chunk",
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stored_name", "kind", "seq"),
    )
    folder = Path(current_app.instance_path) / "uploads"
    if folder.is_dir():
        _copy_stored_files(folder)


def _copy_stored_files(folder: Path) -> None:
    upload = sa.table("upload", sa.column("stored_name", sa.String), sa.column("state", sa.String))
    chunk = sa.table(
        "upload_chunk",
        sa.column("stored_name", sa.String),
        sa.column("kind", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("data", sa.LargeBinary),
    )
    connection = op.get_bind()
    states = dict(connection.execute(sa.select(upload.c.stored_name, upload.c.state)).all())
    for path in sorted(folder.iterdir()):
        problems = path.name.endswith(".problems.csv")
        name = path.name.removesuffix(".problems.csv")
        if name not in states or not (problems or states[name] in UNFINISHED):
            continue
        with open(path, "rb") as f:
            seq = 0
            while data := f.read(CHUNK_BYTES):
                kind = "problems" if problems else "file"
                connection.execute(chunk.insert().values(stored_name=name, kind=kind, seq=seq, data=data))
                seq += 1


def downgrade():
    op.drop_table("upload_chunk")
