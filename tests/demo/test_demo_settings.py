"""The demo's bridge settings: an API token of its own, new every run, so `/api/*` and the
dashboard are reachable while `bridge demo --keep-running` runs."""

from __future__ import annotations

from pathlib import Path

from bridge.demo.settings import SimulatorAccess, loopback_settings

ACCESS = SimulatorAccess(
    zendesk_url="http://127.0.0.1:1", zendesk_email="bridge@example.com", zendesk_api_token="z",
    zendesk_bridge_user_id=1, zendesk_webhook_secret="zs", jira_url="http://127.0.0.1:2",
    jira_email="bridge@example.com", jira_api_token="j", jira_webhook_secret="js")


def settings(tmp_path: Path, **options):
    return loopback_settings(ACCESS, f"sqlite:///{tmp_path / 'bridge.db'}", tmp_path / "rules", **options)


def test_the_api_token_is_random_per_run(tmp_path):
    first, second = (settings(tmp_path).api.token.get_secret_value() for _ in range(2))
    assert first != second and len(first) >= 24 and len(second) >= 24


def test_a_given_api_token_is_used(tmp_path):
    assert settings(tmp_path, api_token="given-token").api.token.get_secret_value() == "given-token"
    overridden = settings(tmp_path, api_token="given-token", overrides={"api": {"token": "override"}})
    assert overridden.api.token.get_secret_value() == "override"
