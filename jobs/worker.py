"""The RQ worker the app runs: RQ's own, whose maintenance also queues the periodic re-check."""
from rq import Worker

from jobs.queue import enqueue_recheck_sweep


class AppWorker(Worker):
    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        # Every worker tries; Redis lets one sweep through per period, so it runs while any worker does.
        enqueue_recheck_sweep()
