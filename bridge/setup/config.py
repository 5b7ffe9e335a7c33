"""The config as `bridge setup` reads it: before setup, the webhook secrets it is about to hand
over may not be set yet, so their variables are allowed to be missing (nothing uses them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bridge.config.settings import Settings, load_settings
from bridge.rules.yamlsource import SourceErrors

SECRETS_SETUP_PROVIDES = ("zendesk.webhook_secret", "jira.webhook_secret", "jira.webhook_url_token")
UNSET_VARIABLE = re.compile(r"environment variable (\w+) is not set")
PLACEHOLDER = "not-set-yet-bridge-setup-provides-it"


def settings_for_setup(path: str | Path, environ: dict[str, str] | None = None) -> Settings:
    """load_settings, except that an unset variable for a webhook secret is not an error."""
    environ = dict(os.environ if environ is None else environ)
    try:
        return load_settings(path, environ)
    except SourceErrors as errors:
        unset = [match.group(1) for error in errors.errors if error.key in SECRETS_SETUP_PROVIDES
                 for match in [UNSET_VARIABLE.fullmatch(error.message)] if match]
        if not unset:
            raise
    return load_settings(path, {**environ, **dict.fromkeys(unset, PLACEHOLDER)})
