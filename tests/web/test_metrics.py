"""`/metrics`: off without METRICS_TOKEN, 401 without that bearer token, Prometheus's text format
with it (what this process counted, the queue read from Redis), never a 500 when Redis is away."""

from prometheus_client.parser import text_string_to_metric_families

from support import auth, free_port, metric_samples

TOKEN = "metrics-token-for-tests"


def test_off_without_a_token_setting_then_only_the_token_opens_it(app, client):
    assert client.get("/metrics", headers=auth(TOKEN)).status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    wrong = ({}, auth("wrong"), auth(TOKEN + "x"), {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN})
    for headers in wrong:
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "bbcheck" not in response.get_data(as_text=True)
    response = client.get("/metrics", headers=auth(TOKEN))
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers  # no session for a scraper
    names = {family.name for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert {"bbcheck_line_checks", "bbcheck_line_call_seconds", "bbcheck_import_rows", "bbcheck_queue_jobs"} <= names


def test_a_line_call_is_counted_by_line_outcome_and_latency(app, client, token, demo_line):
    app.config["METRICS_TOKEN"] = TOKEN
    line = (("line_id", str(demo_line)), ("outcome", "available"), ("provider", "demo"))
    calls = ("bbcheck_line_call_seconds_count", (("provider", "demo"),))

    def scrape():
        return metric_samples(client.get("/metrics", headers=auth(TOKEN)).get_data(as_text=True))

    before = scrape()
    checked = client.post("/api/leads/check-availability", headers=auth(token), json={"address": "+12025550142"})
    assert checked.get_json()["available"] is True
    after = scrape()
    assert after[("bbcheck_line_checks_total", line)] - before.get(("bbcheck_line_checks_total", line), 0) == 1
    assert after[calls] - before.get(calls, 0) == 1


def test_served_without_the_queue_when_redis_is_away():
    from app import create_app

    down = create_app({"TESTING": True, "METRICS_TOKEN": TOKEN, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    response = down.test_client().get("/metrics", headers=auth(TOKEN))
    assert response.status_code == 200
    names = {family.name for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert "bbcheck_line_checks" in names and "bbcheck_queue_jobs" not in names


def test_webhook_attempts_are_counted_by_result(app, client, token):
    import json

    from services.webhooks import delivery
    from webhook_receiver import WebhookReceiver

    app.config["METRICS_TOKEN"] = TOKEN
    hooks = WebhookReceiver(fail_first=1)
    try:
        made = client.post("/api/webhooks", headers=auth(token), json={"url": hooks.url, "events": ["lead.checked"]})
        endpoint_id = int(made.json["webhook"]["id"])
        before = metric_samples(client.get("/metrics", headers=auth(TOKEN)).get_data(as_text=True))
        payload = json.dumps({"type": "lead.checked", "timestamp": "2026-01-01T00:00:00Z", "data": {}})
        with app.app_context():
            assert delivery.deliver(endpoint_id, "msg_m", "lead.checked", payload, 1).startswith("failed")
            assert delivery.deliver(endpoint_id, "msg_m", "lead.checked", payload, 2) == "delivered"
        after = metric_samples(client.get("/metrics", headers=auth(TOKEN)).get_data(as_text=True))
    finally:
        hooks.close()
    for result in ("delivered", "failed"):
        key = ("bbcheck_webhook_deliveries_total", (("result", result),))
        assert after[key] - before.get(key, 0) == 1, result
