"""The per-line limiter, shared by separate processes through the real Redis."""

import multiprocessing
import os
import time

import pytest
from redis import Redis

from availability.pacing import LinePacer, Pace, line_use

pytestmark = pytest.mark.integration


def hammer(url, line_id, pace, seconds, out):
    """One 'worker': take every call the limiter allows for `seconds`; report when each was granted."""
    pacer = LinePacer(Redis.from_url(url), line_id, pace)
    granted, stop = [], time.time() + seconds
    while time.time() < stop:
        wait = pacer.try_acquire()
        if wait == 0:
            granted.append(time.time())
        else:
            time.sleep(min(wait, 0.02))
    out.put(granted)


@pytest.fixture
def redis_url(app):
    return os.environ["REDIS_URL"]


def run_workers(url, line_id, pace, processes, seconds):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [ctx.Process(target=hammer, args=(url, line_id, pace, seconds, out)) for _ in range(processes)]
    for w in workers:
        w.start()
    granted = sorted(t for _ in workers for t in out.get(timeout=60))
    for w in workers:
        w.join(timeout=10)
    return granted


@pytest.mark.parametrize("burst", [1, 3])
def test_many_processes_never_exceed_burst_plus_rate_times_t(redis_url, burst):
    pace = Pace(rate_per_minute=300, burst=burst)  # 5 calls a second
    granted = run_workers(redis_url, 9000 + burst, pace, processes=4, seconds=3)
    # In every window of t seconds, at most burst + rate * t calls went out (the 50 ms allows for
    # the gap between Redis's clock, which decides, and ours, which records).
    for i, start in enumerate(granted):
        for j in range(i, len(granted)):
            t = granted[j] - start
            assert j - i + 1 <= burst + 5 * (t + 0.05), (i, j, t)
    # ...and the pace was actually used: no call the limiter could give was wasted.
    assert len(granted) >= 5 * 3 * 0.8


def test_a_pause_holds_every_process(redis_url):
    pace = Pace(rate_per_minute=6000)
    LinePacer(Redis.from_url(redis_url), 9100, pace).pause(1.5)
    started = time.time()
    granted = run_workers(redis_url, 9100, pace, processes=3, seconds=2.5)
    assert granted and min(granted) - started >= 1.3


def test_the_daily_cap_waits_for_the_next_utc_day(redis_url):
    pacer = LinePacer(Redis.from_url(redis_url), 9200, Pace(rate_per_minute=6000, daily_cap=2))
    assert pacer.try_acquire() == 0
    time.sleep(0.02)
    assert pacer.try_acquire() == 0
    time.sleep(0.02)
    wait = pacer.try_acquire()
    seconds_to_midnight = 86400 - time.time() % 86400
    assert abs(wait - seconds_to_midnight) < 5 and line_use(Redis.from_url(redis_url), [9200])[9200].used_today == 2
