"""check_batch remembers the filter of a check of all matching leads, and whether a worker is still
marking them (a lease), so that a marking Redis lost is done again

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-13 12:00:00

Three nullable columns, added in place (no table rebuild), and an index. A batch from before has none of them:
its marking, if one was running, is not revived (as before this migration).
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('check_batch', sa.Column('match_status', sa.String(length=20), nullable=True))
    op.add_column('check_batch', sa.Column('match_q', sa.String(length=100), nullable=True))
    op.add_column('check_batch', sa.Column('marking_until', sa.DateTime(), nullable=True))
    # The lost-check sweep looks for lapsed leases every 20 s, among every batch there ever was.
    op.create_index('ix_check_batch_marking_until', 'check_batch', ['marking_until'])


def downgrade():
    op.drop_index('ix_check_batch_marking_until', table_name='check_batch')
    # In place (SQLite 3.35+ drops a column): rebuilding check_batch would set every lead's
    # batch_id to NULL (ON DELETE SET NULL, foreign keys on), as 0014 says.
    for column in ('marking_until', 'match_q', 'match_status'):
        op.drop_column('check_batch', column)
