"""The app a job runs in: the worker command's own, or one built on first use."""

from flask import Flask

_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Let jobs in this process run on `app` (the worker command's own) instead of building one."""
    global _app
    _app = app


def job_app() -> Flask:
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app
