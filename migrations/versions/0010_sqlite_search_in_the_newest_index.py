"""on SQLite, the search column in the index of the newest leads: a search reads that index alone
instead of every lead of the workspace

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# SQLite has no trigram index: a search scans the workspace's leads. With the search column in
# this index, the scan reads a narrow index in the table's default order (newest first, read
# backwards) rather than whole rows: one phone number among 100,000 leads ~50 -> ~20 ms. In
# ascending id order new leads go at its end, where SQLite appends cheaply, so an import pays little
# for it (an index ordered by the search text itself, tried, made a 100,000-lead import 15-20%
# slower). PostgreSQL keeps its trigram index (0009) and this index as it was.


def _newest(*columns):
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_workspace_newest')
        batch_op.create_index('ix_lead_workspace_newest', ['workspace_id', *columns])


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _newest('id', 'search_text')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _newest(sa.text('id DESC'))
