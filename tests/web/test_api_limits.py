"""Each API token's request limit: the RateLimit-* headers on every answer, a JSON 429 with
Retry-After past it, one count per token, and no failure when Redis (which counts) is away."""

import logging

from extensions import db
from models import Lead, User
from services import tokens as api_tokens
from support import auth


def leads_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Lead))


def test_every_answer_says_what_is_left_and_past_the_limit_is_a_429(app, client, token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    answers = [
        client.get("/api/leads", headers=auth(token)),
        client.get("/api/leads/999", headers=auth(token)),  # an error counts, and says so too
        client.post("/api/leads/check-availability", headers=auth(token), json={}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 400]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"3"}
    assert all(0 < int(a.headers["RateLimit-Reset"]) <= 61 for a in answers)

    over = client.post("/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
    assert over.status_code == 429 and over.is_json
    assert over.json["success"] is False and over.json["code"] == 429
    assert over.json["error"].startswith("Too many requests: this token may make 3 per 1 minute")
    assert over.headers["Retry-After"] == over.headers["RateLimit-Reset"] == str(over.json["retryAfter"])
    assert over.headers["RateLimit-Remaining"] == "0"
    assert leads_stored(app) == 0  # refused before any work


def test_each_token_has_its_own_count(app, client, user, token):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    with app.app_context():
        other = api_tokens.create_token(db.session.get(User, user), "other")
    assert [client.get("/api/leads", headers=auth(token)).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/leads", headers=auth(other)).headers["RateLimit-Remaining"] == "1"
    # A request with no valid token is counted by its address, not charged to a token.
    assert client.get("/api/leads").headers["RateLimit-Remaining"] == "1"


def test_the_default_is_200_a_minute(token):
    from app import create_app

    response = create_app({"TESTING": True}).test_client().get("/api/leads", headers=auth(token))
    assert response.headers["RateLimit-Limit"] == "200" and response.headers["RateLimit-Remaining"] == "199"


def test_with_redis_away_the_api_answers_uncounted_and_logs_it(app, token, demo_line, throwaway_redis, caplog):
    from app import create_app

    on_throwaway = create_app({"TESTING": True, "REDIS_URL": throwaway_redis.url, "API_RATE_LIMIT": "1 per minute"})
    client = on_throwaway.test_client()
    assert client.get("/api/leads", headers=auth(token)).headers["RateLimit-Remaining"] == "0"
    throwaway_redis.kill()
    with caplog.at_level(logging.ERROR, logger="flask-limiter"):
        listed = client.get("/api/leads", headers=auth(token))
        created = client.post("/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
    # Over the limit of 1, but the limit can't be counted: no 429, no 500, no made-up figures.
    assert listed.status_code == 200 and "RateLimit-Remaining" not in listed.headers
    assert created.status_code == 201 and created.json["created"] == 1
    assert created.json["warning"].startswith("Saved but not checked")
    assert "Failed to rate limit" in caplog.text


def test_redis_lost_during_a_request_still_answers_without_the_figures(token, demo_line, demo_server, throwaway_redis):
    import threading
    import time

    from app import create_app

    # The limit counted on a Redis of its own, which dies while the check waits for the line.
    on_throwaway = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": throwaway_redis.url})
    demo_server.latency = 2
    threading.Timer(0.5, throwaway_redis.kill).start()
    started = time.monotonic()
    response = on_throwaway.test_client().post(
        "/api/leads/check-availability", headers=auth(token), json={"address": "+12025550142"}
    )
    assert time.monotonic() - started >= 2  # Redis was gone before the answer was made
    assert response.status_code == 200 and response.json["available"] is True
    assert "RateLimit-Remaining" not in response.headers


def test_the_description_gives_every_answer_its_headers_and_a_429(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
            for code, answer in operation["responses"].items():
                assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(answer["headers"]), code
