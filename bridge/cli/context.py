"""State shared by all `bridge` subcommands: where the config is, and how to build a runtime."""

from __future__ import annotations

from contextlib import contextmanager

import click

from bridge.config import CONFIG_ENV_VARIABLE, Settings, load_settings
from bridge.logs import configure_logging
from bridge.yamlsource import SourceErrors


@contextmanager
def reported_source_errors():
    """Print every located error (file:line: key: message) and exit 1."""
    try:
        yield
    except SourceErrors as errors:
        for error in errors.errors:
            click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None


class CliContext:
    def __init__(self, config_path: str | None):
        self.config_path = config_path

    def settings(self) -> Settings:
        if not self.config_path:
            raise click.UsageError(f"no config: pass --config PATH or set {CONFIG_ENV_VARIABLE}")
        with reported_source_errors():
            return load_settings(self.config_path)

    def runtime(self, migrate: bool = True):
        from bridge.runtime import build_runtime

        settings = self.settings()
        configure_logging(settings.logging.level, settings.logging.format)
        with reported_source_errors():  # invalid rule files
            return build_runtime(settings, migrate=migrate)


pass_context = click.make_pass_decorator(CliContext)
