"""Walking one lead's addresses: the spec's order, skip empty and invalid, stop at the first available.

Pure logic: the caller passes `ask`, which puts one address to a line (or a cache) and returns its
CheckResult. Anything that is not an answer ends the walk and is handed back to the caller, which
knows whether to wait, switch lines or give up.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .addresses import FieldValue
from .outcomes import CheckResult, Outcome
from .statuses import LeadStatus


@dataclass
class Walk:
    # Set when the walk reached a verdict.
    status: LeadStatus | None = None
    available_address: str | None = None
    note: str | None = None
    # Set when a line could not answer: the caller decides what happens next.
    interrupted_by: CheckResult | None = None
    # Every answer received, in order, so the caller can record them.
    answers: list[tuple[str, CheckResult]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.status is not None


def addresses_to_check(fields: Iterable[FieldValue]) -> list[str]:
    """Valid addresses in priority order, each once (a lead may repeat an address)."""
    seen: dict[str, None] = {}
    for value in fields:
        if value.normalised:
            seen.setdefault(value.normalised)
    return list(seen)


def walk(addresses: list[str], ask: Callable[[str], CheckResult]) -> Walk:
    result = Walk()
    if not addresses:
        result.status = LeadStatus.UNAVAILABLE
        result.note = "No valid phone or email to check"
        return result
    for address in addresses:
        answer = ask(address)
        if not answer.is_answer:
            result.interrupted_by = answer
            return result
        result.answers.append((address, answer))
        if answer.outcome is Outcome.AVAILABLE:
            result.status = LeadStatus.AVAILABLE
            result.available_address = address
            return result
    result.status = LeadStatus.UNAVAILABLE
    return result
