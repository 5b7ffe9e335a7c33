"""Tag formats: what a valid format is, and reading and writing tags with one."""

import pytest

from bridge.config.tag_formats import parse_tag_format

LINK = ("project", "number")


def test_parse_and_format():
    link = parse_tag_format("jira_{project}_{number}", LINK)
    assert link.parse("jira_eng_123") == {"project": "eng", "number": "123"}
    assert link.parse(" JIRA_Eng_123 ") == {"project": "eng", "number": "123"}
    assert link.parse("jira_eng_123x") is None and link.parse("xjira_eng_1") is None
    assert link.parse("jira_eng_") is None
    assert link.format(project="ENG", number=5) == "jira_eng_5"
    assert str(link) == "jira_{project}_{number}"
    escalate = parse_tag_format("{team}.help", ("team",))
    assert escalate.parse("billing.help") == {"team": "billing"}
    assert escalate.parse("billingxhelp") is None  # the dot is literal


@pytest.mark.parametrize("template, message", [
    ("jira_{project}", "must contain {project}, {number} exactly once each and no other placeholder"),
    ("jira_{project}_{number}_{number}", "exactly once each"),
    ("jira_{project}_{number}_{team}", "no other placeholder"),
    ("jira_{project.key}_{number}", "no other placeholder"),
    ("jira_{project:>3}_{number}", "placeholders take no format spec or conversion"),
    ("jira_{project!r}_{number}", "placeholders take no format spec or conversion"),
    ("{project}_{number}", None),  # fine: the separator is text
    ("{project}{number}", "needs some text besides"),
    ("jira_{project}{number}", "needs a separator between placeholders"),
    ("jira {project}_{number}", "must not contain spaces"),
    ("jira_{project_{number}", "bad tag format"),
])
def test_bad_formats(template, message):
    if message is None:
        assert parse_tag_format(template, LINK).parse("eng_1") == {"project": "eng", "number": "1"}
        return
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_tag_format(template, LINK)
