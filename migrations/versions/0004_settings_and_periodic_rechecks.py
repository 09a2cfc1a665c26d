"""settings and periodic rechecks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:49:07.848486

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fresh', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recheck_every', sa.String(length=10), server_default='off', nullable=False))
        batch_op.add_column(sa.Column('cache_available_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cache_unavailable_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('cache_unavailable_days')
        batch_op.drop_column('cache_available_days')
        batch_op.drop_column('recheck_every')

    with op.batch_alter_table('check_batch', schema=None) as batch_op:
        batch_op.drop_column('fresh')
