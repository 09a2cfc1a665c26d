"""Settings read from the environment, with defaults that need no set-up on one machine."""
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _instance_file(instance_path: str, name: str, make) -> str:
    """Read a generated local secret from instance/, creating it once (mode 600)."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()


def database_url(raw: str | None, instance_path: str) -> str:
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'app.db'}"
    # Plain postgres URLs mean psycopg 3, the driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def from_environment(instance_path: str) -> dict:
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        # None means: start (or join) the embedded Redis under instance/.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SECRET_KEY": env.get("SECRET_KEY")
        or _instance_file(instance_path, "secret_key", lambda: secrets.token_hex(32)),
        # Comma-separated Fernet keys, newest first: old keys still decrypt during a rotation.
        "LINE_SECRET_KEYS": (
            env.get("LINE_SECRET_KEYS")
            or _instance_file(instance_path, "line_secret.key", lambda: Fernet.generate_key().decode())
        ).split(","),
        "DEFAULT_REGION": env.get("DEFAULT_REGION", "US"),
        "RQ_QUEUE": env.get("RQ_QUEUE", "checks"),
        "LINE_CONNECT_TIMEOUT": float(env.get("LINE_CONNECT_TIMEOUT", "3.05")),
        "LINE_READ_TIMEOUT": float(env.get("LINE_READ_TIMEOUT", "15")),
        # The address "Test connection" checks when the user gives none.
        "LINE_TEST_ADDRESS": env.get("LINE_TEST_ADDRESS", "+12025550100"),
        # Pauses (seconds) before asking a line again after it could not tell; then Error.
        "CHECK_RETRY_DELAYS": [float(x) for x in env.get("CHECK_RETRY_DELAYS", "5,20,60").split(",") if x.strip()],
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        "MAX_IMPORT_ROWS": int(env.get("MAX_IMPORT_ROWS", "200000")),
        # Processes that parse and normalise import rows (the import's heaviest work).
        "IMPORT_PROCESSES": int(env.get("IMPORT_PROCESSES", str(os.cpu_count() or 1))),
        # How long a line's answer about an address is reused instead of asking again.
        "CACHE_AVAILABLE_DAYS": float(env.get("CACHE_AVAILABLE_DAYS", "30")),
        "CACHE_UNAVAILABLE_DAYS": float(env.get("CACHE_UNAVAILABLE_DAYS", "7")),
        "LEADS_PER_PAGE": int(env.get("LEADS_PER_PAGE", "50")),
    }
