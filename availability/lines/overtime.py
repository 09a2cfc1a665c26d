"""Calling a line so that the caller can stop waiting while the call itself goes on.

Each calling thread has a helper thread that makes its calls, one at a time, so that the connection
one call keeps (safe_http.kept_session, kept per thread) serves the next. When the caller stops
waiting, that helper finishes the call on its own and then ends; the caller's next call gets a new
helper. A helper idle for KEEP_IDLE_SECONDS ends too: its connections would not be reused anyway.

Helpers are daemon threads: a process that exits does not wait for a call still going.
"""

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import TypeVar

from .safe_http import KEEP_IDLE_SECONDS, close_kept_sessions

Answer = TypeVar("Answer")
_local = threading.local()


class _Helper:
    def __init__(self):
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._open = True
        threading.Thread(target=self._serve, name="line-call", daemon=True).start()

    def submit(self, call: Callable[[], Answer]) -> "Future[Answer] | None":
        """The call's future, or None when this helper has ended or is ending."""
        with self._lock:
            if not self._open:
                return None
            future: Future = Future()
            self._calls.put((call, future))
            return future

    def retire(self) -> None:
        """End after the call in hand."""
        with self._lock:
            self._open = False
            self._calls.put(None)

    def _serve(self) -> None:
        try:
            while (item := self._next()) is not None:
                call, future = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(call())
                    except Exception as exc:  # the caller, or whoever takes over, reads it
                        future.set_exception(exc)
        finally:
            close_kept_sessions()

    def _next(self):
        while True:
            try:
                return self._calls.get(timeout=KEEP_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # nothing can be queued while this holds: end, or take what came
                    if self._calls.empty():
                        self._open = False
                        return None


def call_within(call: Callable[[], Answer], seconds: float) -> "Future[Answer]":
    """Make `call` in this thread's helper, waiting for it up to `seconds`. The future returned is
    done, or, when the call takes longer, still running: the helper finishes it alone."""
    if getattr(_local, "pid", None) != os.getpid():  # a forked child has none of its parent's threads
        _local.pid, _local.helper = os.getpid(), None
    future = _local.helper.submit(call) if _local.helper else None
    if future is None:
        _local.helper = _Helper()
        future = _local.helper.submit(call)
    wait([future], timeout=seconds)
    if not future.done():
        _local.helper.retire()
        _local.helper = None
    return future
