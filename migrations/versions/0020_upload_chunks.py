"""upload_chunk: uploaded files and their problem rows, in the database every host reads

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 12:00:00

Files stored before this revision stay in the instance folder of the host that received them and
are no longer read: upgrade when no upload is waiting at its mapping step or being imported.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload_chunk",
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("stored_name", "kind", "seq"),
    )


def downgrade():
    op.drop_table("upload_chunk")
