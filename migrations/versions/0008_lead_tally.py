"""lead counts per workspace and batch by status, kept by triggers: the leads page and the
progress poll read a few rows instead of counting the workspace or the batch

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _pg_changes(rows: str, sign: int) -> str:
    # Each lead counts once for its workspace (batch 0) and once for its batch, if it has one.
    return (f"SELECT workspace_id, scope.batch_id, status, {sign} AS d FROM {rows} "
            f"CROSS JOIN LATERAL (VALUES (0), ({rows}.batch_id)) AS scope(batch_id) WHERE scope.batch_id IS NOT NULL")


def _pg_apply(changes: str) -> str:
    # One upsert per statement, whatever its size; rows are locked in key order, so two
    # statements touching the same counts wait for each other instead of deadlocking.
    return ("INSERT INTO lead_tally AS t (workspace_id, batch_id, status, n) "
            f"SELECT workspace_id, batch_id, status, sum(d) FROM ({changes}) AS c "
            "GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3 "
            "ON CONFLICT (workspace_id, batch_id, status) DO UPDATE SET n = t.n + excluded.n")


PG_FUNCTION = f"""
CREATE FUNCTION lead_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_apply(_pg_changes('new_rows', 1))};
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_apply(_pg_changes('old_rows', -1))};
  ELSE
    {_pg_apply(_pg_changes('new_rows', 1) + ' UNION ALL ' + _pg_changes('old_rows', -1))};
  END IF;
  RETURN NULL;
END $$
"""

# Statement-level with transition tables: a 100,000-row import chunk or bulk update costs one
# grouped upsert, not one per row.
PG_TRIGGERS = [
    "CREATE TRIGGER lead_tally_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_apply()",
    "CREATE TRIGGER lead_tally_update AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_apply()",
    "CREATE TRIGGER lead_tally_delete AFTER DELETE ON lead REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION lead_tally_apply()",
]


def _sqlite_apply(row: str, sign: int) -> str:
    # SQLite has row triggers only; they run in-process, a few microseconds each.
    return ("INSERT INTO lead_tally (workspace_id, batch_id, status, n) "
            f"SELECT {row}.workspace_id, scope.batch_id, {row}.status, {sign} "
            f"FROM (SELECT 0 AS batch_id UNION ALL SELECT {row}.batch_id) AS scope WHERE scope.batch_id IS NOT NULL "
            "ON CONFLICT (workspace_id, batch_id, status) DO UPDATE SET n = n + excluded.n;")


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER lead_tally_insert AFTER INSERT ON lead BEGIN {_sqlite_apply('NEW', 1)} END",
    "CREATE TRIGGER lead_tally_update AFTER UPDATE OF workspace_id, status, batch_id ON lead "
    "WHEN OLD.workspace_id IS NOT NEW.workspace_id OR OLD.status IS NOT NEW.status OR OLD.batch_id IS NOT NEW.batch_id "
    f"BEGIN {_sqlite_apply('OLD', -1)} {_sqlite_apply('NEW', 1)} END",
    f"CREATE TRIGGER lead_tally_delete AFTER DELETE ON lead BEGIN {_sqlite_apply('OLD', -1)} END",
]


def upgrade():
    op.create_table(
        'lead_tally',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name='fk_lead_tally_workspace_id',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workspace_id', 'batch_id', 'status'),
    )
    # Triggers first: on PostgreSQL creating one locks out writers to the lead table until this
    # migration commits, so no change slips between the count below and the first trigger.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute("INSERT INTO lead_tally (workspace_id, batch_id, status, n) "
               "SELECT workspace_id, 0, status, count(*) FROM lead GROUP BY workspace_id, status")
    op.execute("INSERT INTO lead_tally (workspace_id, batch_id, status, n) "
               "SELECT workspace_id, batch_id, status, count(*) FROM lead WHERE batch_id IS NOT NULL "
               "GROUP BY workspace_id, batch_id, status")


def downgrade():
    for name in ('lead_tally_insert', 'lead_tally_update', 'lead_tally_delete'):
        op.execute(f"DROP TRIGGER {name}" + (" ON lead" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION lead_tally_apply()")
    op.drop_table('lead_tally')
