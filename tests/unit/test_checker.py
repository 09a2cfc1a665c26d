"""The walk over a lead's addresses: order, skipping, the stop rule, and line trouble."""

from availability.addresses import read_field
from availability.checker import addresses_to_check, walk
from availability.outcomes import CheckResult, Outcome
from availability.statuses import LeadStatus

AVAILABLE = CheckResult(Outcome.AVAILABLE)
UNAVAILABLE = CheckResult(Outcome.UNAVAILABLE)


def lead_fields(**raw):
    from availability.fields import ADDRESS_FIELDS

    return [read_field(f, kind, raw.get(f), "US") for f, kind in ADDRESS_FIELDS]


class Line:
    """Answers from a table and remembers what it was asked, in order."""

    def __init__(self, answers, default=UNAVAILABLE):
        self.answers, self.default, self.asked = answers, default, []

    def __call__(self, address):
        self.asked.append(address)
        return self.answers.get(address, self.default)


def test_addresses_are_checked_in_the_specs_order_skipping_empty_and_invalid():
    fields = lead_fields(
        alt_email3="z@x.io",
        alt_phone1="202-555-0101",
        email="ada@x.io",
        phone="555-1234",
        alt_phone3="(202) 555-0103",
        alt_email1="not an email",
    )
    assert addresses_to_check(fields) == ["ada@x.io", "+12025550101", "+12025550103", "z@x.io"]


def test_an_address_repeated_across_fields_is_checked_once():
    fields = lead_fields(phone="2025550101", alt_phone2="+1 202 555 0101")
    assert addresses_to_check(fields) == ["+12025550101"]


def test_the_walk_stops_at_the_first_available_address():
    line = Line({"b@x.io": AVAILABLE})
    result = walk(["+12025550101", "b@x.io", "c@x.io"], line)
    assert result.status is LeadStatus.AVAILABLE and result.available_address == "b@x.io"
    assert line.asked == ["+12025550101", "b@x.io"]


def test_unavailable_only_when_every_address_says_so():
    line = Line({})
    result = walk(["a@x.io", "b@x.io"], line)
    assert result.status is LeadStatus.UNAVAILABLE and line.asked == ["a@x.io", "b@x.io"]


def test_an_address_the_line_rejects_is_skipped_not_fatal():
    line = Line({"a@x.io": CheckResult(Outcome.INVALID_ADDRESS), "b@x.io": AVAILABLE})
    result = walk(["a@x.io", "b@x.io"], line)
    assert result.status is LeadStatus.AVAILABLE and [a for a, _ in result.answers] == ["a@x.io", "b@x.io"]


def test_line_trouble_interrupts_without_a_verdict():
    for trouble in (Outcome.RATE_LIMITED, Outcome.TRANSIENT, Outcome.LINE_UNHEALTHY):
        line = Line({"b@x.io": CheckResult(trouble)})
        result = walk(["a@x.io", "b@x.io", "c@x.io"], line)
        # "Could not tell" is never "unavailable".
        assert not result.done and result.status is None
        assert result.interrupted_by.outcome is trouble
        assert line.asked == ["a@x.io", "b@x.io"]
        assert [a for a, _ in result.answers] == ["a@x.io"]


def test_a_lead_with_nothing_checkable_is_unavailable_without_calling_the_line():
    line = Line({})
    result = walk([], line)
    assert result.status is LeadStatus.UNAVAILABLE and line.asked == [] and result.note


def test_statuses_have_the_specs_labels():
    assert [s.label for s in LeadStatus] == [
        "Not checked",
        "Checking",
        "Available",
        "Unavailable",
        "Error",
        "No Active Line",
    ]
