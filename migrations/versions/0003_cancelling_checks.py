"""cancelling checks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:18:42.254071

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_before_check', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('status_before_check')

    with op.batch_alter_table('check_batch', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
