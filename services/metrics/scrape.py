"""One scrape of /metrics: the counts (this process's, or under PROMETHEUS_MULTIPROC_DIR every
process's on this host), the queue read from Redis now, and the token that guards them."""

import hmac
import logging
import os

from flask import Flask
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from services.operations import queue_counts

from . import PREFIX

log = logging.getLogger(__name__)


class QueueCollector:
    """The check queue's jobs by state (queued, scheduled, running, failed), read from Redis at each
    scrape. Redis away: the gauge is left out, and the other metrics are still served."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        try:
            with self.app.app_context():
                counts = queue_counts()
        except Exception as exc:  # RedisError mostly; whatever it is, the rest is still served
            log.warning("Metrics without the queue's depth: Redis did not answer (%s)", exc)
            return
        gauge = GaugeMetricFamily(f"{PREFIX}_queue_jobs", "Jobs in the check queue, by state", labels=["state"])
        for state, count in counts.items():
            gauge.add_metric([state], count)
        yield gauge


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text Prometheus reads, and its content type."""
    queue = CollectorRegistry()
    queue.register(QueueCollector(app))
    path = multiprocess_dir()
    if path is None:  # one process (flask run): its own counts
        return generate_latest(REGISTRY) + generate_latest(queue), CONTENT_TYPE_LATEST
    counts = CollectorRegistry()
    MultiProcessCollector(counts, path=path)
    return generate_latest(counts) + generate_latest(queue), CONTENT_TYPE_LATEST


def token_matches(expected: str, authorization: str) -> bool:
    """Whether an Authorization header carries the metrics token (compared in constant time)."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())
