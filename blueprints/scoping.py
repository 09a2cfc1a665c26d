"""Workspace scoping shared by the UI and the API: another workspace's row is simply not found."""
from flask import abort

from extensions import db


def owned_or_404(model, row_id: int, workspace_id: int):
    row = db.session.scalar(
        db.select(model).where(model.id == row_id, model.workspace_id == workspace_id)
    )
    if row is None:
        abort(404)
    return row
