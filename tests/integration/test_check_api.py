"""The spec's three availability calls, field by field, and every error it lists, against the demo
line over real HTTP (and a real worker for the large-list batch)."""

import pytest

from extensions import db
from models import Line, User, Workspace
from services import leads as lead_store
from support import auth

pytestmark = pytest.mark.integration


def lead(app, user_id, **fields):
    with app.app_context():
        return str(lead_store.create_lead(db.session.get(User, user_id).workspace, fields)[0].id)


def test_check_one_lead(app, client, user, token, demo_line):
    lead_id = lead(app, user, phone="(202) 555-0143", email="ada@icloud.com")
    response = client.get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token))
    assert response.status_code == 200
    assert response.json == {"success": True, "leadId": lead_id, "available": True, "status": "available"}


def test_check_a_list_of_leads(app, client, user, token, demo_line, demo_server):
    ids = [
        lead(app, user, phone="2025550142"),
        lead(app, user, phone="2025550143"),
        lead(app, user, email="grace@me.com"),
    ]
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": ids})
    assert response.status_code == 200
    assert response.json == {
        "success": True,
        "checked": 3,
        "successful": 3,
        "errors": 0,
        "results": [
            {"leadId": ids[0], "available": True, "status": "available"},
            {"leadId": ids[1], "available": False, "status": "unavailable"},
            {"leadId": ids[2], "available": True, "status": "available"},
        ],
    }
    again = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": ids})
    assert again.json["results"] == response.json["results"]
    assert demo_server.stats["calls"] == 3  # the second time, the answers were reused


def test_check_an_address(client, token, demo_line):
    for typed, normal, available in (
        ("+12025551234", "+12025551234", True),
        ("(202) 555-1235", "+12025551235", False),
        (" Tim@Mac.com ", "tim@mac.com", True),
    ):
        response = client.post("/api/leads/check-availability", headers=auth(token), json={"address": typed})
        assert response.status_code == 200
        assert response.json == {"success": True, "available": available, "address": normal}


def assert_error(response, code, *words):
    assert response.status_code == code, response.json
    assert response.json == {**response.json, "success": False, "code": code}
    assert set(response.json) >= {"success", "error", "code"}
    assert all(w.lower() in response.json["error"].lower() for w in words), response.json["error"]


def test_400_without_an_active_line(app, client, user, token):
    lead_id = lead(app, user, phone="2025550142")
    assert_error(client.get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token)), 400, "no active line")
    for body in ({"leadIds": [lead_id]}, {"address": "+12025550142"}):
        assert_error(
            client.post("/api/leads/check-availability", headers=auth(token), json=body), 400, "no active line"
        )


def test_401_without_a_valid_token(client, demo_line):
    for headers in ({}, auth("imc_nope")):
        assert_error(client.get("/api/leads/check-availability?id=1", headers=headers), 401)
        assert_error(
            client.post("/api/leads/check-availability", headers=headers, json={"address": "+12025550142"}), 401
        )


def test_unknown_leads_are_404_alone_and_a_per_lead_error_in_a_list(app, client, user, token, demo_line):
    from cli import create_user

    with app.app_context():
        other = create_user("eve@example.com", "another long password")
        theirs = str(
            lead_store.create_lead(db.session.get(Workspace, other.workspace_id), {"phone": "2025550142"})[0].id
        )
    mine = lead(app, user, phone="2025550144")
    for missing in (theirs, "999999", "3000000000"):
        assert_error(
            client.get(f"/api/leads/check-availability?id={missing}", headers=auth(token)), 404, "lead not found"
        )
        response = client.post(
            "/api/leads/check-availability", headers=auth(token), json={"leadIds": [mine, missing, int(missing)]}
        )
        assert response.status_code == 200
        assert response.json == {
            "success": True,
            "checked": 2,
            "successful": 1,
            "errors": 1,
            "results": [
                {"leadId": mine, "available": True, "status": "available"},
                {"leadId": missing, "available": None, "status": "not_found", "error": "Lead not found"},
            ],
        }


def test_an_id_that_is_not_a_number_is_400(client, token, demo_line):
    for bad in ("abc", "507f1f77bcf86cd799439011", "²", "-1", "1.0"):
        assert_error(client.get("/api/leads/check-availability", query_string={"id": bad}, headers=auth(token)), 400)
        response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": ["1", bad]})
        assert_error(response, 400, "whole numbers")


@pytest.mark.parametrize(
    "body, words",
    [
        (None, ["leadIds", "address"]),
        ({"leadIds": ["1"], "address": "+12025550142"}, ["either"]),
        ({"leadIds": []}, ["non-empty list"]),
        ({"leadIds": "1"}, ["list"]),
        ({"address": 12025550142}, ["must be a string"]),
        ({"address": "hello"}, ["not a valid phone number or email"]),
        ({"address": ""}, ["type a phone number"]),
    ],
)
def test_400_for_a_malformed_body(client, token, demo_line, body, words):
    response = (
        client.post("/api/leads/check-availability", headers=auth(token), json=body)
        if body
        else client.post("/api/leads/check-availability", headers=auth(token), data="{not json")
    )
    assert_error(response, 400, *words)


def test_400_without_an_id(client, token, demo_line):
    assert_error(client.get("/api/leads/check-availability", headers=auth(token)), 400, "id")


def test_500_when_the_line_cannot_tell(app, client, user, token, demo_line, demo_server):
    demo_server.error_rate = 1.0
    lead_id = lead(app, user, phone="2025550142")
    assert_error(client.get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token)), 500, "check failed")
    assert_error(
        client.post("/api/leads/check-availability", headers=auth(token), json={"address": "+12025550142"}),
        500,
        "check failed",
    )
    # The lead is not given up on: it waits for the background retry, never Unavailable, and its
    # answer is null (pending), not false (not on iMessage).
    got = client.get(f"/api/leads/{lead_id}", headers=auth(token)).json["lead"]
    assert (got["status"], got["available"]) == ("checking", None)


def test_a_lead_whose_check_failed_is_null_beside_one_answered(app, client, user, token, demo_line, demo_server):
    answered, failing = lead(app, user, phone="2025550142"), lead(app, user, phone="2025550144")
    assert client.get(f"/api/leads/check-availability?id={answered}", headers=auth(token)).json["available"]
    demo_server.error_rate = 1.0
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": [answered, failing]})
    assert response.status_code == 200 and response.json["errors"] == 1
    pending = response.json["results"][1]
    assert (pending["leadId"], pending["status"], pending["available"]) == (failing, "checking", None)


def test_429_with_retry_after_when_the_lines_are_at_their_pace(app, client, user, token, demo_line):
    with app.app_context():
        db.session.get(Line, demo_line).rate_per_minute = 1
        db.session.commit()
    first = client.post("/api/leads/check-availability", headers=auth(token), json={"address": "+12025550142"})
    assert first.status_code == 200
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"address": "+12025550144"})
    assert_error(response, 429, "rate limit")
    assert isinstance(response.json["retryAfter"], int) and 50 <= response.json["retryAfter"] <= 60
    assert response.headers["Retry-After"] == str(response.json["retryAfter"])


def test_long_lists_become_a_batch(app, client, user, token, demo_line, run_worker):
    app.config["API_INLINE_CHECK_LIMIT"] = 2
    ids = [lead(app, user, phone=f"20255501{40 + n}") for n in range(3)]
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": [*ids, "999999"]})
    assert response.status_code == 202 and response.json["success"] is True
    assert response.json["errors"] == 1 and response.json["results"][0]["status"] == "not_found"
    status_url = response.json["statusUrl"]
    assert status_url == f"/api/batches/{response.json['batchId']}"
    running = client.get(status_url, headers=auth(token)).json
    assert (running["state"], running["total"], running["done"]) == ("running", 3, 0) and "results" not in running
    run_worker()
    done = client.get(status_url, headers=auth(token)).json
    assert (done["state"], done["done"], done["available"], done["unavailable"]) == ("done", 3, 2, 1)
    assert done["results"] == [
        {"leadId": i, "available": n % 2 == 0, "status": "available" if n % 2 == 0 else "unavailable"}
        for n, i in enumerate(ids)
    ]
    assert_error(client.get("/api/batches/999", headers=auth(token)), 404)


def test_a_list_that_meets_the_rate_limit_goes_on_in_the_background(app, client, user, token, demo_line):
    from services.queue import check_queue

    with app.app_context():
        db.session.get(Line, demo_line).rate_per_minute = 1
        db.session.commit()
    ids = [lead(app, user, phone=f"20255501{40 + n}") for n in range(3)]
    response = client.post("/api/leads/check-availability", headers=auth(token), json={"leadIds": ids})
    assert_error(response, 429, "rate limit")
    assert response.headers["Retry-After"] == str(response.json["retryAfter"])
    statuses = [client.get(f"/api/leads/{i}", headers=auth(token)).json["lead"]["status"] for i in ids]
    assert statuses == ["available", "checking", "checking"]  # none lost, none marked for it
    with app.app_context():
        queued = check_queue()
        assert queued.count + queued.scheduled_job_registry.count == 2
