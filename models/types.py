"""What every model's columns use: a text type PostgreSQL can store, and the clock (naive UTC)."""

from datetime import UTC, datetime

from sqlalchemy import String, TypeDecorator


class Str(TypeDecorator):
    """A text column that drops NUL characters: PostgreSQL can't store them (the statement would
    fail) and no one means to type them. Also cleans the values compared with the column."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.replace("\x00", "") if isinstance(value, str) else value


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
