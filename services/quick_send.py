"""Quick Send: a typed address checked at once, then a message to it through the active line, logged
on the address's lead (found, or created and checked like every new lead).

The check (also the API's {"address": ...}) uses the same lines, pace and reused answers as every
check, but the caller hears about trouble instead of waiting it out."""

import math

from flask import current_app
from redis import RedisError

from availability.addresses import InvalidAddress, guess_kind, normalise
from availability.fields import ADDRESS_FIELDS
from availability.outcomes import CheckResult, Outcome, SendResult
from extensions import db
from models import Lead, Line, SentMessage, Workspace
from services import leads as lead_store
from services.checks import lead as lead_checks
from services.checks.address import MAX_INLINE_WAIT, AddressChecker
from services.lines import active_lines, has_line_switched_on, line_client, pause_line_sends, sends_paused
from services.queue import BackgroundUnavailable

MAX_MESSAGE_LENGTH = 2000


class NoActiveLine(Exception):
    pass


def read_address(workspace: Workspace, raw: str) -> str:
    """The address's normal form; InvalidAddress (with the reason) when it is neither a phone
    number nor an email address."""
    text = (raw or "").strip()
    if not text:
        raise InvalidAddress("Type a phone number or an email address")
    try:
        return normalise(text, guess_kind(text), workspace.default_region)
    except InvalidAddress as exc:
        raise InvalidAddress(f"Not a valid phone number or email address ({exc.reason})") from None


def check_address(workspace: Workspace, address: str) -> CheckResult:
    """Ask about a normalised address: an earlier answer if fresh, else a line with capacity now."""
    lines = active_lines(workspace.id)
    if not lines and not has_line_switched_on(workspace.id):
        raise NoActiveLine("No active line configured: add or activate one on the Lines page")
    if not lines:
        return CheckResult(Outcome.LINE_UNHEALTHY, "no healthy line: see the Lines page")
    # A person waits here: a check of this address already running (the icon's, as Send is pressed)
    # is waited for as long as it may take (a pacing wait, then one call), not given up on.
    wait = MAX_INLINE_WAIT + current_app.config["LINE_DEADLINE"]
    try:
        return AddressChecker(workspace, lines, wait_for_other=wait).ask(address)
    except RedisError as exc:  # no pacing without Redis: no line call either
        raise BackgroundUnavailable() from exc


class CannotSend(Exception):
    pass


class NotOnIMessage(CannotSend):
    """An email address not on iMessage: there is no SMS to fall back on."""

    def __init__(self, address: str):
        super().__init__(not_on_imessage(address))
        self.address = address


def not_on_imessage(address: str) -> str:
    return f"{address} is not on iMessage and can't get an SMS: email it instead"


def send(workspace_id: int, raw_address: str, text: str) -> SentMessage:
    """Send `text`; the returned log entry says whether the line took it. Raises InvalidAddress,
    NoActiveLine, CannotSend or BackgroundUnavailable (nothing was sent)."""
    text = (text or "").strip()
    if not text:
        raise CannotSend("Write a message first")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise CannotSend(f"Messages are at most {MAX_MESSAGE_LENGTH} characters")
    workspace = db.session.get(Workspace, workspace_id)
    address = read_address(workspace, raw_address)
    lines = active_lines(workspace_id)
    if not lines:
        raise NoActiveLine("No active line: add or activate one on the Lines page")
    paused = sends_paused(lines)
    if len(paused) == len(lines):
        minutes = math.ceil(min(paused.values()) / 60)
        raise CannotSend(f"Every active line has reached its cap on new contacts: try again in {minutes} min")
    channel = _channel(workspace, address)
    line, result = _send_through_a_line([line for line in lines if line.id not in paused], address, text, channel)
    lead = find_or_add_lead(workspace, address)
    entry = SentMessage(
        workspace_id=workspace_id,
        lead_id=lead.id,
        line_id=line.id,
        line_name=line.name,
        address=address,
        channel=channel,
        sent=result.sent,
        detail=result.detail or None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _send_through_a_line(lines: list[Line], address: str, text: str, channel: str) -> tuple[Line, SendResult]:
    """The first line that takes the message; a line at its cap on new contacts pauses its sends
    (not its checks) and the next is tried."""
    for line in lines:
        result = line_client(line).send(address, text, channel)
        if result.pause_sends_for is None:
            break
        pause_line_sends(line, result.pause_sends_for)
    return line, result


def _channel(workspace: Workspace, address: str) -> str:
    """iMessage when the address is on it, else SMS: the answer the icon showed (reused, no call)."""
    answer = check_address(workspace, address)
    if answer.outcome is Outcome.AVAILABLE:
        return "imessage"
    if answer.outcome is not Outcome.UNAVAILABLE:
        raise CannotSend(f"Could not tell whether {address} is on iMessage ({answer.detail}); try again")
    if "@" in address:
        raise NotOnIMessage(address)
    return "sms"


def find_or_add_lead(workspace: Workspace, address: str) -> Lead:
    """The workspace's oldest lead with this address in any field, or a new lead for it."""
    columns = [getattr(Lead, f"{field}_norm") for field, _ in ADDRESS_FIELDS]
    lead = db.session.scalar(
        db.select(Lead)
        .where(Lead.workspace_id == workspace.id, db.or_(*(column == address for column in columns)))
        .order_by(Lead.id)
        .limit(1)
    )
    if lead is None:
        lead, _ = lead_store.create_lead(workspace, {"email" if "@" in address else "phone": address})
        try:
            lead_checks.request_check(lead)  # answered from the check just made: no line call
        except BackgroundUnavailable:
            pass  # the lead is saved; its row offers Check Availability
    return lead
