"""Real exports end to end: each tool's file (tests/exports.py) and a vCard file through the Import
page or the API, the guessed columns confirmed as they are, imported by a real worker; and a file
refused at upload listed under Recent imports with its reason."""

import csv
import io

import pytest

from availability.fields import LEAD_FIELDS
from exports import EXPORTS, VCARD_LEADS, VCARDS
from extensions import db
from models import Lead, Upload
from support import auth

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def upload(client, content: bytes, name: str):
    return client.post("/leads/import/", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def fields(lead: Lead) -> dict[str, str]:
    return {field.key: getattr(lead, field.key) for field in LEAD_FIELDS if getattr(lead, field.key)}


def test_every_tools_export_and_a_vcard_file_import_with_the_guessed_columns(app, client, logged_in, token, run_worker):
    files = {export.tool: (export.csv(), f"{export.tool}.csv") for export in EXPORTS}
    files["vCard"] = (VCARDS, "Contacts.vcf")
    expected = {export.tool: export.leads for export in EXPORTS} | {"vCard": VCARD_LEADS}
    uploads = {}
    for tool, (content, name) in files.items():
        if tool == "HubSpot":  # one through the API, which imports with the guessed columns at once
            answer = client.post(
                "/api/leads/import",
                headers=auth(token),
                content_type="multipart/form-data",
                data={"file": (io.BytesIO(content), name)},
            )
            assert answer.status_code == 202, answer.json
            uploads[tool] = int(answer.json["uploadId"])
            continue
        response = upload(logged_in, content, name)
        upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
        assert "Map the columns" in page and "is mapped to" not in page
        with app.app_context():
            mapping = db.session.get(Upload, upload_id).mapping
        form = {f"column-{i}": field or "" for i, field in enumerate(mapping)}
        assert logged_in.post(f"/leads/import/{upload_id}", data=form).status_code == 302
        uploads[tool] = upload_id
    run_worker()
    with app.app_context():
        for tool, upload_id in uploads.items():
            row = db.session.get(Upload, upload_id)
            assert (tool, row.state, row.imported) == (tool, "done", len(expected[tool]))
            leads = db.session.scalars(db.select(Lead).where(Lead.upload_id == upload_id).order_by(Lead.id))
            assert [fields(lead) for lead in leads] == expected[tool], tool
        assert db.session.get(Upload, uploads["vCard"]).invalid == 1
    problems = logged_in.get(f"/leads/import/{uploads['vCard']}/problems.csv").get_data(as_text=True)
    reasons = [row[1] for row in csv.reader(io.StringIO(problems))][1:]
    assert len(reasons) == 1 and reasons[0].startswith("Card 2 (Broken Card) can't be read as a vCard")


def test_a_refused_upload_is_listed_with_its_reason(app, client, logged_in, token, run_worker):
    # Through the page: an image, an empty file, and a file that fails while importing.
    for content, name in ((PNG, "photo.png"), (b"", "empty.csv")):
        response = upload(logged_in, content, name)
        assert response.status_code == 302 and response.headers["Location"].endswith("/leads/import/")
    too_many = upload(logged_in, b"phone\n2025550101\n2025550103\n", "big.csv")
    upload_id = int(too_many.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    logged_in.post(f"/leads/import/{upload_id}", data={"column-0": "phone"})
    run_worker(MAX_IMPORT_ROWS="1")
    # Through the API: a file with no address column, and an image.
    for content, name, reason in ((b"Name\nAda\n", "names.csv", "phone number or an email"), (PNG, "x.xlsx", "binary")):
        answer = client.post(
            "/api/leads/import",
            headers=auth(token),
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(content), name)},
        )
        assert answer.status_code == 400 and reason in answer.json["error"]
        status = client.get(f"/api/uploads/{answer.json['uploadId']}", headers=auth(token)).json
        assert status["state"] == "failed" and reason in status["error"]
    page = logged_in.get("/leads/import/").get_data(as_text=True)
    for name, reason in (
        ("photo.png", "binary file"),
        ("empty.csv", "The file is empty."),
        ("big.csv", "more than the limit of 1"),
        ("names.csv", "No column holds a phone number"),
        ("x.xlsx", "binary file"),
    ):
        listed = page[page.index(f">{name}<") :].split("</tr>")[0]
        assert "Failed" in listed and reason in listed, (name, listed)
    with app.app_context():  # no file is kept for any of them
        from services.imports import storage

        assert not any(
            next(storage.chunks(u.stored_name, storage.FILE), None) for u in db.session.scalars(db.select(Upload))
        )
