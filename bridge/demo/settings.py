"""The bridge configuration for a loopback run against the simulators: where the rules are, and
`Settings` pointing at both simulators with SQLite in a scratch directory."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import bridge
from bridge.config.settings import Settings
from bridge.demo.scenario import PRODUCT_FIELD_ID

TEAMS = {
    "finance": {"project": "FIN", "issue_type": "Task", "due": "5 business days"},
    "engineering": {"project": "ENG", "issue_type": "Bug", "due": "10 business days"},
    "shipping": {"project": "SHIP", "issue_type": "Task", "due": "2 business days"},
}
# The Help Center section workaround articles go to, and the group allowed to edit them (the
# loopback environment creates both in the Zendesk simulator).
HELP_CENTER = {"section_id": 360_000_100, "permission_group_id": 360_000_200}
WORKAROUND_MARKER = "Workaround:"
# Quick retries: a failing event is parked within a second or two instead of stalling a demo.
WORKER = {"idle_sleep_seconds": 0.05, "retry_base_seconds": 0.2, "retry_max_seconds": 1.0,
          "max_attempts": 3, "batch_size": 50}


class RulesNotFound(Exception):
    """Neither the working directory nor the installed package has a rules/ directory."""


def rules_dir_candidates(cwd: Path | None = None) -> list[Path]:
    """Where the example rules are looked for: ./rules, then rules/ beside the package source."""
    return [(cwd or Path.cwd()) / "rules", Path(bridge.__file__).resolve().parents[1] / "rules"]


def find_rules_dir(cwd: Path | None = None) -> Path:
    candidates = rules_dir_candidates(cwd)
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate.resolve()
    raise RulesNotFound("no rules directory with *.yaml files; looked in "
                        + " and ".join(str(candidate) for candidate in candidates)
                        + " (run the demo from the repository root)")


@dataclass(frozen=True)
class SimulatorAccess:
    """How the bridge reaches the simulators: URLs, API credentials, webhook secrets."""

    zendesk_url: str
    zendesk_email: str
    zendesk_api_token: str
    zendesk_bridge_user_id: int
    zendesk_webhook_secret: str
    jira_url: str
    jira_email: str
    jira_api_token: str
    jira_webhook_secret: str


def loopback_settings(access: SimulatorAccess, database_url: str, rules_dir: Path,
                      jira_deployment: str = "cloud", overrides: dict | None = None,
                      api_token: str | None = None) -> Settings:
    """`overrides`: config keys merged over these (nested mappings key by key), e.g. for tests.
    `api_token`: the bearer token of `/api/*` and the dashboard (default: a new random one)."""
    return Settings.model_validate(merged_settings({
        "zendesk": {"url": access.zendesk_url, "email": access.zendesk_email,
                    "api_token": access.zendesk_api_token, "webhook_secret": access.zendesk_webhook_secret,
                    "bridge_user_id": access.zendesk_bridge_user_id, "help_center": HELP_CENTER},
        "jira": {"url": access.jira_url, "deployment": jira_deployment, "email": access.jira_email,
                 "api_token": access.jira_api_token, "webhook_secret": access.jira_webhook_secret,
                 # The simulator's search shows a new issue at once (unless a test sets its search_lag).
                 "search_lag_seconds": 0, "workaround_marker": WORKAROUND_MARKER},
        "database": {"url": database_url, "sqlite_synchronous": "NORMAL"},
        "server": {"host": "127.0.0.1", "port": 8080, "threads": 8},
        "api": {"token": api_token or secrets.token_urlsafe(24)},
        "worker": WORKER,
        "teams": TEAMS,
        "custom_fields": {"product": PRODUCT_FIELD_ID},
        "rules": [str(rules_dir / "*.yaml")],
        "logging": {"level": "WARNING"},
        "base_dir": rules_dir.parent,
    }, overrides or {}))


def merged_settings(base: dict, overrides: dict) -> dict:
    """`overrides` over `base`, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in overrides.items():
        both_mappings = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = merged_settings(merged[key], value) if both_mappings else value
    return merged
