"""Hosts sharing a database must share the keys that sign sessions and encrypt line secrets: on
anything but SQLite the app refuses to start without them, saying why; on SQLite (one machine) it
makes its own into the instance folder, as before."""

import pytest
from cryptography.fernet import Fernet

from support import flask_command

pytestmark = pytest.mark.integration

# Nothing listens there: starting (and listing the routes) reads the settings, no database.
SHARED_DATABASE = "postgresql://app@127.0.0.1:9/leads"


def test_a_shared_database_is_refused_without_shared_keys(tmp_path):
    env = {"DATABASE_URL": SHARED_DATABASE, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "", "LINE_SECRET_KEYS": ""}
    refused = flask_command("routes", env=env)
    assert refused.returncode != 0
    assert "Error: SECRET_KEY and LINE_SECRET_KEYS must be set (the same on every host)" in refused.stderr
    assert "Traceback" not in refused.stderr
    one_missing = flask_command("routes", env={**env, "SECRET_KEY": "shared"})
    assert one_missing.returncode != 0 and "Error: LINE_SECRET_KEYS must be set" in one_missing.stderr
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "line_secret.key").exists()

    keys = {"SECRET_KEY": "shared", "LINE_SECRET_KEYS": Fernet.generate_key().decode()}
    started = flask_command("routes", env={**env, **keys})
    assert started.returncode == 0, started.stderr
    assert "/leads/import/" in started.stdout


def test_one_machine_on_sqlite_makes_its_own_keys(tmp_path):
    env = {"DATABASE_URL": "", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "", "LINE_SECRET_KEYS": ""}
    started = flask_command("routes", env=env)
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "secret_key").exists() and (tmp_path / "line_secret.key").exists()
