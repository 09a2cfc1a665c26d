"""each line gets a random key, never reused, naming its pace and pause in Redis: a line id can be
reused (SQLite gives a new row a deleted last row's id), and a deleted line's 429 pause held the
next line with its id, in another workspace

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 10:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Added nullable and filled with a fresh random key per line. Not rebuilt on SQLite to make it
    # NOT NULL: dropping the old table would set address_result's and sent_message's line_id to
    # NULL (ON DELETE SET NULL, foreign keys on). The model always fills it.
    op.add_column('line', sa.Column('key', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    lines = sa.table('line', sa.column('id', sa.Integer), sa.column('key', sa.String))
    for (line_id,) in conn.execute(sa.select(lines.c.id)).all():
        conn.execute(lines.update().where(lines.c.id == line_id).values(key=secrets.token_hex(16)))
    if conn.dialect.name == 'postgresql':
        op.alter_column('line', 'key', existing_type=sa.String(length=32), nullable=False)
    op.create_index('uq_line_key', 'line', ['key'], unique=True)


def downgrade():
    op.drop_index('uq_line_key', table_name='line')
    op.drop_column('line', 'key')
