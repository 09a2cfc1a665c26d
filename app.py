"""The application factory: `flask --app app ...` finds create_app here."""

import math
import os
import time
from contextlib import suppress

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from redis import RedisError
from werkzeug.middleware.proxy_fix import ProxyFix

import config
import embedded_redis
import security_headers
from availability.lines import pace_text
from extensions import csrf, db, limiter, login_manager, migrate
from models import dialects
from services.imports import storage as upload_storage
from services.queue import BackgroundUnavailable
from services.secrets_box import SecretsBox


def create_app(test_config: dict | None = None) -> Flask:
    # Every file this process (and the bundled Redis it starts) creates is 0600, every folder 0700:
    # the database and its WAL, an upload's temporary copy, Redis's snapshot hold the leads.
    os.umask(0o077)
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    # A folder made before the umask (an older install) is closed too, and with it all inside; one
    # this user doesn't own (a mounted volume) stays as its owner set it.
    with suppress(PermissionError):
        os.chmod(app.instance_path, 0o700)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each process's counts go to a file there (services/metrics); the folder must exist.
        try:
            os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
        except OSError as exc:
            raise config.SettingsError(f"PROMETHEUS_MULTIPROC_DIR must be a folder this user can write: {exc}") from exc
    if app.config["TRUSTED_PROXIES"]:
        # request.remote_addr (the login limit's per-address key, the log) is the client, not the
        # proxy every client shares; only the entries the trusted proxies added are believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])

    db.init_app(app)
    # Batch mode lets later migrations alter tables on SQLite too.
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # A global too, not only the templates' context: macros imported without context (leads/_macros)
    # can then tell an owner from a member.
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["pace_text"] = pace_text  # the Lines and Operations pages
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limiter_storage(app))
    # Redis down must not lock everyone out: the limit is skipped until it is back.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    security_headers.init_app(app)
    app.extensions["secrets_box"] = SecretsBox(app.config["LINE_SECRET_KEYS"])
    upload_storage.init_app(app)
    with app.app_context():
        dialects.sqlite_connection_settings(db.engine)

    # These add their views to the api and leads blueprints, so are imported before those are registered.
    import blueprints.api_leads  # noqa: F401
    import blueprints.api_uploads  # noqa: F401
    import blueprints.api_webhooks  # noqa: F401
    import blueprints.lead_edits  # noqa: F401
    from blueprints import api, api_errors, auth, imports, leads, lines, operations, quick_send, settings, team, tokens
    from blueprints import metrics as metrics_endpoint
    from blueprints import webhooks as webhook_pages

    app.register_blueprint(auth.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(leads.bp)
    app.register_blueprint(lines.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(quick_send.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(team.join_bp)
    app.register_blueprint(webhook_pages.bp)
    app.register_blueprint(metrics_endpoint.bp)
    app.register_blueprint(api.bp)
    # The API authenticates with bearer tokens, not cookies, so CSRF does not apply to it.
    csrf.exempt(api.bp)

    import cli

    cli.register(app)

    @app.get("/health")
    def health():
        # For load balancers and process managers: the web process answers (no database or Redis).
        return "ok", 200, {"Content-Type": "text/plain"}

    @app.get("/")
    def index():
        return redirect(url_for("leads.index"))

    @app.errorhandler(RedisError)
    @app.errorhandler(BackgroundUnavailable)
    def background_unavailable(exc):
        # Redis is down: the data is all in the database, but nothing can be queued or paced.
        message = str(exc if isinstance(exc, BackgroundUnavailable) else BackgroundUnavailable())
        if request.path.startswith("/api/"):
            return jsonify(success=False, error=message, code=503), 503
        if request.headers.get("HX-Request"):
            # Shown in the page's problem area, whatever element asked (see htmx-config in base.html).
            return (
                render_template("_problem.html", message=message),
                503,
                {"HX-Retarget": "#problem", "HX-Reswap": "innerHTML"},
            )
        return render_template("503.html", message=message), 503

    @app.errorhandler(429)
    def too_many(exc):
        message = "Too many attempts: wait a few minutes and try again."
        limit = limiter.current_limit
        seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit else 60
        if api_errors.is_api_path(request.path):
            # The token's own limit (blueprints/api_limits.py), not the lines' pace (also a 429).
            message = f"Too many requests: this token may make {limit.limit}; retry after {seconds} s"
            return api_errors.error(429, message, retryAfter=seconds)
        return render_template("429.html", message=message), 429, {"Retry-After": str(seconds)}

    @app.errorhandler(403)
    def owner_only(exc):
        # Pages only the workspace's owner may use (blueprints/roles.py); the API's answers are its own.
        if api_errors.is_api_path(request.path):
            return api_errors.error(403, "Forbidden")
        return render_template("403.html", message=exc.description), 403

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for it whatever the page links; the icon is the SVG in static/.
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.errorhandler(404)
    def not_found(exc):
        if api_errors.is_api_path(request.path):
            return api_errors.http_error(exc)
        return render_template("404.html"), 404

    @app.errorhandler(500)
    def server_error(exc):
        # The failure may have left the session's transaction broken: roll back before anything
        # else, and render without the signed-in user (bare), whose loading queries the database.
        with suppress(Exception):
            db.session.rollback()
        if api_errors.is_api_path(request.path):
            return api_errors.http_error(exc)
        return render_template("500.html", bare=True), 500

    @app.errorhandler(413)
    def too_large(exc):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = f"The file is larger than the {limit} MB limit."
        if request.path.startswith("/api/"):
            return jsonify(success=False, error=message, code=413), 413
        return render_template("413.html", message=message), 413

    return app


def _limiter_storage(app: Flask) -> str:
    url = app.config["REDIS_URL"] or embedded_redis.url(app.instance_path)
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url
