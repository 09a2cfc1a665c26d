"""gunicorn's settings, read from the working directory (or named by --config): the kind of
worker and its hooks; how many workers and the address stay on the command line (Procfile, README)."""

import os

# Threaded workers: a process's main thread keeps its heartbeat while a request runs, so a long
# download (a million leads' export, 20-30 s, longer to a slow client) is not killed at `timeout`
# (30 s) as a sync worker, silent until its request ends, was: the CSV ended short, no error.
# Two threads a process: a download doesn't hold up the polls sent to its process meanwhile.
worker_class = "gthread"
threads = 2
# Longer than the leads page's 2 s poll: a page's polls reuse its connection instead of racing the
# server closing it (gunicorn's default is 2 s).
keepalive = 5


def child_exit(server, worker):
    # prometheus-client's multiprocess mode (services/metrics): a dead process's live gauges go
    # with it; its counters stay, so totals never go back.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
