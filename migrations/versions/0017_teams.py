"""teams: a role per user (owner or member), invitations to join a workspace, and API tokens that
outlive the member who created them (revoked, their creator set to NULL)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 20:00:00

Every workspace so far has one user, made with it: that user becomes its owner (the first user of
a workspace, should one have more). New users are members unless the code making them says owner.
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OWNER_ONLY = sa.text("role = 'owner'")
# Names for the constraints SQLite keeps unnamed (0001 named none), so batch mode can drop one.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade():
    op.add_column('user', sa.Column('role', sa.String(length=10), server_default='member', nullable=False))
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('workspace_id', sa.Integer), sa.column('role'))
    first = sa.select(sa.func.min(users.c.id)).group_by(users.c.workspace_id)
    op.execute(users.update().where(users.c.id.in_(first)).values(role='owner'))
    op.create_index(
        'uq_user_one_owner', 'user', ['workspace_id'], unique=True,
        sqlite_where=OWNER_ONLY, postgresql_where=OWNER_ONLY,
    )

    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.ForeignKeyConstraint(['invited_by'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_invitation_workspace_id', 'invitation', ['workspace_id'], unique=False)

    _token_creator(nullable=True, ondelete='SET NULL')


def downgrade():
    # Tokens whose creator has left are deleted: the old schema needs a user for each.
    tokens = sa.table('api_token', sa.column('user_id', sa.Integer))
    op.execute(tokens.delete().where(tokens.c.user_id.is_(None)))
    _token_creator(nullable=False, ondelete=None)
    op.drop_index('ix_invitation_workspace_id', table_name='invitation')
    op.drop_table('invitation')
    op.drop_index('uq_user_one_owner', table_name='user')
    # ALTER TABLE ... DROP COLUMN, also on SQLite (3.35+): batch mode would rebuild the user table,
    # and dropping it would trip the foreign keys of sign-ins and tokens.
    op.drop_column('user', 'role')


def _token_creator(nullable, ondelete):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    # PostgreSQL named 0001's constraint itself; on SQLite NAMING names it when the table is read.
    name = 'fk_api_token_user_id_user' if sqlite else 'api_token_user_id_fkey'
    with op.batch_alter_table('api_token', naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=nullable)
        batch_op.create_foreign_key(name, 'user', ['user_id'], ['id'], ondelete=ondelete)
