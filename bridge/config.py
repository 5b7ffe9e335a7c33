"""The bridge's configuration file: schema, `${ENV}` substitution and located error messages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bridge.yamlsource import (
    SourceError,
    SourceErrors,
    load_yaml,
    pydantic_errors,
    substitute_environment,
)

CONFIG_ENV_VARIABLE = "BRIDGE_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# SecretStr keeps secrets out of reprs, logs and tracebacks.
Secret = Annotated[SecretStr, Field(min_length=1)]


def _check_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError("must be an http(s) URL such as https://acme.zendesk.com")
    return value.rstrip("/")


class ZendeskSettings(_Strict):
    url: str
    email: str
    api_token: Secret
    webhook_secret: Secret
    # Zendesk user id the bridge writes as; its own changes are never treated as customer reports.
    bridge_user_id: int | None = None

    _url = field_validator("url")(_check_url)


class JiraSettings(_Strict):
    url: str
    deployment: Literal["cloud", "server"] = "cloud"
    email: str | None = None  # Cloud: the account's email; Data Center: the user name, if any
    api_token: Secret
    webhook_secret: Secret | None = None
    # For Jira setups that cannot sign webhooks: a secret `?token=` in the webhook URL instead.
    webhook_url_token: Secret | None = None

    _url = field_validator("url")(_check_url)

    @model_validator(mode="after")
    def _can_authenticate_webhooks(self) -> "JiraSettings":
        if not self.webhook_secret and not self.webhook_url_token:
            raise ValueError("set webhook_secret (or webhook_url_token for Jira that cannot sign)")
        return self


class DatabaseSettings(_Strict):
    url: str = "sqlite:///bridge.db"
    # SQLite only: FULL makes every acknowledged webhook survive a power cut, NORMAL a process crash.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value


class ServerSettings(_Strict):
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    # Request threads mostly wait for the shared inbox commit (bridge/intake.py): more threads,
    # bigger batches. 64 measured best on 2 cores (README, bench/ingest.py).
    threads: int = Field(default=64, ge=1, le=512)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    signature_tolerance_seconds: int = Field(default=300, ge=1)


class WorkerSettings(_Strict):
    embedded: bool = True  # run the worker inside `bridge serve`
    batch_size: int = Field(default=50, ge=1, le=1000)
    idle_sleep_seconds: float = Field(default=0.5, gt=0, le=60)
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)


class ApiSettings(_Strict):
    token: SecretStr | None = None  # empty disables the API


class TeamSettings(_Strict):
    project: str
    issue_type: str = "Bug"
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    due: str = "5 business days"


class LoggingSettings(_Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["logfmt", "json"] = "logfmt"


class Settings(_Strict):
    zendesk: ZendeskSettings
    jira: JiraSettings
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    worker: WorkerSettings = WorkerSettings()
    api: ApiSettings = ApiSettings()
    teams: dict[str, TeamSettings] = {}
    custom_fields: dict[str, int] = {}  # names usable in rules -> Zendesk custom field ids
    rules: tuple[str, ...] = ()
    logging: LoggingSettings = LoggingSettings()
    # Directory that relative paths in this file (rules, SQLite) are resolved against.
    base_dir: Path = Field(default=Path("."), exclude=True)


def load_settings(path: str | os.PathLike, environ: dict[str, str] | None = None) -> Settings:
    """Read and validate a config file; raise SourceErrors listing every problem with file:line key."""
    environ = dict(os.environ) if environ is None else environ
    documents = load_yaml(path)
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise SourceErrors([SourceError(str(path), 1, "", "expected one YAML mapping")])
    document = documents[0]
    errors = substitute_environment(document, environ)
    try:
        settings = Settings.model_validate(
            {**document.data, "base_dir": Path(path).resolve().parent}
        )
    except ValidationError as exc:
        # An unset variable already explains why its value is empty: say it once.
        reported = {error.key for error in errors}
        located = [e for e in pydantic_errors(document, exc) if e.key not in reported]
        raise SourceErrors(errors + located) from None
    if errors:
        raise SourceErrors(errors)
    return settings


def resolve_database_url(settings: Settings) -> str:
    """SQLite paths in the config are relative to the config file, not to the working directory."""
    url = settings.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str((settings.base_dir / url[len(prefix):]).resolve())
    return url
