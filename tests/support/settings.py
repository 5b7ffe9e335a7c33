from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr

from bridge.config.settings import Settings

ZENDESK_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
JIRA_SECRET = "jira-test-secret"
JIRA_URL_TOKEN = "jira-url-token"


def _merge(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def make_settings(database_url: str, **overrides: Any) -> Settings:
    base = {
        "zendesk": {"url": "https://acme.zendesk.com", "email": "bot@acme.test",
                    "api_token": "zendesk-token", "webhook_secret": ZENDESK_SECRET},
        "jira": {"url": "https://acme.atlassian.net", "email": "bot@acme.test",
                 "api_token": "jira-token", "webhook_secret": JIRA_SECRET,
                 "webhook_url_token": JIRA_URL_TOKEN},
        "database": {"url": database_url, "sqlite_synchronous": "NORMAL"},
        "worker": {"idle_sleep_seconds": 0.05, "retry_base_seconds": 1.0, "max_attempts": 3,
                   "lease_seconds": 60},
        "teams": {"engineering": {"project": "ENG"}},
    }
    return Settings.model_validate(_merge(base, overrides))


def write_config(directory: Path, settings: Settings) -> Path:
    """The settings as `directory/config.yaml`, secrets included."""
    data = settings.model_dump(mode="json", exclude={"base_dir"})
    _reveal_secrets(settings, data)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _reveal_secrets(model: BaseModel, data: dict) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
        elif isinstance(value, BaseModel) and isinstance(data.get(name), dict):
            _reveal_secrets(value, data[name])
