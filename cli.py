"""`flask --app app ...` commands: accounts, tokens, lines, the worker, and the local stack."""

import os
import secrets
import subprocess
import sys
from contextlib import ExitStack

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from werkzeug.exceptions import NotFound
from werkzeug.serving import run_simple

import embedded_redis
import local_stack
from availability.lines import PROVIDERS
from extensions import db, redis_url
from jobs.context import use_app
from models import Line, User
from services import accounts, line_admin, members
from services import tokens as api_tokens


def _user(email: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user {email}")
    return user


def create_user(email: str, password: str, workspace_of: str | None = None) -> User:
    """A new user owning a workspace of their own or, with `workspace_of`, a member of that user's."""
    try:
        if workspace_of:
            return members.add_member(_user(workspace_of).workspace_id, email, password)
        return members.create_owner(email, password, current_app.config["DEFAULT_REGION"])
    except members.TeamError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="The user's password.")
@click.option("--workspace-of", default=None, metavar="EXISTING_EMAIL", help="Join this user's workspace as a member.")
def create_user_command(email, password, workspace_of):
    """Create a user owning a new workspace, or a member of an existing one."""
    user = create_user(email, password, workspace_of)
    click.echo(f"Created {user.email} ({user.role} of workspace {user.workspace_id})")


@click.command("invite")
@click.argument("email")
@click.option("--workspace-of", required=True, metavar="EXISTING_EMAIL", help="Invite to this user's workspace.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where the app is served.")
def invite_command(email, workspace_of, base_url):
    """Invite EMAIL to join a workspace; prints the link (valid 7 days, once) alone on the last line."""
    try:
        token = members.invite(_user(workspace_of), email)
    except members.TeamError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Invitation for {email} (send it to them; it is not shown again):")
    click.echo(f"{base_url.rstrip('/')}/join/{token}")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def create_token_command(email, name):
    """Create an API token; it is printed once, alone on the last line."""
    click.echo(f"API token “{name}” for {email} (store it now: it is not shown again):")
    click.echo(api_tokens.create_token(_user(email), name))


@click.command("add-line")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--provider", type=click.Choice(list(PROVIDERS)), required=True)
@click.option("--url", required=True, help="Server URL (Linq, Sendblue, Blooio: the API's base URL).")
@click.option("--secret", default=None, help="BlueBubbles password; Linq or Blooio API key; Sendblue KEY_ID:SECRET.")
@click.option("--sender", default=None, help="Sender number, e.g. +15551234567.")
@click.option(
    "--rate-per-minute",
    type=click.FloatRange(0.01, 600),
    default=None,
    help="Checks a minute (0.5: 30 an hour). Default: the provider's.",
)
@click.option("--daily-cap", type=click.IntRange(1), default=None, help="Default: the provider's (or none).")
def add_line_command(email, name, provider, url, secret, sender, rate_per_minute, daily_cap):
    """Add a line to EMAIL's workspace and test it; prints its id on the last line. It is active if
    it answered the test, else unhealthy with the reason (said on stderr)."""
    problem = line_admin.secret_problem(provider, secret)
    if problem:
        raise click.BadParameter(problem, param_hint="--secret")
    line = line_admin.add_line(
        _user(email).workspace_id,
        name=name,
        provider=provider,
        url=url,
        secret=secret,
        sender=sender,
        rate_per_minute=rate_per_minute,
        daily_cap=daily_cap,
        test=True,
    )
    if line.status != "active":
        click.echo(f"Its test failed: {line.health_reason}. It stays unhealthy until a test passes.", err=True)
    click.echo(f"Added line “{line.name}” ({line.status}):")
    click.echo(line.id)


@click.command("rotate-line-secrets")
def rotate_line_secrets_command():
    """Re-encrypt every line secret with the first key of LINE_SECRET_KEYS (then drop old keys)."""
    click.echo(f"Rotated {line_admin.rotate_secrets()} line secrets.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    envvar="WORKER_CONCURRENCY",
    show_default=True,
    help="Jobs at once: worker processes this command starts and keeps running. Env: WORKER_CONCURRENCY.",
)
def worker_command(burst, concurrency):
    """Run an RQ worker (with its scheduler) on this app's configuration."""
    from jobs.pool import work_in_processes
    from jobs.worker import forget_killed, prepare_forks, work

    app = current_app._get_current_object()
    use_app(app)
    prepare_forks(db.engine)
    command = os.getpid()  # each worker's name carries it: the Operations page groups them by it
    if concurrency > 1:
        work_in_processes(
            lambda: work(app, command, concurrency, burst=burst),
            concurrency,
            burst=burst,
            killed=forget_killed(app, command),
        )
    else:
        work(app, command, burst=burst)


@click.command("metrics-server")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=9100, show_default=True)
def metrics_server_command(host, port):
    """Serve /metrics alone, for a host that runs workers but no web process: what this host's
    processes counted (PROMETHEUS_MULTIPROC_DIR) and the queue, behind METRICS_TOKEN."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        raise click.ClickException("Set PROMETHEUS_MULTIPROC_DIR, the folder this host's workers count in")
    if not current_app.config["METRICS_TOKEN"]:  # /metrics would answer every scrape 404
        raise click.ClickException("Set METRICS_TOKEN: without it /metrics is switched off")
    app = current_app._get_current_object()

    def metrics_only(environ, start_response):
        # The app's own /metrics view (token, answers); no page of the app is served here.
        if environ.get("PATH_INFO") != "/metrics":
            return NotFound()(environ, start_response)
        return app(environ, start_response)

    run_simple(host, port, metrics_only, threaded=True)


DEMO_EMAIL = "demo@example.com"


@click.command("run-local")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Jobs at once (worker processes)."
)
@click.option("--demo-port", default=5055, show_default=True, help="Port of the demo line.")
@click.option("--demo-latency", default=0.3, show_default=True, help="Seconds per demo check.")
@click.option("--demo-rate", default=120, show_default=True, help="Demo line checks per minute.")
@click.option("--demo-error-rate", default=0.0, show_default=True, help="Share of demo checks that fail.")
def run_local_command(host, port, workers, demo_port, demo_latency, demo_rate, demo_error_rate):
    """Everything on one machine: schema, Redis, demo line and login, workers, web server."""
    from demo_line import DemoLineServer

    app = current_app._get_current_object()
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # prometheus-client picks its multiprocess mode when first imported, as loading the app
        # did: start again with a folder of this instance's set, so that /metrics (with
        # METRICS_TOKEN) adds up what the web process and the workers it starts counted.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = local_stack.fresh_metrics_folder(app.instance_path)
        os.execv(sys.executable, [sys.executable, "-m", "flask", *sys.argv[1:]])
    # The local set-up's lines live on this machine (the demo line on loopback, a Mac on the LAN).
    allow_private = os.environ.setdefault("LINE_ALLOW_PRIVATE_NETWORKS", "true")
    app.config["LINE_ALLOW_PRIVATE_NETWORKS"] = allow_private.lower() in ("1", "true", "yes")
    # Served over plain http on this machine: cookies without the Secure flag, or none would stick.
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, SECURE_COOKIES=False)
    with local_stack.stopped_by_signals(), ExitStack() as started:
        # Each thing started is stopped on the way out, in reverse order, whatever ends the run.
        upgrade(x_arg="quiet=1")
        url = redis_url(app)
        if not app.config["REDIS_URL"]:
            started.callback(embedded_redis.stop, app.instance_path)
        password = secrets.token_urlsafe(9)
        user = db.session.scalar(db.select(User).where(User.email == DEMO_EMAIL))
        if user is None:
            user = create_user(DEMO_EMAIL, password)
        else:
            accounts.change_password(user, password)  # browsers signed in with the old one are signed out

        api_key = secrets.token_urlsafe(16)
        demo = DemoLineServer(
            "127.0.0.1",
            demo_port,
            api_key=api_key,
            latency=demo_latency,
            rate_per_minute=demo_rate,
            error_rate=demo_error_rate,
        ).start()
        started.callback(demo.stop)
        _register_demo_line(user, demo.url, api_key, demo_rate)

        env = {**os.environ, "REDIS_URL": url}
        procs: list[subprocess.Popen] = []
        started.callback(local_stack.stop_workers, procs)
        worker = [sys.executable, "-m", "flask", "--app", "app", "worker", "--concurrency", str(workers)]
        procs.append(local_stack.start_worker(worker, env))
        click.secho(
            f"\n  Open http://{host}:{port}/  and log in as  {DEMO_EMAIL}  /  {password}\n"
            f"  Demo line: {demo.url} (phones ending in an even digit and iCloud emails are available)\n",
            fg="green",
            bold=True,
        )
        # Werkzeug's server directly: app.run() refuses to start inside a `flask` command.
        run_simple(host, port, app, threaded=True)
        click.echo("Stopping the workers, the demo line and Redis…")


def _register_demo_line(user: User, url: str, api_key: str, rate: int) -> None:
    line = db.session.scalar(db.select(Line).where(Line.workspace_id == user.workspace_id, Line.is_demo.is_(True)))
    if line is None:
        line_admin.add_line(
            user.workspace_id,
            name="Demo line",
            provider="demo",
            url=url,
            secret=api_key,
            rate_per_minute=rate,
            is_demo=True,
        )
    else:
        # The demo server picks a new key each start; keep the stored line pointing at it.
        line_admin.update_line(
            line,
            name=line.name,
            provider="demo",
            url=url,
            secret=api_key,
            sender=None,
            rate_per_minute=rate,
            daily_cap=None,
        )


def register(app: Flask) -> None:
    for command in (
        create_user_command,
        invite_command,
        create_token_command,
        add_line_command,
        rotate_line_secrets_command,
        worker_command,
        metrics_server_command,
        run_local_command,
    ):
        app.cli.add_command(command)
