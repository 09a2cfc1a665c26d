"""Settings read from the environment, with defaults that need no set-up on one machine."""

import os
import secrets
from pathlib import Path

import click
from cryptography.fernet import Fernet


class SettingsError(click.ClickException):
    """A setting the app can't start with. The flask command prints it as one line; gunicorn logs
    it as its workers' boot error."""


def _given(env, name: str) -> str | None:
    """A setting's value, None when unset or blank (spaces as SECRET_KEY: a key anyone can guess;
    a LINE_SECRET_KEYS of commas: no key)."""
    value = env.get(name) or ""
    return value if value.replace(",", "").strip() else None


def _fernet_keys(value: str) -> list[str]:
    """LINE_SECRET_KEYS as a list, spaces around each key dropped; a key that isn't one is refused
    by its place in the list (the key itself, a secret, is never printed)."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(
                f"LINE_SECRET_KEYS: key {number} is not a Fernet key (32 url-safe base64-encoded bytes, "
                "as cryptography's Fernet.generate_key() makes; see README, Deployment)."
            ) from None
    return keys


def _shared_keys(env, database_uri: str) -> None:
    """Every host of a shared database must sign sessions and encrypt line secrets with the same
    keys: generated per host, each would fail to read what another wrote."""
    missing = [name for name in ("SECRET_KEY", "LINE_SECRET_KEYS") if not _given(env, name)]
    if missing and not database_uri.startswith("sqlite"):
        raise SettingsError(
            f"{' and '.join(missing)} must be set (the same on every host) when DATABASE_URL is not SQLite: "
            "keys generated into each host's instance folder would differ, and no host could read the "
            "sessions and line secrets another wrote. See README, Deployment."
        )


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
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def from_environment(instance_path: str) -> dict:
    env = os.environ
    database_uri = database_url(env.get("DATABASE_URL"), instance_path)
    _shared_keys(env, database_uri)
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        # None means: start (or join) the embedded Redis under instance/.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SECRET_KEY": _given(env, "SECRET_KEY")
        or _instance_file(instance_path, "secret_key", lambda: secrets.token_hex(32)),
        # Comma-separated Fernet keys, newest first: old keys still decrypt during a rotation.
        "LINE_SECRET_KEYS": _fernet_keys(
            _given(env, "LINE_SECRET_KEYS")
            or _instance_file(instance_path, "line_secret.key", lambda: Fernet.generate_key().decode())
        ),
        "DEFAULT_REGION": env.get("DEFAULT_REGION", "US"),
        "RQ_QUEUE": env.get("RQ_QUEUE", "checks"),
        "LINE_CONNECT_TIMEOUT": float(env.get("LINE_CONNECT_TIMEOUT", "3.05")),
        "LINE_READ_TIMEOUT": float(env.get("LINE_READ_TIMEOUT", "15")),
        # The most a whole call to a line may take (a server trickling bytes never hits a read timeout).
        "LINE_DEADLINE": float(env.get("LINE_DEADLINE", "20")),
        # A check's call the worker stopped waiting for (LINE_DEADLINE) goes on in the background up
        # to this long from its start: the line is paid for it, and its answer is kept.
        "LINE_LATE_ANSWER_SECONDS": float(env.get("LINE_LATE_ANSWER_SECONDS", "120")),
        # The longest a line's 429 pauses it, whatever Retry-After it sends.
        "LINE_MAX_PAUSE_SECONDS": float(env.get("LINE_MAX_PAUSE_SECONDS", "3600")),
        # Lines on private or loopback addresses (an office Mac, the demo line). Off unless the
        # operator turns it on; link-local and cloud metadata addresses are refused regardless.
        "LINE_ALLOW_PRIVATE_NETWORKS": env.get("LINE_ALLOW_PRIVATE_NETWORKS", "false").lower() in ("1", "true", "yes"),
        # The address "Test connection" checks when the user gives none.
        "LINE_TEST_ADDRESS": env.get("LINE_TEST_ADDRESS", "+12025550100"),
        # Pauses (seconds) before asking a line again after it could not tell; then Error.
        "CHECK_RETRY_DELAYS": [float(x) for x in env.get("CHECK_RETRY_DELAYS", "5,20,60").split(",") if x.strip()],
        # A million-lead list in one file: its CSV is ~85 MB, and the import of 1,000,000 rows stays
        # under 300 MB of memory (benchmarks/BENCHMARKS.md, "A million leads").
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB", "100")) * 1024 * 1024,
        "MAX_IMPORT_ROWS": int(env.get("MAX_IMPORT_ROWS", "1000000")),
        # Where uploaded files are kept: empty for the database, or s3://BUCKET/PREFIX?endpoint_url=...
        # (services/imports/storage_s3.py).
        "UPLOAD_STORAGE_URL": env.get("UPLOAD_STORAGE_URL", "").strip(),
        # An uploaded file never imported is deleted after this long (an imported one at once).
        "UPLOAD_RETENTION_HOURS": float(env.get("UPLOAD_RETENTION_HOURS", "24")),
        # Processes that parse and normalise import rows (the import's heaviest work).
        "IMPORT_PROCESSES": int(env.get("IMPORT_PROCESSES", str(os.cpu_count() or 1))),
        # How long a line's answer about an address is reused instead of asking again (the default;
        # each workspace may set its own on the Settings page).
        "CACHE_AVAILABLE_DAYS": float(env.get("CACHE_AVAILABLE_DAYS", "30")),
        "CACHE_UNAVAILABLE_DAYS": float(env.get("CACHE_UNAVAILABLE_DAYS", "7")),
        # How often the workers look for leads due a periodic re-check.
        "RECHECK_SWEEP_SECONDS": int(env.get("RECHECK_SWEEP_SECONDS", "3600")),
        # A lead Checking, or a webhook attempt due, this long with no job in Redis lost it (Redis
        # restarted empty or from an older snapshot, or was down when the attempt was made): the
        # workers look every LOST_CHECK_SWEEP_SECONDS and queue it again.
        "CHECK_LOST_AFTER_SECONDS": float(env.get("CHECK_LOST_AFTER_SECONDS", "60")),
        "LOST_CHECK_SWEEP_SECONDS": int(env.get("LOST_CHECK_SWEEP_SECONDS", "20")),
        # Leads a statement when a worker marks a check of all matching (checks.all_matching): each
        # slice of ids is committed on its own, a second or two on PostgreSQL.
        "CHECK_ALL_SLICE": int(env.get("CHECK_ALL_SLICE", "10000")),
        "LEADS_PER_PAGE": int(env.get("LEADS_PER_PAGE", "50")),
        # Failed sign-ins allowed per client address and per account (Flask-Limiter syntax).
        "LOGIN_LIMIT": env.get("LOGIN_LIMIT", "10 per 10 minutes"),
        # How many reverse proxies stand in front of the web process: the client's address is then
        # taken from X-Forwarded-For, as the nearest of them wrote it. 0 (no proxy): the header is
        # ignored, since anyone can send one.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Session and remember-me cookies only over HTTPS (and HSTS). On unless turned off: the
        # local set-up (plain http on 127.0.0.1) turns it off.
        "SECURE_COOKIES": env.get("SECURE_COOKIES", "true").lower() in ("1", "true", "yes"),
        # Lead lists up to this size are checked while the API caller waits; longer ones get a batch.
        "API_INLINE_CHECK_LIMIT": int(env.get("API_INLINE_CHECK_LIMIT", "25")),
        # Pauses (seconds) before each new attempt at a webhook its receiver did not take.
        "WEBHOOK_RETRY_INTERVALS": [
            float(x) for x in env.get("WEBHOOK_RETRY_INTERVALS", "5,300,1800,7200,18000,36000").split(",") if x.strip()
        ],
        # The most one delivery may take (connect, send, answer).
        "WEBHOOK_TIMEOUT": float(env.get("WEBHOOK_TIMEOUT", "10")),
        # Requests each API token may make (Flask-Limiter syntax), counted in Redis across processes.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "200 per minute"),
        # The bearer token Prometheus sends to /metrics; unset, /metrics is off (404).
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
    }
