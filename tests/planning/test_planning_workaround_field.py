"""Whether an issue's workaround field gives the problem a (new) workaround: set or changed, yes;
unchanged, empty or cleared, no."""

import pytest

from bridge.domain.events import IssueSnapshot
from bridge.planning.workaround import field_workaround

FIELD = "customfield_10060"


def issue(text: str | None) -> IssueSnapshot:
    return IssueSnapshot("1", "ENG-1", text_fields={FIELD: text} if text is not None else {})


@pytest.mark.parametrize("before, after, expected", [
    (None, "Use PayPal.", "Use PayPal."),  # first sight of an issue with the field set
    (issue(None), "  Use PayPal.\n", "Use PayPal."),
    (issue("Use PayPal."), "Use the app.", "Use the app."),  # changed
    (issue("Use PayPal."), "Use PayPal. ", None),  # the same text
    (issue("Use PayPal."), None, None),  # cleared: the workaround stays
    (issue(None), "   ", None),
    (None, None, None),
])
def test_set_or_changed_is_a_workaround(before, after, expected):
    assert field_workaround(before, issue(after), FIELD) == expected


def test_without_a_configured_field_nothing_is_read():
    assert field_workaround(None, issue("Use PayPal."), None) is None
