"""A batch records when all its checks were queued, an upload when its import was

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 15:40:00

The workers' look for work Redis lost leaves a batch alone until it is queued (its leads wait with
no job behind them, and are not lost), and tells a lost import from the time it was queued.
Batches from before were queued when they were made (or Redis lost them, which the look is for):
they take their creation time; uploads waiting or importing, theirs.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('check_batch', 'upload'):
        op.add_column(table, sa.Column('queued_at', sa.DateTime(), nullable=True))
        rows = sa.table(table, sa.column('queued_at', sa.DateTime), sa.column('created_at', sa.DateTime))
        op.execute(rows.update().values(queued_at=rows.c.created_at))


def downgrade():
    for table in ('upload', 'check_batch'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('queued_at')
