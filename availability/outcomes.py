"""The one vocabulary every line client answers in, whatever its provider says."""

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    # The line says the address itself is malformed: an address problem, not a line problem.
    INVALID_ADDRESS = "invalid_address"
    # Auth failures, Private API off, helper disconnected: stop using the line, don't blame leads.
    LINE_UNHEALTHY = "line_unhealthy"
    RATE_LIMITED = "rate_limited"
    # 5xx, timeouts, refused connections, bodies we cannot read: "could not tell", try again later.
    TRANSIENT = "transient"


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    # Short, human-readable reason; never the raw upstream body.
    detail: str = ""
    # Seconds to wait before calling the line again (RATE_LIMITED only).
    retry_after: float | None = None

    @property
    def is_answer(self) -> bool:
        """True when the line told us something about the address (cacheable)."""
        return self.outcome in (Outcome.AVAILABLE, Outcome.UNAVAILABLE, Outcome.INVALID_ADDRESS)


@dataclass(frozen=True)
class SendResult:
    """What a line did with a message: sent, or why not (one short line a user can act on)."""

    sent: bool
    detail: str = ""
    # Seconds the line will take no message to a new contact (its new-contact cap, e.g. Sendblue's):
    # sends pause on the line; checks go on.
    pause_sends_for: float | None = None
