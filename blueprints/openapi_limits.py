"""The OpenAPI description of what every operation shares: the token's rate limit (a 429 and the
RateLimit-* headers on every answer: blueprints/api_limits.py) and, on the POSTs that do work, the
Idempotency-Key header (blueprints/api_idempotency.py)."""

from blueprints.openapi_parts import errors

SECONDS = {"type": "string", "pattern": "^[0-9]+$"}
RATE_HEADERS = {
    "RateLimit-Limit": {"schema": SECONDS, "description": "Requests this token may make in the window"},
    "RateLimit-Remaining": {"schema": SECONDS, "description": "Requests left in the window"},
    "RateLimit-Reset": {"schema": SECONDS, "description": "Seconds until the window starts again"},
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
    "description": "Retry safely: the same key and request within 24 h answer the first success again "
    "(Idempotent-Replayed: true) without doing the work twice; another request under the key is 422, "
    "a retry while the first still runs 409. Keys are the workspace's.",
}
REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"const": "true"},
        "description": "This is the first answer to the Idempotency-Key, given again",
    }
}


def idempotent(operation: dict) -> dict:
    """The operation with the Idempotency-Key parameter and its answers."""
    responses = {
        code: {**answer, "headers": {**answer.get("headers", {}), **REPLAYED}} if code.startswith("2") else answer
        for code, answer in operation["responses"].items()
    }
    return {
        **operation,
        "parameters": [*operation.get("parameters", []), IDEMPOTENCY_KEY],
        "responses": {**responses, **errors(409, 422)},
    }


def rate_limited(paths: dict) -> dict:
    """Every operation of `paths` with a 429 and the RateLimit-* headers on each answer."""
    limited = {}
    for path, operations in paths.items():
        limited[path] = {}
        for method, operation in operations.items():
            responses = {**errors(429), **operation["responses"]}
            limited[path][method] = {
                **operation,
                "responses": {
                    code: {**answer, "headers": {**answer.get("headers", {}), **RATE_HEADERS}}
                    for code, answer in sorted(responses.items())
                },
            }
    return limited
