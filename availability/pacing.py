"""Each line's pace, shared by every worker process through Redis.

One Lua script decides, atomically and on Redis's own clock, whether a call to a line may go now:
a GCRA (generic cell rate algorithm: a token bucket kept as one timestamp) for the rate per minute,
a count of the current UTC day's calls for the daily cap, and a pause that a 429 sets for everyone. It answers 0
(go: the call is counted) or the seconds to wait.

Sends have a pause of their own: a line's cap on new contacts (Sendblue's) stops its messages, not
its checks.

A line's keys are named by its `key`, a random name it keeps for life and no other line ever gets
(an id can be reused: SQLite gives a new row the id of a deleted last one), so a deleted line's
pause can never hold another line. `forget` deletes them with the line; each also expires by itself.
"""

from dataclasses import dataclass

from redis import Redis

_ACQUIRE = """
local tat_key, pause_key, day_key = KEYS[1], KEYS[2], KEYS[3]
local interval, burst, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused_until = tonumber(redis.call('GET', pause_key) or '0')
if paused_until > now then
  return tostring(paused_until - now)
end
local today = math.floor(now / 86400)
local next_day = (today + 1) * 86400
local used = 0
if tonumber(redis.call('HGET', day_key, 'day') or '-1') == today then
  used = tonumber(redis.call('HGET', day_key, 'used') or '0')
end
if cap > 0 and used >= cap then
  return tostring(next_day - now)
end
local tat = math.max(tonumber(redis.call('GET', tat_key) or '0'), now)
local wait = tat - (burst - 1) * interval - now
if wait > 0 then
  return tostring(wait)
end
redis.call('SET', tat_key, tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
if cap > 0 then
  redis.call('HSET', day_key, 'day', today, 'used', used + 1)
  redis.call('EXPIREAT', day_key, next_day + 3600)
end
return '0'
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return tostring(until_)
"""


@dataclass(frozen=True)
class Pace:
    rate_per_minute: float  # 0.5 is one call every 2 minutes
    daily_cap: int | None = None
    # Calls allowed back to back after a quiet spell; 1 spaces every call evenly.
    burst: int = 1


def _keys(line_key: str) -> list[str]:
    prefix = f"pace:line:{line_key}"
    return [f"{prefix}:tat", f"{prefix}:paused", f"{prefix}:day"]


def _sends_key(line_key: str) -> str:
    return f"pace:line:{line_key}:sends_paused"


def forget(redis: Redis, line_key: str) -> None:
    """Delete a line's pace, pauses and daily count (the line is gone)."""
    redis.delete(*_keys(line_key), _sends_key(line_key))


@dataclass(frozen=True)
class LineUse:
    used_today: int  # calls counted against the daily cap since 00:00 UTC (0 without a cap)
    paused_for: float  # seconds left of a 429 pause (0 when the line is not paused)
    sends_paused_for: float = 0.0  # seconds left of a pause of its sends (its new-contact cap)


def line_use(redis: Redis, line_keys: list[str]) -> dict[str, LineUse]:
    """Each line's use today and pause, by line key, for many lines in one round trip: a page reads
    them on every poll."""
    if not line_keys:
        return {}
    pipe = redis.pipeline(transaction=False)
    for line_key in line_keys:
        _, paused, day = _keys(line_key)
        pipe.hmget(day, "day", "used")
        pipe.get(paused)
        pipe.get(_sends_key(line_key))
    pipe.time()
    *answers, now = pipe.execute()
    today, seconds = int(now[0] // 86400), now[0] + now[1] / 1e6
    return {
        line_key: LineUse(
            int(used) if day is not None and int(day) == today else 0,
            max(0.0, float(until or 0) - seconds),
            max(0.0, float(sends_until or 0) - seconds),
        )
        for line_key, (day, used), until, sends_until in zip(line_keys, answers[::3], answers[1::3], answers[2::3])
    }


class LinePacer:
    def __init__(self, redis: Redis, line_key: str, pace: Pace):
        self._redis, self.line_key, self.pace = redis, line_key, pace
        self._keys = _keys(line_key)
        self._acquire = redis.register_script(_ACQUIRE)

    def try_acquire(self) -> float:
        """0.0 when a call may go now (and is counted), else the seconds until one may."""
        interval = 60.0 / self.pace.rate_per_minute
        wait = self._acquire(keys=self._keys, args=[interval, self.pace.burst, self.pace.daily_cap or 0])
        return float(wait)

    def pause(self, seconds: float) -> None:
        """Hold every worker off this line for `seconds` (the line said 429)."""
        pause(self._redis, self.line_key, seconds)


def pause(redis: Redis, line_key: str, seconds: float) -> None:
    """Hold every worker off the line for `seconds`; a longer pause already set stays."""
    redis.register_script(_PAUSE)(keys=_keys(line_key)[1:2], args=[max(0.0, seconds)])


def pause_sends(redis: Redis, line_key: str, seconds: float) -> None:
    """No message goes out through the line for `seconds`; its checks go on."""
    redis.register_script(_PAUSE)(keys=[_sends_key(line_key)], args=[max(0.0, seconds)])
