"""Shared fixtures. The suite runs on the embedded defaults (SQLite file, bundled Redis) unless
DATABASE_URL / REDIS_URL point at real servers; either way every session gets a database of its
own, built by the migrations, and workers started by tests see the same settings via the
environment."""

import os
import subprocess
import uuid
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from hypothesis import settings

from support import PASSWORD, add_demo_line, flask_command, fresh_postgres

# No time limit on an example: speed is measured in benchmarks/, and on a busy shared machine
# Hypothesis's default 200 ms deadline failed property tests that were only slow.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(scope="session", autouse=True)
def environment(tmp_path_factory):
    """Point this process and every subprocess it starts at one instance folder, database and Redis."""
    import embedded_redis

    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    # The tests' lines are servers on loopback (the SSRF tests turn this off).
    os.environ["LINE_ALLOW_PRIVATE_NETWORKS"] = "true"
    # Served over plain http (test client, live server): cookies can't be Secure-only.
    os.environ["SECURE_COOKIES"] = "false"
    # Shared keys, as every host of a shared database must have (the app refuses PostgreSQL without).
    os.environ["SECRET_KEY"] = "test-secret-key-of-the-suite"
    os.environ["LINE_SECRET_KEYS"] = Fernet.generate_key().decode()
    drop = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"], drop = fresh_postgres(os.environ["DATABASE_URL"])
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{instance / 'test.db'}"
    embedded = not os.environ.get("REDIS_URL")
    if not embedded:
        os.environ["REDIS_URL"] = redis_database_of_this_process(os.environ["REDIS_URL"])
    if embedded:
        os.environ["REDIS_URL"] = embedded_redis.ensure_running(str(instance))
    os.environ["RQ_QUEUE"] = f"test-{uuid.uuid4().hex[:8]}"

    from flask_migrate import upgrade

    from app import create_app

    with create_app().app_context():
        upgrade()
    yield
    if drop:
        from extensions import db

        with create_app().app_context():
            db.engine.dispose()
        drop()
    if embedded:
        embedded_redis.stop(str(instance))


def redis_database_of_this_process(url: str) -> str:
    """Under pytest-xdist each process of the suite takes the next database number on a shared Redis
    server: RQ's worker registry and the lines' pace keys are per database, and two processes'
    line 1 must not share one pace."""
    from redis.connection import parse_url

    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    if not index:
        return url
    database = int(parse_url(url).get("db", 0)) + index
    return urlsplit(url)._replace(path=f"/{database}").geturl()


@pytest.fixture
def app():
    from app import create_app
    from extensions import db, redis_connection

    # The suite's token makes hundreds of calls a test: the limit's own tests set theirs.
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "LINE_READ_TIMEOUT": 5, "API_RATE_LIMIT": "100000 per minute"}
    )
    yield app
    with app.app_context():
        # Each test starts empty: rows, and whatever this run's queue holds in Redis.
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        redis = redis_connection(app)
        for pattern in (f"*{app.config['RQ_QUEUE']}*", "pace:*", "inflight:*", "LIMITS*", "idem:*"):
            for key in redis.scan_iter(pattern):
                redis.delete(key)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def user(app):
    """A user in a workspace of their own."""
    from cli import create_user

    with app.app_context():
        return create_user("ada@example.com", PASSWORD).id


@pytest.fixture
def logged_in(client, user):
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def token(app, user):
    """An API token of the user's workspace."""
    from extensions import db
    from models import User
    from services import tokens as api_tokens

    with app.app_context():
        return api_tokens.create_token(db.session.get(User, user), "test")


@pytest.fixture
def demo_server():
    """A real demo line on loopback, answering by its documented rule."""
    from demo_line import DemoLineServer

    with DemoLineServer(api_key="demo-key") as server:
        yield server


@pytest.fixture
def demo_line(app, user, demo_server):
    """An active line in the user's workspace pointing at the demo server; returns its id."""
    from extensions import db
    from models import User

    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        return add_demo_line(workspace_id, demo_server.url, 120).id


@pytest.fixture
def run_worker():
    """Run a real RQ worker process in burst mode: it works the queue empty, then exits."""

    def run(**env: str) -> subprocess.CompletedProcess:
        result = flask_command("worker", "--burst", timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        return result

    return run


@pytest.fixture
def throwaway_redis(tmp_path):
    """A redis-server of the test's own, to stop, kill and restart (see support.ThrowawayRedis)."""
    from support import ThrowawayRedis

    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def faulty():
    """A BlueBubbles server on loopback failing in a different way for each fault number
    (tests/faulty_line.py)."""
    from faulty_line import FaultyBlueBubbles

    server = FaultyBlueBubbles()
    yield server
    server.shutdown()
    server.server_close()
