"""An address a check is asking a line about, marked in Redis so that no other check of the
workspace pays a line for it meanwhile: they wait for its answer instead.

The mark is held by the check that took it and by each of its calls that the worker stopped waiting
for but that goes on in the background; it is let go when the last of them ends. Its lifetime in
Redis bounds how long a holder that died blocks the address.
"""

import secrets
import threading

from redis import Redis

# Extends (ARGV[2] > 0 seconds) or deletes the mark, only while it is still this holder's: it may
# have expired and been taken by another check.
_IF_MINE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if tonumber(ARGV[2]) > 0 then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return redis.call('DEL', KEYS[1])
"""


class InFlight:
    def __init__(self, redis: Redis, workspace_id: int, address: str):
        self.name, self._redis = f"inflight:{workspace_id}:{address}", redis
        self._token = secrets.token_hex(8)
        self._holders, self._lock = 0, threading.Lock()

    def take(self, seconds: int) -> bool:
        """Mark the address for `seconds`; False when another check has it marked."""
        if not self._redis.set(self.name, self._token, nx=True, ex=seconds):
            return False
        self._holders = 1
        return True

    def hold_for(self, seconds: int) -> None:
        """One more holder (a call going on in the background); the mark lasts `seconds` from now."""
        with self._lock:
            self._holders += 1
        self._if_mine(seconds)

    def release(self) -> None:
        with self._lock:
            self._holders -= 1
            last = self._holders == 0
        if last:
            self._if_mine(0)

    def _if_mine(self, seconds: int) -> None:
        self._redis.register_script(_IF_MINE)(keys=[self.name], args=[self._token, seconds])
