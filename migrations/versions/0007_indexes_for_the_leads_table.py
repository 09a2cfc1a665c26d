"""indexes for the leads table: each sort and filter reads 50 rows in order instead of sorting
the workspace; one lower-cased search column instead of seven

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


ADDRESSES = ['phone', 'email', 'alt_phone1', 'alt_phone2', 'alt_phone3', 'alt_email1', 'alt_email2', 'alt_email3']


def upgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=1000), nullable=False, server_default=''))
    parts = ['first_name', 'last_name', 'company',
             *(f"coalesce({column}, '')" for field in ADDRESSES for column in (field, f'{field}_norm'))]
    joined = " || ' ' || ".join(parts)
    op.execute(f"UPDATE lead SET search_text = substr(lower({joined}), 1, 1000)")
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_workspace_status')
        batch_op.create_index('ix_lead_workspace_status', ['workspace_id', 'status', sa.text('id DESC')])
        batch_op.create_index('ix_lead_workspace_newest', ['workspace_id', sa.text('id DESC')])
        batch_op.create_index('ix_lead_workspace_name', ['workspace_id', 'last_name', 'first_name', 'id'])
        batch_op.create_index('ix_lead_workspace_checked', ['workspace_id', sa.text('checked_at DESC'),
                                                            sa.text('id DESC')])


def downgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_workspace_checked')
        batch_op.drop_index('ix_lead_workspace_name')
        batch_op.drop_index('ix_lead_workspace_newest')
        batch_op.drop_index('ix_lead_workspace_status')
        batch_op.create_index('ix_lead_workspace_status', ['workspace_id', 'status'])
        batch_op.drop_column('search_text')
