"""Line clients: one per provider, each answering in the shared Outcome vocabulary."""

from dataclasses import dataclass
from typing import Protocol

from ..outcomes import CheckResult, SendResult
from .bluebubbles import BlueBubblesClient
from .linq import LinqClient
from .safe_http import kept_session


@dataclass(frozen=True)
class LineConfig:
    provider: str  # "bluebubbles" | "linq" | "demo"
    url: str
    secret: str | None = None
    sender: str | None = None


class LineClient(Protocol):
    def check(self, address: str) -> CheckResult:
        """Is `address` (E.164 or a lowercased email) on iMessage, as far as this line can tell?"""

    def send(self, address: str, text: str, channel: str) -> SendResult:
        """Send `text` to `address` by "imessage" or "sms" (where the provider lets us choose)."""


def client_for(
    config: LineConfig,
    *,
    connect_timeout: float = 3.05,
    read_timeout: float = 10.0,
    deadline: float = 20.0,
    allow_private: bool = False,
) -> LineClient:
    """A client whose calls go through the hardened session (see safe_http.py), kept for the line
    between calls: `deadline` seconds for a whole call; private and loopback addresses only with
    `allow_private`."""
    timeouts = (connect_timeout, read_timeout)
    session = kept_session(config.url, allow_private=allow_private, deadline=deadline)
    if config.provider == "bluebubbles":
        return BlueBubblesClient(config.url, config.secret, timeouts, session)
    if config.provider in ("linq", "demo"):
        # The demo line speaks the Linq v3 check protocol.
        return LinqClient(config.url, config.secret, config.sender, timeouts, session)
    raise ValueError(f"Unknown line provider {config.provider!r}")


__all__ = ["LineConfig", "LineClient", "client_for", "BlueBubblesClient", "LinqClient"]
