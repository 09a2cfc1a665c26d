"""The queue's depth is read from Redis at each scrape (a custom collector), and left out, not
failed, when Redis is away."""

from datetime import timedelta

from services.metrics.scrape import QueueCollector
from services.queue import CHECK_JOB, check_queue
from support import free_port


def depth(app) -> dict[str, float]:
    return {
        sample.labels["state"]: sample.value
        for family in QueueCollector(app).collect()
        for sample in family.samples
        if sample.name == "bbcheck_queue_jobs"
    }


def test_the_gauge_reads_the_queue_at_each_collect(app):
    assert depth(app) == {"queued": 0, "scheduled": 0, "running": 0, "failed": 0}
    queue = check_queue(app)
    for lead_id in (1, 2):
        queue.enqueue(CHECK_JOB, lead_id, "run", [], 0)
    queue.enqueue_in(timedelta(minutes=5), CHECK_JOB, 3, "run", [], 0)
    assert depth(app) == {"queued": 2, "scheduled": 1, "running": 0, "failed": 0}


def test_nothing_is_collected_when_redis_is_away():
    from app import create_app

    away = create_app({"TESTING": True, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert list(QueueCollector(away).collect()) == []
