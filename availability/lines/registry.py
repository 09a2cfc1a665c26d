"""Every provider a line may be on: one entry each. The Lines form, the CLI, the Lines page and
the README's table of default paces read this list; a new provider is one module plus one entry."""

from collections.abc import Callable
from dataclasses import dataclass

import requests

from . import sendblue
from ._http import LineConfig
from .blooio import BlooioClient
from .bluebubbles import BlueBubblesClient
from .linq import LinqClient
from .sendblue import SendblueClient


@dataclass(frozen=True)
class Provider:
    name: str  # kept in Line.provider
    label: str
    make: Callable[[LineConfig, tuple[float, float], requests.Session], object]
    url_hint: str
    secret_label: str
    # The default pace: checks a minute (0.5 is 30 an hour) and a daily cap.
    rate_per_minute: float
    daily_cap: int | None = None
    # What is wrong with a secret in this provider's form, or None.
    secret_problem: Callable[[str], str | None] = lambda secret: None

    @property
    def pace_text(self) -> str:
        return pace_text(self.rate_per_minute, self.daily_cap)


def pace_text(rate_per_minute: float, daily_cap: int | None = None) -> str:
    """6 -> "6 checks/min"; 0.5 -> "30 checks/hour"."""
    text = f"{rate_per_minute:g} checks/min" if rate_per_minute >= 1 else f"{rate_per_minute * 60:g} checks/hour"
    return f"{text}, at most {daily_cap}/day" if daily_cap else text


def _linq(config, timeouts, session):
    return LinqClient(config.url, config.secret, config.sender, timeouts, session)


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            "bluebubbles",
            "BlueBubbles server",
            lambda config, timeouts, session: BlueBubblesClient(config.url, config.secret, timeouts, session),
            "your server, e.g. https://mac.example.com:1234",
            "server password",
            rate_per_minute=6,
        ),
        # About one check per 10 s per line, their FAQ says.
        Provider("linq", "Linq Partner API v3", _linq, "https://api.linqapp.com/api/partner/v3", "API key", 6),
        Provider(
            "sendblue",
            "Sendblue",
            SendblueClient,
            "https://api.sendblue.co",
            "API key ID and secret key, as KEY_ID:SECRET",
            rate_per_minute=0.5,
            daily_cap=100,
            secret_problem=sendblue.secret_problem,
        ),
        Provider("blooio", "Blooio", BlooioClient, "https://backend.blooio.com/v2/api", "API key", 6),
        # The demo line speaks the Linq v3 protocol.
        Provider("demo", "Demo line", _linq, "the demo line's URL", "API key", 120),
    )
}
