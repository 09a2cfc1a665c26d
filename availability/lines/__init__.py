"""Line clients: one per provider, each answering in the shared Outcome vocabulary."""

from typing import Protocol

from ..outcomes import CheckResult, SendResult
from ._http import LineConfig
from .registry import PROVIDERS, Provider, pace_text
from .safe_http import kept_session


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
    provider = PROVIDERS.get(config.provider)
    if provider is None:
        raise ValueError(f"Unknown line provider {config.provider!r}")
    session = kept_session(config.url, allow_private=allow_private, deadline=deadline)
    return provider.make(config, (connect_timeout, read_timeout), session)


__all__ = ["LineConfig", "LineClient", "PROVIDERS", "Provider", "client_for", "pace_text"]
