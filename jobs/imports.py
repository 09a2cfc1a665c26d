"""Importing an uploaded spreadsheet, as a background job."""

from jobs.context import job_app
from services.imports.importer import run_import


def import_upload(upload_id: int) -> None:
    with job_app().app_context():
        run_import(upload_id)
