"""Workspace scoping shared by the UI and the API: another workspace's row is simply not found."""

from flask import abort

from extensions import db

# Ids are 32-bit integers (INTEGER on PostgreSQL): a larger number names nothing, and sent to the
# database it would be an error, not a miss.
MAX_ID = 2**31 - 1


def as_id(raw) -> int | None:
    """A row id from text a user sent (URL, form, JSON), or None when it can't be one."""
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    # Past 20 digits no number is an id (and int() refuses text past 4,300 digits).
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 20 and 0 < int(text) <= MAX_ID else None


def owned_or_404(model, row_id: int, workspace_id: int):
    if not 0 < row_id <= MAX_ID:
        abort(404)
    row = db.session.scalar(db.select(model).where(model.id == row_id, model.workspace_id == workspace_id))
    if row is None:
        abort(404)
    return row
