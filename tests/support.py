"""Helpers shared by the test modules (fixtures live in conftest.py)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def flask_command(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app app ...` in a separate process on this session's settings (plus `env`)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )


def start_flask(*args: str, log: Path) -> subprocess.Popen:
    """Start a long-running `flask --app app ...` process on this session's settings, its output
    going to `log` (a pipe nobody reads would fill up and stall it)."""
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                                env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT)


def auth(token: str) -> dict:
    """Headers for an API call with `token`."""
    return {"Authorization": f"Bearer {token}"}
