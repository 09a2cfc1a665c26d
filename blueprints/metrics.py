"""`/metrics` for Prometheus: off (404) without METRICS_TOKEN, 401 without that bearer token. Not
a page: no session, no sign-in, no CSRF (GET only), outside the API's rate limit."""

from flask import Blueprint, abort, current_app, request

from services.metrics.scrape import exposition, token_matches

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    if not token_matches(token, request.headers.get("Authorization", "")):
        return (
            "A bearer token is needed: METRICS_TOKEN\n",
            401,
            {
                "Content-Type": "text/plain; charset=utf-8",
                "WWW-Authenticate": 'Bearer realm="metrics"',
            },
        )
    body, content_type = exposition(current_app._get_current_object())
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}
