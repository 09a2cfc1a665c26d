"""The Idempotency-Key header on the API's POSTs that do work (services/idempotency.py keeps the
keys). Keys are the workspace's: any of its tokens retrying gets the first answer again."""

import hashlib
import logging
from functools import wraps

from flask import Response, g, make_response, request
from redis import RedisError

from blueprints.api_errors import ApiError
from services import idempotency

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# What a replay gives back besides the status and body (its RateLimit-* are this request's own).
KEPT_HEADERS = ("Content-Type", "Location")
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def idempotent(view):
    """Run the view once per key: a retry with the same request gets the first answer (status,
    body, KEPT_HEADERS) and Idempotent-Replayed: true. Only a success (2xx) is kept: after an
    error nothing was done (or the client is told to retry), so the key may be used again."""

    @wraps(view)
    def run(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
            raise ApiError(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID, say)")
        held = _claim(key)
        if isinstance(held, idempotency.Answer):
            response = Response(held.body, held.status, held.headers)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _settle(idempotency.free, held)
            raise
        if 200 <= response.status_code < 300:
            kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            answer = idempotency.Answer(response.status_code, response.get_data(as_text=True), kept)
            _settle(idempotency.keep, held, answer)
        else:
            _settle(idempotency.free, held)
        return response

    return run


def _claim(key: str):
    try:
        return idempotency.claim(f"workspace:{g.workspace_id}", key, _fingerprint())
    except idempotency.Running:
        raise ApiError(409, f"A request with this {HEADER} is still running: retry in a few seconds") from None
    except idempotency.OtherRequest:
        raise ApiError(
            422, f"This {HEADER} was first used with a different request: send a new key with a new request"
        ) from None
    except RedisError:
        raise ApiError(503, f"{HEADER} can't be honoured right now (Redis is unreachable): retry later") from None


def _settle(action, *args) -> None:
    """Keep the answer or free the key; the answer goes out even if Redis went away meanwhile (the
    claim then lapses by itself)."""
    try:
        action(*args)
    except RedisError:
        log.warning("%s not settled: Redis unreachable", HEADER, exc_info=True)


def _fingerprint() -> str:
    """The request as a client means it: method, path, query and body; a form by its fields and
    files (name, filename, bytes), as a retry sends them with a new multipart boundary."""
    digest = hashlib.sha256()

    def part(data: bytes) -> None:  # length-prefixed, so no two requests run together the same
        digest.update(len(data).to_bytes(8, "big") + data)

    part(f"{request.method} {request.path}?".encode() + request.query_string)
    if request.mimetype not in FORMS:
        part(request.get_data())
        return digest.hexdigest()
    fields = sorted((_bytes(name), _bytes(value)) for name, value in request.form.items(multi=True))
    files = sorted(
        (_bytes(name), _bytes(file.filename), _file_digest(file)) for name, file in request.files.items(multi=True)
    )
    part(len(fields).to_bytes(8, "big"))
    for item in fields + files:
        for data in item:
            part(data)
    return digest.hexdigest()


def _bytes(text: str | None) -> bytes:
    # (a part may have no name or filename: None)
    return (text or "").encode(errors="surrogatepass")


def _file_digest(file) -> bytes:
    digest = hashlib.sha256()
    while chunk := file.stream.read(1 << 16):
        digest.update(chunk)
    file.stream.seek(0)  # the view reads it again
    return digest.digest()
