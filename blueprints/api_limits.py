"""Each API token's request limit (API_RATE_LIMIT) and the RateLimit-* headers every API answer
carries (draft-ietf-httpapi-ratelimit-headers: the limit, what is left, seconds to the reset).

Counted by Flask-Limiter in Redis, so every web process shares one count per token. A fixed
window (its default, the login limit's too): one INCR+EXPIRE per request, and a reset time that is
exact, so Remaining and Reset say what a client will really get; the cost is that a client may
spend two windows' worth around a boundary, harmless for a limit that protects the service.
Redis unreachable: the request goes through uncounted, without the headers (Flask-Limiter logs
it; RATELIMIT_SWALLOW_ERRORS): an API must not fail because its meter did."""

import logging
import math
import time

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address

from extensions import limiter
from services.tokens import digest

log = logging.getLogger(__name__)


def client_key() -> str:
    """The token sent, by its digest (counted before the token is looked up, so a request over the
    limit costs no database read), else the client's address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + digest(token.strip())
    return "address:" + get_remote_address()


def limit_api(bp: Blueprint) -> None:
    """One count per token over all of the blueprint's endpoints, and the headers on its answers."""
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=client_key)(bp)
    bp.after_request(_headers)


def _headers(response):
    counted = limiter.current_limit
    if counted is None:  # not counted (Redis unreachable): no figures to give
        return response
    try:
        remaining, reset_at = counted.remaining, counted.reset_at
    except Exception:  # noqa: BLE001 - Redis went away since the count: the answer still goes out
        log.warning("RateLimit headers left out: the limit's storage could not be read", exc_info=True)
        return response
    response.headers["RateLimit-Limit"] = str(counted.limit.amount)
    response.headers["RateLimit-Remaining"] = str(remaining)
    response.headers["RateLimit-Reset"] = str(max(0, math.ceil(reset_at - time.time())))
    return response
