"""Stopping what `flask run-local` started, whatever stops it: Ctrl-C, SIGTERM (a process manager,
`kill`), SIGHUP (the terminal closed). Without this, SIGTERM ended the web process at once and left
its workers, RQ's scheduler and the bundled Redis running."""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# A worker busy with a check finishes it (a line call waits LINE_DEADLINE, 20 s, at most); after
# this long it is stopped anyway: RQ puts a job whose worker died back in the queue.
STOP_GRACE_SECONDS = 10
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Inside, SIGINT, SIGTERM and SIGHUP all stop the work as Ctrl-C does (KeyboardInterrupt:
    Werkzeug's server returns, every `finally` runs); later ones are ignored, so a second Ctrl-C
    can't cut the clean-up short (it is bounded: see stop_workers). A stop is a normal exit."""

    def stop(signum, frame):
        for each in STOP_SIGNALS:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {each: signal.signal(each, stop) for each in STOP_SIGNALS}
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def start_worker(args: list[str], env: dict) -> subprocess.Popen:
    """A worker in a process group of its own: the terminal's Ctrl-C reaches only the web process,
    which stops the workers in order, and the group holds what the worker forks (RQ's scheduler, an
    import's parsing pool) for stop_workers to end."""
    return subprocess.Popen(args, env=env, start_new_session=True)


def stop_workers(procs: list[subprocess.Popen], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM (RQ: finish the current job, stop the scheduler, leave), a second SIGTERM after
    `grace` (RQ: stop now), then SIGKILL for each worker's whole group."""
    for again_after in (grace, 2.0):
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        _wait(procs, again_after)
    for proc in procs:
        # Even for a worker that left: something it forked may outlive it in its group.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait(procs: list[subprocess.Popen], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for proc in procs:
        with suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.0, deadline - time.monotonic()))


def fresh_metrics_folder(instance_path: str) -> str:
    """The instance's folder for prometheus-client's per-process counts, emptied: the counts of an
    earlier run's processes would otherwise be added to this run's."""
    path = os.path.join(instance_path, "metrics")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path
