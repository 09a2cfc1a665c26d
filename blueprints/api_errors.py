"""The API's errors, always JSON {"success": false, "error": ..., "code": N} (every path under /api,
routing errors included), and its request bodies and ids read with a clear 400 for anything else."""

import json

from flask import jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error(status: int, message: str, **extra):
    if status == 429:
        extra.setdefault("retryAfter", 60)
    response = jsonify(success=False, error=message, code=status, **extra)
    if status == 429:
        # The header as well as the body's retryAfter: HTTP clients and proxies read the header.
        response.headers["Retry-After"] = str(extra["retryAfter"])
    return response, status


def api_error(exc: ApiError):
    return error(exc.status, exc.message, **exc.extra)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def http_error(exc: HTTPException):
    """App-wide: routing errors (an unknown URL, a method the API lacks) never reach the blueprint's
    handlers, and every answer under /api is JSON. Other paths keep Flask's own answer."""
    if not is_api_path(request.path):
        return exc
    messages = {404: "Not found", 405: "Method not allowed", 413: "Request too large", 500: "Internal error"}
    response, status = error(exc.code or 500, messages.get(exc.code, exc.description or exc.name))
    if getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, status


def options_in_json(response):
    """Flask answers OPTIONS itself, with an empty HTML body: under /api it is JSON too."""
    if request.method == "OPTIONS" and not response.is_json:
        allow = response.headers.get("Allow", "")
        response = jsonify(success=True, allow=[m.strip() for m in allow.split(",") if m.strip()])
        response.headers["Allow"] = allow
    return response


def json_body(example: str):
    """The request's body as JSON; a 400 saying what is wrong and what to send otherwise."""
    if not request.is_json:
        raise ApiError(400, f"Send a JSON body (Content-Type: application/json) like {example}")
    try:
        return json.loads(request.get_data())
    except RecursionError:
        # The parser gives up past Python's recursion limit (~1,000 levels), at once.
        raise ApiError(400, "The JSON is nested too deeply") from None
    except ValueError:  # not JSON, not UTF-8/16/32, a number past 4,300 digits
        raise ApiError(400, f"The body is not valid JSON: send one like {example}") from None


def id_text(raw) -> str:
    """An id as sent, checked to be a number: anything else is the caller's mistake (400), where a
    number naming no row of theirs is not found."""
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdigit()):
        raise ApiError(400, f"Ids are whole numbers: {str(raw)[:50]!r} is not one")
    return text
