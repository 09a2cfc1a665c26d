"""Everything the app's code does differently on SQLite and on PostgreSQL (the migrations aside),
and what each relies on. Callers name what they want; only this module asks which database it is.

insert_many: rows straight to the driver, no SQLAlchemy type processing: the values must already
  be what the driver takes.
  - SQLite: one executemany (sqlite3's "qmark" placeholders).
  - PostgreSQL: one COPY through psycopg (its cursor's copy(), rows adapted as parameters are).
    psycopg's executemany runs a statement per row, each firing the tally's statement-level
    trigger: a 1,000,000-row import took ~20 minutes that way.

counted_in_bulk: leads inserted into the lead table as one batch, all of one status, tallied.
  - SQLite: relies on its triggers being per-row (any trigger at all costs ~14 us a lead, more
    than the insert) and on SQLite's single writer plus DDL being transactional and shown to other
    connections only at commit: the tally's insert trigger is dropped and re-created inside the
    caller's transaction, and the leads counted here, so no one sees the table without it and a
    rollback restores it.
  - PostgreSQL: relies on the tally trigger being statement-level (migration 0008): one grouped
    upsert a statement, nothing to do here.

read_without_transaction: the session's next statements run in AUTOCOMMIT, saving BEGIN and
  ROLLBACK (two round trips a request on PostgreSQL). Relies on AUTOCOMMIT meaning each statement
  sees what was committed before it began, i.e. read committed per statement, which is what
  PostgreSQL's default isolation gives a transaction's statements anyway; so only for requests that
  read. On SQLite it changes little: pysqlite issues no BEGIN before a SELECT anyway.

upserting_insert: INSERT ... ON CONFLICT DO UPDATE, which both databases have (SQLite >= 3.24),
  each through its own SQLAlchemy dialect's insert().

sqlite_connection_settings: pragmas every SQLite connection gets as it opens. Two are for
  correctness under several processes: WAL lets the web read while a worker writes, and the busy
  timeout makes writers queue instead of failing with "database is locked". Two are speed: WAL makes
  synchronous=NORMAL durable against the app crashing (only a power cut can lose the last commits),
  and a 64 MB page cache keeps the lead indexes in memory through big imports. And foreign keys on,
  which SQLite leaves off. PostgreSQL needs none of it.
"""

from contextlib import contextmanager

from sqlalchemy import Connection, Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_many(connection: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in `columns` order) in one statement, in the connection's transaction."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})", rows
        )
        return
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def insert_returning_ids(connection: Connection, table: Table, rows: list[dict]) -> list[int]:
    """Insert `rows` (dicts with the same keys, every value as stored) and return their ids, in
    order, in the connection's transaction. PostgreSQL: one short statement run per row in a
    pipeline (psycopg's executemany), as parsing one statement of every row's placeholders costs
    more than the database; SQLite (whose driver returns no rows from executemany): one INSERT."""
    if connection.dialect.name == "sqlite":
        return connection.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).all()
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    cursor.executemany(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
        [tuple(row[column] for column in columns) for row in rows],
        returning=True,
    )
    ids = [cursor.fetchone()[0]]
    while cursor.nextset():
        ids.append(cursor.fetchone()[0])
    return ids


@contextmanager
def counted_in_bulk(connection: Connection, workspace_id: int, batch_id: int | None, status: str, n: int):
    """Around inserting `n` leads of `status` into the workspace (and the batch): they are tallied
    once, not row by row. Commit or roll back the connection's transaction after the block."""
    if connection.dialect.name != "sqlite":
        yield  # PostgreSQL's statement-level trigger counts them
        return
    if not connection.connection.driver_connection.in_transaction:
        # sqlite3 begins a transaction only before a write; the DDL must not run outside one.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    trigger = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'lead_tally_insert'"
    ).scalar_one()
    connection.exec_driver_sql("DROP TRIGGER lead_tally_insert")
    yield
    # The workspace's count is batch 0's; the batch's too when there is one.
    connection.exec_driver_sql(
        "INSERT INTO lead_tally (workspace_id, batch_id, status, n) VALUES (?, ?, ?, ?)"
        + (", (?, ?, ?, ?)" if batch_id else "")
        + " ON CONFLICT (workspace_id, batch_id, status) DO UPDATE SET n = n + excluded.n",
        (workspace_id, 0, status, n, *((workspace_id, batch_id, status, n) if batch_id else ())),
    )
    connection.exec_driver_sql(trigger)


def read_without_transaction(session: Session) -> None:
    """The session's reads from here on run without a transaction, unless it is in one already
    (opened by whoever pushed this app context), which it keeps."""
    if not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def upserting_insert(session: Session | scoped_session, table: Table):
    """An insert into `table` that has .on_conflict_do_update(), for the session's database."""
    return _INSERTS[session.get_bind().dialect.name](table)


def sqlite_connection_settings(engine: Engine) -> None:
    """Give every new connection of `engine` the pragmas above, if it is SQLite."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=15000",
        "synchronous=NORMAL",
        "cache_size=-65536",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
