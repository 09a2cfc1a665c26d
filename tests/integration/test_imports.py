"""Importing spreadsheets end to end: upload, mapping, the import job in a real worker, the
report and problem rows, then the new leads checked against the demo line."""

import csv
import io

import pytest

from availability.fields import LEAD_FIELDS
from extensions import db
from models import Lead, Upload
from support import HEADER, openpyxl_bytes, shared_strings_bomb, xlsxwriter_bytes

pytestmark = pytest.mark.integration

MESSY = (
    "First Name;Mobile;E-mail;Other Phone;Notes\r\n"
    "José;(202) 555-0142;jose@example.com;;likes calls\r\n"  # imported, even phone: available
    "Ann;202-555-0143;ann@gmail.com;202 555 0147;\r\n"  # imported, all odd/gmail: unavailable
    "Dup;202.555.0142;;;\r\n"  # same phone as row 2
    ";;;;\r\n"  # empty
    "Bad;555-1234;not-an-email;;\r\n"  # nothing valid: invalid
    "Half;555-9999;half@me.com;;\r\n"  # imported with an invalid phone
    "Old;;existing@icloud.com;;\r\n"  # already in the workspace
)


def upload(client, content: bytes, name="leads.csv", **form):
    response = client.post(
        "/leads/import/", data={"file": (io.BytesIO(content), name), **form}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def confirm(client, upload_id, mapping):
    data = {f"column-{i}": field or "" for i, field in enumerate(mapping)}
    return client.post(f"/leads/import/{upload_id}", data=data)


def test_a_messy_file_is_imported_reported_and_checked(app, logged_in, demo_line, run_worker):
    logged_in.post("/leads/", data={"email": "EXISTING@icloud.com"})
    upload_id = upload(logged_in, MESSY.encode("latin-1"))
    page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
    assert "José" in page and '<option value="mobile_phone" selected>' in page
    # The user corrects one column: "Other Phone" is their second alternate, not the first.
    response = confirm(logged_in, upload_id, ["first_name", "phone", "email", "alt_phone2", None])
    assert response.status_code == 302
    run_worker()  # runs the import, then the checks it queued

    with app.app_context():
        row = db.session.get(Upload, upload_id)
        assert (row.state, row.rows_total, row.rows_done) == ("done", 7, 7)
        assert (row.imported, row.duplicates, row.invalid, row.empty, row.invalid_fields) == (3, 2, 1, 1, 1)
        imported = db.session.scalars(db.select(Lead).where(Lead.upload_id == upload_id))
        leads = {lead.first_name: lead for lead in imported}
        assert set(leads) == {"José", "Ann", "Half"}
        assert leads["José"].status == "available" and leads["José"].available_address == "+12025550142"
        assert leads["Ann"].status == "unavailable" and leads["Ann"].alt_phone2_norm == "+12025550147"
        assert leads["Half"].status == "available" and leads["Half"].phone == "555-9999"
        assert leads["Half"].phone_norm is None and leads["Half"].batch_id == row.batch_id

    report = logged_in.get(f"/leads/import/{upload_id}/progress")
    assert report.status_code == 286 and 'data-count="imported">3<' in report.get_data(as_text=True)
    problems = list(
        csv.reader(io.StringIO(logged_in.get(f"/leads/import/{upload_id}/problems.csv").get_data(as_text=True)))
    )
    assert problems[0][:3] == ["row", "reason", "First Name"]
    reasons = {int(r[0]): r[1] for r in problems[1:]}
    assert reasons[4] == "duplicate of row 2 of this file"
    assert "not a valid phone number" in reasons[6] and "not a valid email" in reasons[6]
    assert reasons[7].startswith("imported; kept as typed but invalid")
    assert reasons[8] == "duplicate of a lead already in this workspace"


def test_a_file_imported_again_reports_duplicates_and_promises_no_checks(app, logged_in, demo_line, run_worker):
    content = b"First Name,Phone\nAlice,2025550142\nBob,2025550143\n"
    for expected in ("See the leads being checked</a>", "See the leads</a>"):
        upload_id = upload(logged_in, content)
        assert confirm(logged_in, upload_id, ["first_name", "phone"]).status_code == 302
        run_worker()
        report = logged_in.get(f"/leads/import/{upload_id}/progress").get_data(as_text=True)
        assert expected in report, report
    assert 'data-count="imported">0<' in report and 'data-count="duplicates">2<' in report
    assert "Download the 2 problem rows" in report  # each says why it was left out


def test_a_file_without_phone_or_email_is_not_imported(app, logged_in):
    upload_id = upload(logged_in, b"Name,Company\nAda,Engines\n")
    page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
    assert "No column holds a phone number or an email address" in page
    confirm(logged_in, upload_id, ["full_name", "company"])
    with app.app_context():
        assert db.session.get(Upload, upload_id).state == "mapping"
    assert "No column holds" in logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)


def test_without_a_line_leads_say_so_until_a_line_is_added(app, logged_in, demo_server, run_worker):
    upload_id = upload(logged_in, b"phone\n2025550142\n2025550143\n")
    confirm(logged_in, upload_id, ["phone"])
    run_worker()
    with app.app_context():
        assert {lead.status for lead in db.session.scalars(db.select(Lead))} == {"no_active_line"}
    logged_in.post(
        "/lines/new",
        data={"name": "Demo", "provider": "demo", "url": demo_server.url, "secret": "demo-key", "rate_per_minute": 60},
    )
    run_worker()
    with app.app_context():
        assert sorted(lead.status for lead in db.session.scalars(db.select(Lead))) == ["available", "unavailable"]


def test_a_file_broken_halfway_is_refused_before_anything_lands(app, logged_in, run_worker):
    good = "".join(f"+1202555{i:04d}\n" for i in range(1200))
    broken = '"' + "x" * 200_000 + '"\n'
    upload_id = upload(logged_in, ("phone\n" + good + broken + "+12025550000\n").encode())
    confirm(logged_in, upload_id, ["phone"])
    run_worker()
    with app.app_context():
        row = db.session.get(Upload, upload_id)
        assert row.state == "failed" and row.imported == 0
        assert "Nothing was imported" in row.error and "Line 1202" in row.error
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 0
    assert "Import failed" in logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)


def test_a_value_longer_than_its_field_makes_its_row_a_problem_not_a_cut_lead(app, logged_in, run_worker):
    # Before, names were cut to fit without a word, and an address cut to 254 characters was then
    # read as an address. Every field of the fields table, at its limit and one past it.
    at_limit = {field.key: ("中" if field.kind is None else "x") * field.max_length for field in LEAD_FIELDS}
    rows = [{**at_limit, "phone": "2025550142"}]
    for n, field in enumerate(LEAD_FIELDS):
        other = {"email": "one@example.com"} if field.key == "phone" else {"phone": f"20255501{50 + n}"}
        rows.append({**other, field.key: "é" * (field.max_length + 1)})
    rows.append({"first_name": "Di", "phone": "2025550146"})
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow([field.label for field in LEAD_FIELDS])
    writer.writerows([row.get(field.key, "") for field in LEAD_FIELDS] for row in rows)
    upload_id = upload(logged_in, content.getvalue().encode())
    confirm(logged_in, upload_id, [field.key for field in LEAD_FIELDS])
    run_worker()
    with app.app_context():
        row = db.session.get(Upload, upload_id)
        assert (row.state, row.imported, row.invalid) == ("done", 2, len(LEAD_FIELDS))
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        assert [lead.first_name for lead in leads] == [at_limit["first_name"], "Di"]
        assert all(getattr(leads[0], key) == value for key, value in {**at_limit, "phone": "2025550142"}.items())
    problems = list(
        csv.reader(io.StringIO(logged_in.get(f"/leads/import/{upload_id}/problems.csv").get_data(as_text=True)))
    )
    reported = {int(r[0]): r[1] for r in problems[1:]}
    assert reported.pop(2).startswith("imported; kept as typed but invalid: Primary email")
    assert reported == {
        3 + n: f"{field.label} is longer than {field.max_length} characters" for n, field in enumerate(LEAD_FIELDS)
    }


def test_too_many_rows_are_refused_before_importing(app, logged_in, run_worker):
    upload_id = upload(logged_in, b"phone\n" + b"2025550142\n" * 5)
    confirm(logged_in, upload_id, ["phone"])
    run_worker(MAX_IMPORT_ROWS="3")
    with app.app_context():
        row = db.session.get(Upload, upload_id)
        assert row.state == "failed" and "more than the limit of 3" in row.error and row.imported == 0


def test_the_api_imports_and_reports(app, client, user, demo_line, run_worker):
    from models import User
    from services import tokens as api_tokens

    with app.app_context():
        token = api_tokens.create_token(db.session.get(User, user), "t")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/leads/import",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"Email Address\nada@me.com\nbob@x.io\nada@me.com\n"), "a.csv")},
    )
    assert response.status_code == 202 and response.json["success"] is True
    status_url = response.json["statusUrl"]
    assert status_url == f"/api/uploads/{response.json['uploadId']}"
    run_worker()
    status = client.get(status_url, headers=headers).json
    assert status["state"] == "done" and status["rowsDone"] == status["rowsTotal"] == 3
    assert status["report"] == {
        "imported": 2,
        "duplicates": 1,
        "invalid": 0,
        "empty": 0,
        "importedWithInvalidFields": 0,
    }
    bad = client.post(
        "/api/leads/import",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"Name\nAda\n"), "a.csv")},
    )
    assert bad.status_code == 400 and "phone number or an email" in bad.json["error"]


def test_uploads_over_the_limit_get_413(app, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = logged_in.post(
        "/leads/import/", data={"file": (io.BytesIO(b"x" * 5000), "big.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413 and "larger than" in response.get_data(as_text=True)


def test_export_follows_the_filter_and_neutralises_formulas(app, logged_in):
    logged_in.post("/leads/", data={"first_name": '=HYPERLINK("http://evil")', "phone": "+1 202 555 0142"})
    logged_in.post("/leads/", data={"first_name": "Plain", "email": "a@b.co"})
    rows = list(csv.reader(io.StringIO(logged_in.get("/leads/export.csv").get_data(as_text=True))))
    assert rows[0][:2] == ["first_name", "last_name"] and len(rows) == 3
    names = {r[0] for r in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names and "Plain" in names
    assert "'+1 202 555 0142" in rows[1] + rows[2]  # "+" starts a formula too
    only = list(csv.reader(io.StringIO(logged_in.get("/leads/export.csv?status=not_checked").get_data(as_text=True))))
    assert len(only) == 1  # no line: both say No Active Line, none is Not checked


@pytest.mark.parametrize("workbook", [openpyxl_bytes, xlsxwriter_bytes], ids=["openpyxl", "xlsxwriter"])
def test_workbooks_are_imported_through_the_page_and_the_api(app, client, logged_in, token, workbook, run_worker):
    rows = [["First Name", "Mobile", "Email"], ["Zoë", 2025550142, "zoe@icloud.com"], ["José", "202.555.0143", None]]
    upload_id = upload(logged_in, workbook(rows), name="Leads")  # read by content: no extension needed
    page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
    assert "Zoë" in page and "2025550142" in page and '<option value="phone" selected>' in page
    confirm(logged_in, upload_id, ["first_name", "phone", "email"])
    api = client.post(
        "/api/leads/import",
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(workbook([["Email"], ["ada@me.com"]])), "api.csv")},  # nor the right one
    )
    assert api.status_code == 202, api.json
    run_worker()
    with app.app_context():
        assert [u.state for u in db.session.scalars(db.select(Upload).order_by(Upload.id))] == ["done", "done"]
        leads = {(lead.first_name, lead.phone_norm, lead.email) for lead in db.session.scalars(db.select(Lead))}
    assert leads == {("Zoë", "+12025550142", "zoe@icloud.com"), ("José", "+12025550143", ""), ("", None, "ada@me.com")}


def test_a_shared_strings_bomb_fails_its_import_and_lands_nothing(app, logged_in, run_worker, tmp_path):
    bomb = shared_strings_bomb(tmp_path / "bomb.xlsx", (str(i) for i in range(1_100_000)))  # 28 MB in 4 MB
    upload_id = upload(logged_in, bomb.read_bytes(), name="bomb.xlsx")
    page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)  # previewed, reading two texts
    assert HEADER[0] in page and "2025550142" in page
    confirm(logged_in, upload_id, ["phone", "email"])
    run_worker()
    with app.app_context():
        row = db.session.get(Upload, upload_id)
        assert row.state == "failed" and row.imported == 0 and "more distinct texts" in row.error
        assert "Nothing was imported" in row.error and db.session.scalar(db.select(db.func.count(Lead.id))) == 0
    assert "save the sheet as CSV" in logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
