"""a trigram index for the leads table's search: finding "%text%" reads the index instead of
every lead of the workspace (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 17:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# SQLite: an external-content FTS5 table over lead.search_text, kept by triggers (lead_store
# searches it through its rowid, the lead's id). Its trigram tokenizer answers LIKE '%text%'.
SQLITE = [
    "CREATE VIRTUAL TABLE lead_search USING fts5(search_text, content='lead', content_rowid='id', tokenize='trigram')",
    "INSERT INTO lead_search(lead_search) VALUES ('rebuild')",
    "CREATE TRIGGER lead_search_insert AFTER INSERT ON lead BEGIN "
    "INSERT INTO lead_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
    "CREATE TRIGGER lead_search_delete AFTER DELETE ON lead BEGIN "
    "INSERT INTO lead_search(lead_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); END",
    "CREATE TRIGGER lead_search_update AFTER UPDATE OF search_text ON lead BEGIN "
    "INSERT INTO lead_search(lead_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); "
    "INSERT INTO lead_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
]


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # A trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_lead_search_trgm ON lead USING gin (search_text gin_trgm_ops)")
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_lead_search_trgm")
    else:
        for name in ('lead_search_insert', 'lead_search_delete', 'lead_search_update'):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE lead_search")
