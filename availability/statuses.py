"""What a user sees for a lead: the status names the UI and the API share."""

from enum import StrEnum


class LeadStatus(StrEnum):
    NOT_CHECKED = "not_checked"
    CHECKING = "checking"
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    ERROR = "error"
    NO_ACTIVE_LINE = "no_active_line"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    LeadStatus.NOT_CHECKED: "Not checked",
    LeadStatus.CHECKING: "Checking",
    LeadStatus.AVAILABLE: "Available",
    LeadStatus.UNAVAILABLE: "Unavailable",
    LeadStatus.ERROR: "Error",
    LeadStatus.NO_ACTIVE_LINE: "No Active Line",
}
