"""A lead records when it last changed, for the API's `GET /api/leads?updatedSince=`

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 19:10:00

Every write sets it (the model's default and onupdate; imports insert it themselves). Leads from
before take their last known change: their last answer, else their creation. Nullable, and added
without rebuilding the table: a rebuild (SQLite batch mode) would drop the tally's triggers.
The index answers "this workspace's leads changed since T" without reading the others.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('lead', sa.Column('updated_at', sa.DateTime(), nullable=True))
    lead = sa.table('lead', sa.column('updated_at', sa.DateTime), sa.column('checked_at', sa.DateTime),
                    sa.column('created_at', sa.DateTime))
    op.execute(lead.update().values(updated_at=sa.func.coalesce(lead.c.checked_at, lead.c.created_at)))
    op.create_index('ix_lead_workspace_updated', 'lead', ['workspace_id', 'updated_at', 'id'])


def downgrade():
    op.drop_index('ix_lead_workspace_updated', table_name='lead')
    # Not batch mode, for the same reason (SQLite has had DROP COLUMN since 3.35).
    op.execute('ALTER TABLE lead DROP COLUMN updated_at')
