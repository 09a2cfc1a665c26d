"""Which `flask worker` command an RQ worker belongs to. One command runs N workers
(`--concurrency N`, 1 without), each named after it: `<host>:<command's pid>:<N>:<8 hex>`, so
the Operations page shows a command with its processes, and `rq info` shows them side by side.
The random end keeps a name unique when a process registers again after a Redis outage (its old
registration may still be there: RQ refuses a live name twice)."""

import logging
import re
import socket
import uuid
from dataclasses import dataclass

from redis import RedisError
from rq import Queue, Worker

log = logging.getLogger(__name__)

_NAME = re.compile(r"(?P<host>.+):(?P<pid>\d+):(?P<size>\d+):[0-9a-f]{8}")


@dataclass(frozen=True)
class Command:
    host: str
    pid: int | None  # the command's process: the pool's parent, or the worker itself
    size: int  # the worker processes it keeps running


def worker_name(command_pid: int, size: int) -> str:
    return f"{socket.gethostname()}:{command_pid}:{size}:{uuid.uuid4().hex[:8]}"


def command_of(worker: Worker) -> Command:
    """The command a worker belongs to; a worker not named by `flask worker` (`rq worker`, or
    started before workers were named) is a command of its own, of 1."""
    named = _NAME.fullmatch(worker.name)
    if named:
        return Command(named["host"], int(named["pid"]), int(named["size"]))
    return Command(worker.hostname or "unknown host", worker.pid, 1)


def forget_process(queue: Queue, command_pid: int, pid: int) -> None:
    """Unregister the worker of a command's process that ended without doing so itself (killed).
    RQ would list it until its registration expires (worker TTL + 60 s), beside its replacement."""
    host = socket.gethostname()
    try:
        for worker in Worker.all(queue=queue):
            command = command_of(worker)
            if worker.pid == pid and command.pid == command_pid and command.host == host:
                worker.register_death()
    except RedisError as exc:  # its registration expires by itself
        log.warning("Could not unregister the worker of process %d: %s", pid, exc)
