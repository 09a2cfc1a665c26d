"""A batch records when all its checks were queued

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 15:40:00

Until then its leads wait with no job behind them without being lost; the workers' sweep for lost
checks leaves them alone. Batches from before were queued when they were made (or Redis lost them,
which the sweep is for): they take their creation time.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('check_batch', sa.Column('queued_at', sa.DateTime(), nullable=True))
    batches = sa.table('check_batch', sa.column('queued_at', sa.DateTime), sa.column('created_at', sa.DateTime))
    op.execute(batches.update().values(queued_at=batches.c.created_at))


def downgrade():
    with op.batch_alter_table('check_batch') as batch_op:
        batch_op.drop_column('queued_at')
