"""The `proactive` config keys and `teams.<team>.proactive_query`: defaults, and a bad value named
by file, line and key."""

from __future__ import annotations

import pytest

from bridge.config.settings import load_settings
from tests.test_config import ENV, VALID, errors_of


def test_the_defaults_and_a_configured_notice(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID + "    proactive_query: type:organization product_version:2.3\n"
                    "proactive:\n  opt_out_tag: quiet_please\n  message: 'Hi {{ customer.first_name }}'\n"
                    "  status: pending\n")
    settings = load_settings(path, ENV)
    assert settings.teams["engineering"].proactive_query == "type:organization product_version:2.3"
    proactive = settings.proactive
    assert (proactive.opt_out_tag, proactive.status, proactive.sample_size) == ("quiet_please", "pending", 10)
    assert proactive.message.render(customer={"first_name": "Ann"}) == "Hi Ann"
    assert proactive.subject is None


@pytest.mark.parametrize("extra, expected", [
    ("    proactive_query: tags:beta\n", "config.yaml:16: teams.engineering.proactive_query: "),
    ("proactive:\n  message: '{{ secret }}'\n", "config.yaml:17: proactive.message: "),
    ("proactive:\n  subject: '{% if %}'\n", "config.yaml:17: proactive.subject: "),
    ("proactive:\n  opt_out_tag: 'two words'\n", "config.yaml:17: proactive.opt_out_tag: "),
    ("proactive:\n  status: closed\n", "config.yaml:17: proactive.status: "),
    ("proactive:\n  sampel_size: 3\n", "config.yaml:17: proactive.sampel_size: "),
])
def test_a_bad_value_is_named_by_file_line_and_key(tmp_path, extra, expected):
    [error] = errors_of(tmp_path, VALID + extra)
    assert error.startswith(expected), error
