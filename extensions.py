"""Extension objects, created unbound so models, views and jobs can import them; app.py binds them."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from redis import Redis
from sqlalchemy.orm import DeclarativeBase

import embedded_redis


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Counters in Redis, shared by every web process; only routes that ask are limited.
limiter = Limiter(key_func=get_remote_address)


def redis_url(app: Flask) -> str:
    return app.config["REDIS_URL"] or embedded_redis.ensure_running(app.instance_path)


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis (queue, pacing, in-flight marks), made on first use: one per app, like its database."""
    app = app or current_app
    conn = app.extensions.get("redis")
    if conn is None:
        conn = app.extensions["redis"] = Redis.from_url(redis_url(app))
    return conn
