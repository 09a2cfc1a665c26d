"""`flask worker --concurrency N`: one command, N worker processes, each the worker of worker.py.

A process each rather than N jobs on threads in one process (measured side by side: BENCHMARKS.md,
"Throughput"): each job keeps what it has alone today — RQ's signal-based job timeout,
its own crash, a fork for an import's parsing pool from a single-threaded process — and a child
that dies is replaced. The children share the parent's process group, so Ctrl+C and a group
kill reach them too. The parent passes a first stop on as WARM_STOP, which a child already
stopping ignores: a signal heard from the group and from the parent is one stop request, however
late the parent's comes (RQ's own rule, a second signal within a second, failed on a busy machine:
the parent's SIGTERM came 2 s after the group's SIGINT and killed a check midway)."""

import logging
import os
import signal
import sys
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
# What the command sends its processes to have them finish their job and stop (worker.py's
# AppWorker): never taken for a second, cold stop, however late it comes after the group's Ctrl+C.
WARM_STOP = signal.SIGUSR1
# A child that dies is replaced after this long: a child failing at once is not forked in a loop.
RESPAWN_SECONDS = 1.0


def work_in_processes(
    work: Callable[[], None], processes: int, *, burst: bool = False, killed: Callable[[int], None] | None = None
) -> None:
    """Keep `processes` forked processes running `work` (worker.py's) until stopped; a stop
    (SIGTERM, SIGINT) is passed on to each as WARM_STOP: finish the job, then leave; a second one,
    as SIGTERM, stops them at once (RQ's way). `burst`: none is replaced, and the command ends with the last.
    `killed(pid)`: told of a process ended by a signal, which had no chance to tidy up."""
    children: set[int] = set()
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        how = signal.SIGTERM if stopping else WARM_STOP
        stopping = True
        log.info("Stopping %d workers (signal %d)", len(children), signum)
        for pid in list(children):
            _tell(pid, how)

    def start_one():
        pid = _fork_worker(work)
        children.add(pid)
        if stopping:  # the stop came while it was being forked
            _tell(pid, WARM_STOP)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        start_one()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if killed and os.WIFSIGNALED(status):
            killed(pid)
        if stopping or burst:
            continue
        log.warning("Worker process %d ended (%s); starting another", pid, _how(status))
        time.sleep(RESPAWN_SECONDS)
        if not stopping:
            start_one()


def _tell(pid: int, how: int) -> None:
    try:
        os.kill(pid, how)
    except ProcessLookupError:
        pass


def _fork_worker(work: Callable[[], None]) -> int:
    """A worker process; like everything forked from the worker command (prepare_forks), it
    stops by itself if this process is SIGKILLed."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        work()
    except SystemExit as exc:  # RQ's cold stop
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # never back into the parent's loop
        log.exception("Worker process %d failed", os.getpid())
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
