"""Importing an uploaded spreadsheet, as a background job."""
from imports.importer import run_import
from jobs.queue import job_app


def import_upload(upload_id: int) -> None:
    with job_app().app_context():
        run_import(upload_id)
