"""The action-kind registry: one table of every outbox kind, built once by the runtime."""

import pytest

from bridge.actions.registry import ActionRegistry, DuplicateActionKind
from bridge.runtime import build_runtime
from tests.support.settings import make_settings


class Handles:
    def __init__(self, *kinds):
        self.kinds = kinds

    def handlers(self):
        return {kind: lambda action, now: None for kind in self.kinds}


def test_registering_a_kind_twice_is_an_error_naming_both_owners():
    class Links(Handles):
        pass

    class Notes(Handles):
        pass

    with pytest.raises(DuplicateActionKind, match=r"'zendesk.sync_links' is handled by both Links and Notes"):
        ActionRegistry([Links("jira.create_issue", "zendesk.sync_links"), Notes("zendesk.sync_links")])


def test_the_registry_is_read_only():
    registry = ActionRegistry([Handles("a", "b")])
    assert registry.kinds == ["a", "b"]
    with pytest.raises(TypeError):
        registry.handlers["c"] = lambda action, now: None  # type: ignore[index]


def test_the_runtime_registers_every_kind_once(tmp_path):
    runtime = build_runtime(make_settings(f"sqlite:///{tmp_path / 'bridge.db'}"),
                            ticket_system=object(), issue_tracker=object())
    assert runtime.action_kinds.kinds == sorted([
        "chat.overdue", "jira.create_issue", "jira.overdue_comment", "jira.overdue_priority", "jira.regress",
        "jira.update_issue", "zendesk.close_tickets", "zendesk.overdue_note", "zendesk.proactive_notice",
        "zendesk.read_impact",
        "zendesk.status_update", "zendesk.sync_links", "zendesk.workaround_answers",
        "zendesk.workaround_article"])
    assert runtime.new_action_worker("test").handlers is runtime.action_kinds.handlers
