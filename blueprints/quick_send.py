"""Quick Send (Leads → Import → Quick Send): a live iMessage icon for a typed address, then send."""

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


@bp.get("/")
def index():
    return render_template("quick_send/index.html", recipient=request.args.get("to", ""))


@bp.post("/check")
def check():
    """The icon beside the recipient field, for what was typed (posted 500 ms after typing stops)."""
    raw = request.form.get("recipient", "")
    if not raw.strip():
        return render_template("quick_send/_icon.html", state="empty")
    workspace = current_user.workspace
    try:
        address = quick_send.read_address(workspace, raw)
        answer = quick_send.check_address(workspace, address)
    except InvalidAddress as exc:
        return render_template("quick_send/_icon.html", state="invalid", message=exc.reason)
    except quick_send.NoActiveLine as exc:
        return render_template("quick_send/_icon.html", state="no_active_line", message=str(exc))
    except BackgroundUnavailable as exc:
        return render_template("quick_send/_icon.html", state="error", message=str(exc))
    return render_template(
        "quick_send/_icon.html",
        state=ICON_STATES.get(answer.outcome, "error"),
        address=address,
        message=answer.detail,
        retry_in=math.ceil(answer.retry_after or 0),
    )


@bp.post("/")
def send():
    recipient = request.form.get("recipient", "")
    try:
        entry = quick_send.send(current_user.workspace_id, recipient, request.form.get("message", ""))
    except InvalidAddress as exc:
        flash(exc.reason, "error")
    except (quick_send.NoActiveLine, quick_send.CannotSend) as exc:
        flash(str(exc), "error")
    else:
        how = "iMessage" if entry.channel == "imessage" else "SMS"
        if entry.sent:
            flash(f"Sent by {how} to {entry.address} through {entry.line_name}.", "success")
            return redirect(url_for("leads.show", lead_id=entry.lead_id))
        flash(f"Not sent: {entry.detail}", "error")
    return redirect(url_for("quick_send.index", to=recipient))
