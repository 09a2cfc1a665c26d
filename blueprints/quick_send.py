"""Quick Send (in the top navigation): a live iMessage icon for a typed address, then send."""

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from availability.addresses import InvalidAddress
from availability.outcomes import Outcome
from services import quick_send
from services.queue import BackgroundUnavailable

bp = Blueprint("quick_send", __name__, url_prefix="/leads/quick-send")

# What the icon shows for a line's answer.
ICON_STATES = {Outcome.AVAILABLE: "available", Outcome.UNAVAILABLE: "unavailable", Outcome.RATE_LIMITED: "checking"}


@bp.before_request
@login_required
def _signed_in():
    pass


def send_plan(state: str, address: str | None) -> tuple[str, str | None]:
    """What Send will do after the icon's answer: the button's label, and why it can't send (or None)."""
    if state == "available":
        return "Send iMessage", None
    if state == "unavailable":
        return ("Send", quick_send.not_on_imessage(address)) if "@" in (address or "") else ("Send SMS", None)
    return "Send", None  # not answered yet: Send checks the address itself


def _form(recipient: str = "", message: str = "", state: str = "empty", address: str | None = None, status=200):
    return render_template(
        "quick_send/index.html",
        recipient=recipient,
        message=message,
        state=state,
        address=address,
        plan=send_plan(state, address),
    ), status


@bp.get("/")
def index():
    return _form(request.args.get("to", ""))


@bp.post("/check")
def check():
    """The icon beside the recipient field, for what was typed (posted 500 ms after typing stops)."""
    raw = request.form.get("recipient", "")
    if not raw.strip():
        return _icon("empty")
    workspace = current_user.workspace
    try:
        address = quick_send.read_address(workspace, raw)
        answer = quick_send.check_address(workspace, address)
    except InvalidAddress as exc:
        return _icon("invalid", message=exc.reason)
    except quick_send.NoActiveLine as exc:
        return _icon("no_active_line", message=str(exc))
    except BackgroundUnavailable as exc:
        return _icon("error", message=str(exc))
    state = ICON_STATES.get(answer.outcome, "error")
    return _icon(state, address, answer.detail, math.ceil(answer.retry_after or 0))


def _icon(state: str, address: str | None = None, message: str | None = None, retry_in: int = 0) -> str:
    return render_template(
        "quick_send/_icon.html",
        state=state,
        address=address,
        message=message,
        retry_in=retry_in,
        plan=send_plan(state, address),
    )


@bp.post("/")
def send():
    recipient, message = request.form.get("recipient", ""), request.form.get("message", "")
    # A send that fails shows the form again as it was typed (no redirect: nothing typed is lost).
    try:
        entry = quick_send.send(current_user.workspace_id, recipient, message)
    except InvalidAddress as exc:
        flash(exc.reason, "error")
    except quick_send.NotOnIMessage as exc:
        flash(str(exc), "error")
        return _form(recipient, message, "unavailable", exc.address, 422)
    except (quick_send.NoActiveLine, quick_send.CannotSend, BackgroundUnavailable) as exc:
        flash(str(exc), "error")
    else:
        how = "iMessage" if entry.channel == "imessage" else "SMS"
        if entry.sent:
            flash(f"Sent by {how} to {entry.address} through {entry.line_name}.", "success")
            return redirect(url_for("leads.show", lead_id=entry.lead_id))
        flash(f"Not sent: {entry.detail}", "error")
    return _form(recipient, message, status=422)
