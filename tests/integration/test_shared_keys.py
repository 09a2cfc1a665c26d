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


def test_blank_keys_are_missing_keys(tmp_path):
    # Spaces as SECRET_KEY would sign every host's sessions with a key anyone can guess.
    env = {"DATABASE_URL": SHARED_DATABASE, "INSTANCE_PATH": str(tmp_path)}
    refused = flask_command("routes", env={**env, "SECRET_KEY": "   ", "LINE_SECRET_KEYS": " , "})
    assert refused.returncode != 0
    assert "Error: SECRET_KEY and LINE_SECRET_KEYS must be set (the same on every host)" in refused.stderr
    assert "Traceback" not in refused.stderr

    one_machine = {"DATABASE_URL": "", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": " ", "LINE_SECRET_KEYS": ""}
    started = flask_command("routes", env=one_machine)
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "secret_key").exists()  # its own, made, as when unset


@pytest.mark.parametrize("database", [SHARED_DATABASE, ""])
def test_a_line_secret_key_that_is_no_key_is_refused_saying_which(tmp_path, database):
    good = Fernet.generate_key().decode()
    env = {"DATABASE_URL": database, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "shared"}
    refused = flask_command("routes", env={**env, "LINE_SECRET_KEYS": f"{good},not-a-key"})
    assert refused.returncode != 0
    assert "Error: LINE_SECRET_KEYS: key 2 is not a Fernet key" in refused.stderr
    assert "Traceback" not in refused.stderr and "not-a-key" not in refused.stderr  # a secret, never echoed
    spaced = flask_command("routes", env={**env, "LINE_SECRET_KEYS": f" {good} , "})  # as often pasted
    assert spaced.returncode == 0, spaced.stderr
