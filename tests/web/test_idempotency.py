"""Idempotency-Key on the API's POSTs that do work: a retry with the same key and request gets the
first answer again and the work is done once; another request under the key is 422, a retry while
the first still runs 409; keys are per workspace, errors are not kept, and with Redis away a keyed
request is refused rather than risk doing it twice."""

import io
import threading
import time

from extensions import db
from models import CheckBatch, Lead, Upload, User
from services import tokens as api_tokens
from support import auth

LEADS = {"leads": [{"phone": "2025550142"}, {"email": "ada@icloud.com"}, {"phone": "12"}]}


def keyed(token: str, key: str) -> dict:
    return {**auth(token), "Idempotency-Key": key}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_retry_gets_the_first_answer_and_the_leads_are_made_once(app, client, user, token, demo_line):
    first = client.post("/api/leads", headers=keyed(token, "order-1"), json=LEADS)
    with app.app_context():  # any token of the workspace may retry
        other = api_tokens.create_token(db.session.get(User, user), "other")
    again = client.post("/api/leads", headers=keyed(other, "order-1"), json=LEADS)
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data() and again.json["created"] == 2 and again.json["batchId"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert (count(app, Lead), count(app, CheckBatch)) == (2, 1)


def test_keys_are_the_workspaces_own(app, client, token):
    from cli import create_user

    with app.app_context():
        eve = api_tokens.create_token(create_user("eve@example.com", "eve-password-123"), "eve")
    client.post("/api/leads", headers=keyed(token, "k"), json=LEADS)
    theirs = client.post("/api/leads", headers=keyed(eve, "k"), json=LEADS)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert client.post("/api/leads", headers=keyed(eve, "k"), json=LEADS).headers["Idempotent-Replayed"] == "true"
    assert count(app, Lead) == 4


def test_the_same_key_with_another_request_is_a_422_and_an_error_is_not_kept(app, client, token):
    refused = client.post("/api/leads", headers=keyed(token, "k"), json={"leads": [{"phone": "12"}]})
    assert refused.status_code == 400  # nothing done: not kept, the key is still free
    assert client.post("/api/leads", headers=keyed(token, "k"), json=LEADS).status_code == 201
    other = client.post("/api/leads", headers=keyed(token, "k"), json={"leads": [{"phone": "2025550143"}]})
    assert other.status_code == 422 and other.json["code"] == 422
    assert "different request" in other.json["error"]
    # Another endpoint under the key is another request too.
    assert client.post("/api/leads/check-availability", headers=keyed(token, "k"), json={}).status_code == 422
    assert count(app, Lead) == 2


def test_an_import_is_made_once_whatever_the_multipart_boundary(app, client, token):
    def upload(content: bytes, key="import-1"):
        return client.post(
            "/api/leads/import", headers=keyed(token, key), data={"file": (io.BytesIO(content), "leads.csv")}
        )

    first, again = upload(b"Phone\n2025550142\n"), upload(b"Phone\n2025550142\n")
    assert first.status_code == again.status_code == 202
    assert again.json["uploadId"] == first.json["uploadId"] and again.headers["Idempotent-Replayed"] == "true"
    assert upload(b"Phone\n2025550143\n").status_code == 422  # same name, other bytes
    assert count(app, Upload) == 1
    assert upload(b"Phone\n2025550143\n", "import-2").status_code == 202


def test_a_retry_while_the_first_runs_is_a_409_then_gets_its_answer(app, client, token, demo_line, demo_server):
    demo_server.latency = 2.0
    body = {"address": "+12025550142"}
    answers = {}

    def first():
        answers["first"] = app.test_client().post(
            "/api/leads/check-availability", headers=keyed(token, "check-1"), json=body
        )

    running = threading.Thread(target=first)
    running.start()
    # The retry goes once the first request's call has reached the line, not after a guessed
    # pause: on a loaded machine the first may not have claimed the key half a second in.
    deadline = time.monotonic() + 10
    while demo_server.stats["calls"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    during = client.post("/api/leads/check-availability", headers=keyed(token, "check-1"), json=body)
    running.join()
    after = client.post("/api/leads/check-availability", headers=keyed(token, "check-1"), json=body)
    assert during.status_code == 409 and during.json["code"] == 409 and "still running" in during.json["error"]
    assert answers["first"].status_code == after.status_code == 200
    assert after.json == answers["first"].json == {"success": True, "available": True, "address": "+12025550142"}
    assert demo_server.stats["calls"] == 1


def test_a_malformed_key_is_a_400(client, token):
    for key in ("", "x" * 256, "clé"):
        response = client.post("/api/leads", headers=keyed(token, key), json=LEADS)
        assert response.status_code == 400 and "Idempotency-Key must be" in response.json["error"], key


def test_with_redis_away_a_keyed_request_is_refused_and_an_unkeyed_one_served(app, token, throwaway_redis):
    from app import create_app

    client = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url}).test_client()
    throwaway_redis.kill()
    refused = client.post("/api/leads", headers=keyed(token, "k"), json=LEADS)
    assert refused.status_code == 503 and "Idempotency-Key can't be honoured" in refused.json["error"]
    assert count(app, Lead) == 0
    assert client.post("/api/leads", headers=auth(token), json=LEADS).status_code == 201


def test_the_description_gives_the_three_posts_the_key_and_its_answers(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/leads", "/api/leads/import", "/api/leads/check-availability"):
        operation = paths[path]["post"]
        assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
        assert {"409", "422"} <= set(operation["responses"])
        success = next(answer for code, answer in operation["responses"].items() if code.startswith("2"))
        assert "Idempotent-Replayed" in success["headers"]
    assert all("Idempotency-Key" not in str(op) for op in paths["/api/leads/{leadId}"].values())
