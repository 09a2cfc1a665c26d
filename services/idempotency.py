"""Idempotency keys, as Stripe's API keeps them: the first answer given under a key is kept 24 hours
and given again to a retry of the same request, without doing its work twice; another request under
the key is refused; a retry while the first still runs is told to wait.

Kept in Redis rather than the database: SET NX claims a key atomically across every web process,
the 24 hours are its expiry (no table, no sweeper), and a running request's claim lapses by itself
if its process dies. The cost: a Redis flush forgets the keys, and a retry after it does the work
again; with Redis unreachable a request with a key is refused (503) rather than risk doing it twice.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from extensions import redis_connection

KEEP_SECONDS = 24 * 3600
# Longer than any request runs (the web server's own timeout cuts it first): a claim held this
# long belongs to a process that died, and is free again.
RUNNING_SECONDS = 600

# Keep or free our own claim only: one that lapsed may have been taken by another request since.
_SWAP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
"""


class Running(Exception):
    """The first request with this key is still running."""


class OtherRequest(Exception):
    """The key was first used with another request."""


@dataclass(frozen=True)
class Claim:
    """This request holds the key: it does the work, then keeps its answer or frees the key."""

    redis_key: str
    mark: str


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def claim(scope: str, key: str, fingerprint: str) -> Claim | Answer:
    """Take the key in `scope` for a request with `fingerprint`, or the answer it already has.
    Raises Running, OtherRequest, or redis.RedisError."""
    redis = redis_connection()
    redis_key = f"idem:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    mark = json.dumps({"fingerprint": fingerprint, "running": secrets.token_hex(8)})
    if redis.set(redis_key, mark, nx=True, ex=RUNNING_SECONDS):
        return Claim(redis_key, mark)
    held = redis.get(redis_key)
    if held is None:  # freed in between: its request failed a moment ago; a retry may take it
        raise Running()
    record = json.loads(held)
    if record["fingerprint"] != fingerprint:
        raise OtherRequest()
    if "running" in record:
        raise Running()
    return Answer(record["status"], record["body"], record["headers"])


def keep(held: Claim, answer: Answer) -> None:
    record = {"fingerprint": json.loads(held.mark)["fingerprint"], **answer.__dict__}
    redis_connection().eval(_SWAP, 1, held.redis_key, held.mark, json.dumps(record), KEEP_SECONDS)


def free(held: Claim) -> None:
    redis_connection().eval(_SWAP, 1, held.redis_key, held.mark, "", 0)
