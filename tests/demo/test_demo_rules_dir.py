"""Where the demo finds the example rules, and what it says when it cannot."""

from __future__ import annotations

import pytest

import bridge
from bridge.demo.settings import RulesNotFound, find_rules_dir
from tests.support.processes import ROOT


def test_rules_in_the_working_directory_come_first(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mine.yaml").write_text("rules: []\n")
    assert find_rules_dir(tmp_path) == (tmp_path / "rules").resolve()


def test_otherwise_the_rules_beside_the_package_source(tmp_path):
    assert find_rules_dir(tmp_path) == ROOT / "rules"


def test_neither_place_names_both_in_the_error(tmp_path, monkeypatch):
    monkeypatch.setattr(bridge, "__file__", str(tmp_path / "site-packages" / "bridge" / "__init__.py"))
    with pytest.raises(RulesNotFound) as error:
        find_rules_dir(tmp_path / "cwd")
    assert str(tmp_path / "cwd" / "rules") in str(error.value)
    assert str(tmp_path / "site-packages" / "rules") in str(error.value)
