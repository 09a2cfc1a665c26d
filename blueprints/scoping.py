"""Workspace scoping shared by the UI and the API: another workspace's row is simply not found."""
from flask import abort

from extensions import db


# Ids are 64-bit: a larger number in a URL names nothing (and would overflow the database driver).
MAX_ID = 2**63 - 1


def owned_or_404(model, row_id: int, workspace_id: int):
    if not 0 < row_id <= MAX_ID:
        abort(404)
    row = db.session.scalar(
        db.select(model).where(model.id == row_id, model.workspace_id == workspace_id)
    )
    if row is None:
        abort(404)
    return row
