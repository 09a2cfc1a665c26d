"""gunicorn's settings, read from the working directory (or named by --config): hooks only; the
workers and the address stay on the command line (Procfile, README)."""

import os


def child_exit(server, worker):
    # prometheus-client's multiprocess mode (services/metrics): a dead process's live gauges go
    # with it; its counters stay, so totals never go back.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
