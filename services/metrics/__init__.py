"""The metrics Prometheus reads, all defined here (prometheus-client), each counted at the one place
its fact happens: a line's answer and its latency (checks/address.py, the call), a line's pause (the
same module), a lead's check written (checks/lead.py), import rows (imports/importer.py), webhook
attempts (webhooks/delivery.py). The queue's depth is read from Redis at scrape time (scrape.py).

Under gunicorn and with `flask worker` processes, PROMETHEUS_MULTIPROC_DIR makes prometheus-client
keep each process's counts in a file of that folder (named by pid), and a scrape adds them up: the
same totals whichever process answers, the workers' included. It must be set before this module is
first imported. Lines are labelled by id and provider, never by a user's free text."""

import time
from collections.abc import Callable

from prometheus_client import Counter, Histogram

from availability.outcomes import CheckResult

PREFIX = "bbcheck"

LINE_CHECKS = Counter(
    f"{PREFIX}_line_checks",
    "Line answers about an address, by line and outcome (rate_limited: the line answered 429)",
    ["line_id", "provider", "outcome"],
)
# A line call takes from tens of milliseconds to LINE_DEADLINE (20 s) and, going on late, beyond.
LINE_CALL_SECONDS = Histogram(
    f"{PREFIX}_line_call_seconds",
    "Time a line took to answer one check call, by provider",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60, 120),
)
LINE_PAUSES = Counter(
    f"{PREFIX}_line_pauses", "Times a line's 429 paused it for every worker, by line", ["line_id", "provider"]
)
LINE_PAUSE_SECONDS = Counter(
    f"{PREFIX}_line_pause_seconds", "Seconds of pause the lines' 429s asked for, by line", ["line_id", "provider"]
)
LEAD_CHECKS = Counter(f"{PREFIX}_lead_checks", "Lead checks finished, by the status written", ["status"])
IMPORT_ROWS = Counter(
    f"{PREFIX}_import_rows", "Rows of imported files, by result: imported, duplicate, invalid, empty", ["result"]
)
WEBHOOK_DELIVERIES = Counter(
    f"{PREFIX}_webhook_deliveries", "Webhook delivery attempts, by result: delivered, failed", ["result"]
)


def timed_line_call(line_id: int, provider: str, call: Callable[[], CheckResult]) -> CheckResult:
    """Make one line call, counting its answer and its time (when it ends, late or not)."""
    started = time.monotonic()
    try:
        result = call()
    finally:
        LINE_CALL_SECONDS.labels(provider).observe(time.monotonic() - started)
    LINE_CHECKS.labels(str(line_id), provider, result.outcome.value).inc()
    return result


def line_paused(line_id: int, provider: str, seconds: float) -> None:
    LINE_PAUSES.labels(str(line_id), provider).inc()
    LINE_PAUSE_SECONDS.labels(str(line_id), provider).inc(seconds)


def import_rows(*, imported: int, duplicate: int, invalid: int, empty: int) -> None:
    for result, rows in (("imported", imported), ("duplicate", duplicate), ("invalid", invalid), ("empty", empty)):
        if rows:
            IMPORT_ROWS.labels(result).inc(rows)
