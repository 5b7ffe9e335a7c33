"""The config's `discovery` keys: defaults, spans written as rules write them, located mistakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.config.settings import load_settings
from tests.test_config import ENV, VALID, errors_of


def test_defaults_and_spans(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID + "discovery:\n  window: 2w\n  recent: 12h\n  team: engineering\n")
    discovery = load_settings(path, ENV).discovery
    assert (discovery.window, discovery.recent, discovery.team) == (timedelta(weeks=2), timedelta(hours=12),
                                                                     "engineering")
    assert (discovery.enabled, discovery.similarity, discovery.min_size, discovery.open_problems) == (
        True, 0.35, 5, False)
    assert discovery.model_dump(mode="json")["window"] == "2w"  # a dumped config loads again


@pytest.mark.parametrize("addition, expected", [
    ("discovery:\n  window: 7x\n",
     ["config.yaml:17: discovery.window: bad duration '7x' (expected a number and a unit m, h, d or w, "
      "e.g. 90m, 24h, 7d)"]),
    ("discovery:\n  window: 1d\n  recent: 1d\n",
     ["config.yaml:16: discovery: recent must be at most half of window: the rest is the baseline it is "
      "judged against"]),
    ("discovery:\n  open_problems: true\n",
     ["config.yaml:16: discovery: open_problems needs rules_file: the rule file emerging groups' rules are "
      "written to"]),
    ("discovery:\n  similarity: 1.5\n  min_sise: 4\n",
     ["config.yaml:17: discovery.similarity: must be less than 1.0, got 1.5",
      "config.yaml:18: discovery.min_sise: unknown key; did you mean 'min_size'?"]),
])
def test_mistakes_are_located(tmp_path, addition, expected):
    assert errors_of(tmp_path, VALID + addition) == expected


def test_the_team_must_be_a_team(tmp_path):
    [error] = errors_of(tmp_path, VALID + "discovery:\n  team: shipping\n")
    assert "discovery.team 'shipping' is not one of teams: engineering" in error
