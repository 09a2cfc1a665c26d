"""The API's lead list (cursor paging, status, updatedSince), PATCH (the rules of a new lead; a
changed address checks the lead again) and DELETE; and a lead with no valid address refused."""

import io
from datetime import timedelta

import pytest

from extensions import db
from models import Lead, utcnow
from services.imports.importer import run_import
from support import auth


def create(client, token, *leads) -> list[str]:
    response = client.post("/api/leads", headers=auth(token), json={"leads": list(leads)})
    assert response.status_code == 201, response.json
    return response.json["leadIds"]


def listed(client, token, query="") -> dict:
    response = client.get(f"/api/leads?{query}", headers=auth(token))
    assert response.status_code == 200, response.json
    return response.json


def test_a_lead_with_no_valid_address_is_refused_with_the_reason(client, token):
    response = client.post("/api/leads", headers=auth(token), json={"leads": [{"phone": "12", "email": "nope@"}]})
    assert response.status_code == 400
    error = response.json["errors"][0]["error"]
    assert error.startswith("A lead needs at least one valid phone number or email address: Primary phone “12”")
    assert "Primary email “nope@”" in error


def test_pages_follow_the_cursor_newest_first(client, token):
    ids = create(client, token, *({"phone": f"20255501{40 + n}"} for n in range(5)))
    first = listed(client, token, "limit=2")
    assert [lead["id"] for lead in first["leads"]] == ids[::-1][:2]
    second = listed(client, token, f"limit=2&cursor={first['nextCursor']}")
    third = listed(client, token, f"limit=2&cursor={second['nextCursor']}")
    assert [lead["id"] for page in (first, second, third) for lead in page["leads"]] == ids[::-1]
    assert third["nextCursor"] is None
    assert len(listed(client, token)["leads"]) == 5  # 50 by default


def test_status_and_updated_since_filter(app, client, token):
    old, new = create(client, token, {"phone": "2025550142"}, {"phone": "2025550143"})
    with app.app_context():
        db.session.get(Lead, int(old)).updated_at = utcnow() - timedelta(days=2)
        db.session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat() + "Z"
    assert [lead["id"] for lead in listed(client, token, f"updatedSince={since}")["leads"]] == [new]
    assert len(listed(client, token, "updatedSince=2020-01-01T00:00:00%2B02:00")["leads"]) == 2
    assert len(listed(client, token, "status=no_active_line")["leads"]) == 2
    assert listed(client, token, "status=available")["leads"] == []
    # A PATCH is a change too.
    client.patch(f"/api/leads/{old}", headers=auth(token), json={"company": "Acme"})
    assert len(listed(client, token, f"updatedSince={since}")["leads"]) == 2


def test_an_imported_lead_has_its_change_time(app, client, token):
    upload = client.post(
        "/api/leads/import", headers=auth(token), data={"file": (io.BytesIO(b"Phone\n2025550142\n"), "leads.csv")}
    )
    with app.app_context():
        run_import(int(upload.json["uploadId"]))
    since = (utcnow() - timedelta(minutes=5)).isoformat()
    assert len(listed(client, token, f"updatedSince={since}")["leads"]) == 1


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=501", "limit=x", "cursor=bogus", "cursor=", "status=gone", "updatedSince=yesterday"]
)
def test_a_bad_query_is_a_400_saying_what(client, token, query):
    response = client.get(f"/api/leads?{query}", headers=auth(token))
    assert response.status_code == 400 and response.json["error"].startswith(query.split("=")[0])


def test_patch_changes_only_what_is_sent_and_rechecks_a_changed_address(app, client, token, demo_line):
    (lead_id,) = create(client, token, {"firstName": "Ada", "company": "Engines", "phone": "2025550143"})
    response = client.patch(f"/api/leads/{lead_id}", headers=auth(token), json={"company": None, "lastName": "L"})
    lead = response.json["lead"]
    assert response.status_code == 200 and response.json["rechecked"] is False
    assert (lead["firstName"], lead["lastName"], lead["company"], lead["phone"]) == ("Ada", "L", "", "2025550143")
    with app.app_context():
        db.session.get(Lead, int(lead_id)).status = "unavailable"
        db.session.commit()
    response = client.patch(f"/api/leads/{lead_id}", headers=auth(token), json={"phone": "(202) 555-0142"})
    assert response.json["rechecked"] is True and response.json["lead"]["status"] == "checking"
    assert response.json["lead"]["availableAddress"] is None


@pytest.mark.parametrize(
    "body, says",
    [
        ({"phone": "12"}, "A lead needs at least one valid phone number or email address"),
        ({"phone": None}, "A lead needs at least one phone number or email address"),
        ({"company": "x" * 201}, "company is longer than 200 characters"),
        ({"phone": 2025550142}, "phone must be a string"),
        ({"fone": "2025550142"}, "Unknown fields: fone"),
        (["phone"], "Send a JSON object"),
    ],
)
def test_a_refused_patch_changes_nothing(app, client, token, body, says):
    (lead_id,) = create(client, token, {"phone": "2025550142"})
    response = client.patch(f"/api/leads/{lead_id}", headers=auth(token), json=body)
    assert response.status_code == 400 and says in response.json["error"]
    assert client.get(f"/api/leads/{lead_id}", headers=auth(token)).json["lead"]["phone"] == "2025550142"


def test_delete_is_204_then_404(client, token):
    lead_id, kept = create(client, token, {"phone": "2025550142"}, {"phone": "2025550143"})
    response = client.delete(f"/api/leads/{lead_id}", headers=auth(token))
    assert response.status_code == 204 and response.data == b""
    assert client.delete(f"/api/leads/{lead_id}", headers=auth(token)).status_code == 404
    assert client.get(f"/api/leads/{lead_id}", headers=auth(token)).status_code == 404
    assert [lead["id"] for lead in listed(client, token)["leads"]] == [kept]
