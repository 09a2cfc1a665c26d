"""The first slice of the JSON API: bearer tokens, creating leads, reading a lead."""

import pytest

from extensions import db
from models import Lead
from support import auth


def test_missing_or_bad_tokens_get_a_json_401(client, token):
    for headers in ({}, {"Authorization": "Bearer imc_wrong"}, {"Authorization": f"Basic {token}"}):
        response = client.get("/api/leads/1", headers=headers)
        assert response.status_code == 401
        assert response.json == {"success": False, "error": response.json["error"], "code": 401}


def test_creating_leads_returns_string_ids_and_queues_their_checks(app, client, token, demo_line):
    response = client.post(
        "/api/leads",
        headers=auth(token),
        json={
            "leads": [
                {
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "company": "Engines",
                    "phone": "(202) 555-0142",
                    "email": "ada@icloud.com",
                    "altPhone1": "+44 20 7946 0958",
                    "altEmail3": "a@b.co",
                },
                # Kept as typed, invalid, beside a valid address (alone, it is refused).
                {"phone": "555-1234", "email": "grace@example.com"},
            ]
        },
    )
    assert response.status_code == 201
    body = response.json
    assert body["success"] is True and body["created"] == 2 and body["errors"] == []
    assert all(isinstance(i, str) for i in body["leadIds"])
    lead = client.get(f"/api/leads/{body['leadIds'][0]}", headers=auth(token)).json["lead"]
    assert lead["firstName"] == "Ada" and lead["altPhone1"] == "+44 20 7946 0958"
    assert lead["status"] == "checking" and lead["available"] is None
    invalid = client.get(f"/api/leads/{body['leadIds'][1]}", headers=auth(token)).json["lead"]
    assert invalid["invalidAddresses"] == ["phone"]


def test_bad_leads_are_reported_and_good_ones_still_land(app, client, token):
    response = client.post(
        "/api/leads",
        headers=auth(token),
        json={
            "leads": [
                {"phone": "2025550142"},
                {"firstName": "No address"},
                "not an object",
                {"phone": 12},
            ]
        },
    )
    assert response.status_code == 201 and response.json["created"] == 1
    assert [e["index"] for e in response.json["errors"]] == [1, 2, 3]
    # No line: the lead that landed says so instead of waiting forever.
    lead_id = response.json["leadIds"][0]
    assert client.get(f"/api/leads/{lead_id}", headers=auth(token)).json["lead"]["status"] == "no_active_line"


@pytest.mark.parametrize("body", [None, {}, {"leads": []}, {"leads": {}}, [1, 2]])
def test_malformed_bodies_get_a_clear_400(client, token, body):
    response = client.post("/api/leads", headers=auth(token), json=body)
    assert response.status_code == 400 and response.json["success"] is False
    assert response.json["code"] == 400 and response.json["error"]


def test_another_workspaces_lead_is_not_found(app, client, token):
    from cli import create_user

    with app.app_context():
        other = create_user("eve@example.com", "eve-password-123")
        lead = Lead(workspace_id=other.workspace_id, phone="x")
        db.session.add(lead)
        db.session.commit()
        lead_id = lead.id
    response = client.get(f"/api/leads/{lead_id}", headers=auth(token))
    assert response.status_code == 404 and response.json["code"] == 404
    assert client.get("/api/leads/999999", headers=auth(token)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/leads/check-availability?id=3000000000",
        "/api/batches/3000000000",
        "/api/uploads/99999999999",
    ],
)
def test_ids_no_row_can_have_are_404_not_a_database_error(client, token, url):
    # Ids are 32-bit on PostgreSQL: a larger one sent to the database would be an error there.
    assert client.get(url, headers=auth(token)).status_code == 404


def test_the_page_poll_and_bulk_check_ignore_ids_no_row_can_have(logged_in):
    response = logged_in.get(
        "/leads/updates?lead=3000000000:0&lead=%C2%B2:0&batch=3000000000", headers={"HX-Request": "true"}
    )
    assert response.status_code == 286
    response = logged_in.post("/leads/bulk-check", data={"lead_ids": ["3000000000", "²"]}, follow_redirects=True)
    assert response.status_code == 200


def test_every_api_path_answers_json_whatever_the_method(client, token):
    # With test_hostile_input.py's 405s: unknown paths, unknown methods, and OPTIONS.
    for headers in ({}, auth(token)):
        for method, url, code in [
            ("GET", "/api", 404),
            ("GET", "/api/nope", 404),
            ("GET", "/api/leads/abc", 404),
            ("TRACE", "/api/leads", 405),
            ("BREW", "/api/leads", 405),
        ]:
            response = client.open(url, method=method, headers=headers)
            assert (response.status_code, response.json["code"]) == (code, code), (method, url)
            assert response.json["success"] is False
            if code == 405:
                assert "OPTIONS" in response.headers["Allow"]
    response = client.options("/api/leads/check-availability", headers=auth(token))
    assert response.status_code == 200 and response.is_json
    assert {"GET", "POST"} <= set(response.json["allow"]) and "POST" in response.headers["Allow"]
