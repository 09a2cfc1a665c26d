"""Importing an uploaded spreadsheet, as a background job."""
from services.imports.importer import run_import
from services.queue import job_app


def import_upload(upload_id: int) -> None:
    with job_app().app_context():
        run_import(upload_id)
