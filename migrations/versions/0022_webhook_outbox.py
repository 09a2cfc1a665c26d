"""webhook_outbox: each attempt a webhook message is owed, kept in the database before Redis;
check_batch.announced_at: a batch's completion announced once, marked in the database

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 04:40:00

A row per (endpoint, message) holds the message's next attempt and when it is due; it goes with
its endpoint (ON DELETE CASCADE). Batches from before have no mark: one done was announced already
(the mark was in Redis) and is never asked again; one still running is announced when done.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint_id", "message_id", name="uq_webhook_outbox_message"),
    )
    op.create_index("ix_webhook_outbox_due_at", "webhook_outbox", ["due_at"], unique=False)
    op.add_column("check_batch", sa.Column("announced_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("check_batch") as batch_op:
        batch_op.drop_column("announced_at")
    op.drop_index("ix_webhook_outbox_due_at", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
