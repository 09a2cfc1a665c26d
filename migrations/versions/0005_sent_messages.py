"""sent messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 00:03:11.558197

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('line_name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sent', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['line.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sent_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_message_lead_id'), ['lead_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_message_lead_id'))

    op.drop_table('sent_message')