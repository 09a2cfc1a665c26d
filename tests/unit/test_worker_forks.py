"""A job that forks (an import parses in a pool of processes) must be able to end what it forked:
the worker's own signal handlers must not live on in its children."""

import subprocess
import sys

from support import ROOT

# A process standing for the worker: RQ's handler on SIGTERM (which only asks the worker to stop
# after its job), the worker's fork preparation, then a forked child that the parent ends with
# SIGTERM, as multiprocessing's Pool.terminate() does.
FORK_AND_END = """
import os, signal, time
from sqlalchemy import create_engine
from jobs.worker import prepare_forks

signal.signal(signal.SIGTERM, lambda *_: print("asked to stop after the job", flush=True))
prepare_forks(create_engine("sqlite://"))
ready, told = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(told, b"x")
    time.sleep(30)
    os._exit(0)
os.read(ready, 1)
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
print("ended" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM else "still ran")
"""


def test_a_process_forked_from_the_worker_ends_when_its_parent_ends_it():
    result = subprocess.run([sys.executable, "-c", FORK_AND_END], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ended", result.stdout + result.stderr
