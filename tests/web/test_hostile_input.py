"""Each input a hostile run turned into a 500 (issue 16, finding 7), now a clear 4xx: a lone
surrogate or NUL, JSON nested 100,000 deep, a page number past 64 bits, a name longer than its
column (on PostgreSQL the leads before it stayed committed behind the 500), an id of 5,000 digits,
and a method the API lacks (an HTML 405)."""

import pytest

from availability.fields import ADDRESS_FIELDS, FIELDS
from extensions import db
from models import Lead
from services import leads as lead_store
from support import auth


def leads_stored(app) -> list[Lead]:
    with app.app_context():
        return db.session.scalars(db.select(Lead).order_by(Lead.id)).all()


def post_raw(client, token, body: bytes | str):
    return client.post("/api/leads", data=body, headers={**auth(token), "Content-Type": "application/json"})


@pytest.mark.parametrize(
    "body",
    [
        '{"leads": [{"phone": "2025550142", "firstName": "\\ud800"}, {"phone": "2025550143", "company": "a\\u0000b"}]}',
        # The surrogate as raw bytes, which are not UTF-8 at all (json reads them all the same)
        b'{"leads": [{"phone": "2025550142", "firstName": "\xed\xa0\x80"},'
        b' {"phone": "2025550143", "company": "a\\u0000b"}]}',
    ],
)
def test_a_lone_surrogate_or_a_nul_is_refused_with_its_field(app, client, token, body):
    response = post_raw(client, token, body)
    assert response.status_code == 400, response.json
    assert response.json["errors"] == [
        {"index": 0, "error": f"firstName {lead_store.UNSTORABLE}"},
        {"index": 1, "error": f"company {lead_store.UNSTORABLE}"},
    ]
    assert leads_stored(app) == []


@pytest.mark.parametrize("opening", ["[", '{"leads":', '{"leads": [{"phone": ['])
def test_json_nested_100000_deep_is_a_400(client, token, opening):
    response = post_raw(client, token, opening * 100_000)
    assert response.status_code == 400 and response.json["error"] == "The JSON is nested too deeply"
    check = client.post(
        "/api/leads/check-availability", data="[" * 100_000, headers={**auth(token), "Content-Type": "application/json"}
    )
    assert check.status_code == 400 and check.json["error"] == "The JSON is nested too deeply"


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "2147483648", "-5", "0", "x"])
def test_any_page_number_shows_a_page(logged_in, page):
    response = logged_in.get(f"/leads/?page={page}")
    assert response.status_code == 200


def test_a_field_longer_than_its_column_is_reported_and_the_others_land(app, client, token):
    response = client.post(
        "/api/leads",
        headers=auth(token),
        json={
            "leads": [
                {"phone": "2025550142", "firstName": "x" * 100},
                {"phone": "2025550143", "firstName": "x" * 150},
                {"phone": "2" * 255, "company": "c" * 201},
            ]
        },
    )
    assert response.status_code == 201 and response.json["created"] == 1
    assert response.json["errors"] == [
        {"index": 1, "error": "firstName is longer than 100 characters"},
        {"index": 2, "error": "company is longer than 200 characters; phone is longer than 254 characters"},
    ]
    assert [(lead.phone, lead.first_name) for lead in leads_stored(app)] == [("2025550142", "x" * 100)]


def test_the_limits_are_the_columns_and_the_api_describes_them(client):
    assert {column.name: column.type.length for column in Lead.__table__.columns if column.name in FIELDS} == {
        "first_name": 100,
        "last_name": 100,
        "company": 200,
        **{field: 254 for field, _ in ADDRESS_FIELDS},
    }
    described = client.get("/api/openapi.json").json["components"]["schemas"]["LeadInput"]["properties"]
    assert (
        described["firstName"]["maxLength"],
        described["company"]["maxLength"],
        described["altEmail3"]["maxLength"],
    ) == (100, 200, 254)


def test_a_request_the_database_refuses_stores_none_of_its_leads(app, client, token, monkeypatch):
    # With the checks let through, the database refuses the second lead (a lone surrogate on both;
    # a 150-character name on PostgreSQL, as SQLite stores text of any length): before, the first
    # stayed committed behind the 500.
    with app.app_context():
        refused = [{"firstName": "\ud800"}] + ([{"firstName": "x" * 150}] if db.engine.dialect.name != "sqlite" else [])
    monkeypatch.setattr(lead_store, "field_problem", lambda field, value: None)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for second in refused:
        response = client.post(
            "/api/leads",
            headers=auth(token),
            json={"leads": [{"phone": "2025550142"}, {"phone": "2025550143", **second}]},
        )
        assert response.status_code == 500
        assert response.json == {"success": False, "error": "Internal error", "code": 500}
        assert leads_stored(app) == []


def test_an_id_of_5000_digits_is_not_found(client, token, demo_line):
    huge = "9" * 5000
    assert client.get(f"/api/leads/check-availability?id={huge}", headers=auth(token)).status_code == 404
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": [huge]})
    assert response.status_code == 200 and response.json["results"][0]["status"] == "not_found"


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("PUT", "/api/leads", "GET, POST"),
        ("PUT", "/api/leads/1", "GET, PATCH, DELETE"),
        ("DELETE", "/api/leads", "GET, POST"),
        ("PATCH", "/api/leads/check-availability", "GET, POST"),
    ],
)
def test_a_method_the_api_lacks_gets_a_json_405(client, token, method, path, allowed):
    for headers in ({}, auth(token)):
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 405
        assert response.json == {"success": False, "error": "Method not allowed", "code": 405}
        assert set(response.headers["Allow"].split(", ")) >= set(allowed.split(", "))


def test_a_body_over_the_limit_gets_a_json_413(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    for path in ("/api/leads", "/api/leads/check-availability"):
        response = client.post(path, headers=auth(token), json={"leads": [{"phone": "2" * 2000}]})
        assert response.status_code == 413 and response.json["success"] is False and response.json["code"] == 413
    assert client.get("/api/openapi.json").json["paths"]["/api/leads"]["post"]["responses"]["413"]


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/nothing", "/api/leads/x"])
def test_unknown_api_urls_get_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json["code"] == 404


def test_the_add_lead_form_refuses_fields_longer_than_their_column(app, logged_in):
    page = logged_in.get("/leads/").get_data(as_text=True)
    assert 'name="first_name" maxlength="100"' in page and 'name="company" maxlength="200"' in page
    for data, message in [
        ({"phone": "2025550142", "first_name": "x" * 101}, "First name is longer than 100"),
        ({"phone": "2025550142", "company": "a\x00b"}, "Company holds a character"),
        ({"phone": "2" * 255}, "Primary phone is longer than 254"),
    ]:
        response = logged_in.post("/leads/", data=data, follow_redirects=True)
        assert message in response.get_data(as_text=True)
    assert leads_stored(app) == []
    logged_in.post("/leads/", data={"phone": "2025550142", "first_name": "x" * 100})
    assert [lead.first_name for lead in leads_stored(app)] == ["x" * 100]
