"""a line's pace may be a fraction of a check a minute: Sendblue allows 30 lookups an hour (0.5)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 10:00:00

PostgreSQL changes the column's type. SQLite keeps it as it is: an INTEGER column there stores 0.5
as a real number already, and rebuilding the line table (batch mode) would set address_result's and
sent_message's line_id to NULL (ON DELETE SET NULL, foreign keys on), as 0014 says.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('line', 'rate_per_minute', existing_type=sa.Integer(), type_=sa.Float(),
                        existing_nullable=False)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # An integer column holds no pace under one a minute: fractions round down, to 1 at least.
        op.alter_column('line', 'rate_per_minute', existing_type=sa.Float(), type_=sa.Integer(),
                        existing_nullable=False, postgresql_using='greatest(1, floor(rate_per_minute))::integer')
