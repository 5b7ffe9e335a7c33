"""`zendesk.on_workaround` in a rule: validated like every other key, errors located."""

import pytest

from bridge.rules.schema import RuleSpec
from bridge.rules.validated import ValidationContext

BASE = {"name": "r", "team": "eng", "match": {"tags": {"any": ["x"]}}, "threshold": {"count": 2, "window": "1h"}}


def spec(on_workaround: dict) -> RuleSpec:
    return RuleSpec.model_validate({**BASE, "zendesk": {"on_workaround": on_workaround}},
                                   context=ValidationContext(teams=frozenset({"eng"})))


def test_the_keys_load():
    loaded = spec({"ends_problem": {"below": 10}, "public_reply": "See {{ workaround.article_url }}",
                   "article_body": "{{ workaround.text }}{% if fix_version %} fixed in {{ fix_version }}{% endif %}"})
    workaround = loaded.zendesk.on_workaround
    assert workaround is not None and workaround.ends_problem is not None
    assert (workaround.ends_problem.below, workaround.ends_problem.of) == (10, "requesters")


@pytest.mark.parametrize("on_workaround, message", [
    ({"internal_note": "a", "public_reply": "b"}, "give internal_note or public_reply, not both"),
    ({"ends_problem": {"below": 0}}, "greater than or equal to 1"),
    ({"ends_problem": {"below": 3, "of": "people"}}, "'tickets', 'requesters' or 'organizations'"),
    ({"article_title": "{{ requester.name }}"}, "unknown variable(s) requester"),
    ({"public_reply": "{{ workaround.text"}, "template does not compile"),
    ({"ends_problem_below": 3}, "Extra inputs are not permitted"),
])
def test_mistakes_are_refused_with_a_reason(on_workaround, message):
    with pytest.raises(ValueError, match=None) as error:
        spec(on_workaround)
    assert message in str(error.value)
