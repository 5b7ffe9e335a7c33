"""The bridge's configuration file: schema, `${ENV}` substitution and located error messages."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bridge.config.discovery_settings import DiscoverySettings
from bridge.config.impact_settings import ImpactSettings
from bridge.config.proactive_settings import ProactiveSettings
from bridge.config.sync_settings import RegressionSettings, StatusSyncSettings
from bridge.config.tag_formats import TagFormat, parse_tag_format
from bridge.domain.audience import audience_query
from bridge.rules.durations import DuePolicy, parse_due_policy
from bridge.rules.validated import Due
from bridge.rules.yamlsource import (
    SourceError,
    SourceErrors,
    load_yaml,
    pydantic_errors,
    substitute_environment,
)

CONFIG_ENV_VARIABLE = "BRIDGE_CONFIG"
# A directory for relative SQLite paths other than the config file's (the image mounts its config
# read-only at /config and sets this to its volume /data).
DATA_DIR_ENV_VARIABLE = "BRIDGE_DATA_DIR"
# Atlassian: "the majority of modifications are shown within seconds", some take minutes
# (developer.atlassian.com/cloud/jira/platform/search-and-reconcile).
CLOUD_SEARCH_LAG_SECONDS = 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# SecretStr keeps secrets out of reprs, logs and tracebacks.
Secret = Annotated[SecretStr, Field(min_length=1)]


def revealed(secret: SecretStr | None) -> str | None:
    """An optional secret's value, revealed only where it is used."""
    return secret.get_secret_value() if secret is not None else None


def check_optional_http_url(value: str | None) -> str | None:
    return None if value is None else check_http_url(value)


def check_http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError("must be an http(s) URL such as https://acme.zendesk.com")
    return value.rstrip("/")


ZendeskFieldId = Annotated[int, Field(gt=0)]
JiraFieldId = Annotated[str, Field(pattern=r"^customfield_[0-9]+$")]


class ZendeskFieldSettings(_Strict):
    """Zendesk custom fields (ids) the bridge writes on linked tickets; unset ones are skipped."""

    jira_key: ZendeskFieldId | None = None
    jira_status: ZendeskFieldId | None = None
    expected_fix_date: ZendeskFieldId | None = None


class HelpCenterSettings(_Strict):
    """Where workaround articles go (Zendesk Help Center); without it a workaround is linked by
    URL (`bridge problems workaround --article-url`) or told as text."""

    section_id: ZendeskFieldId
    permission_group_id: ZendeskFieldId  # who may edit and publish the article (Help Center requires one)
    user_segment_id: ZendeskFieldId | None = None  # who may read it; none: everyone
    locale: str = Field(default="en-us", pattern=r"^[a-z]{2}(-[a-z0-9]{2,4})?$")
    draft: bool = False  # save the article as a draft for a person to publish, rather than publish it


class ZendeskSettings(_Strict):
    url: str
    email: str
    api_token: Secret
    webhook_secret: Secret
    # Zendesk user id the bridge writes as; its own changes are never treated as customer reports.
    bridge_user_id: int | None = None
    fields: ZendeskFieldSettings = ZendeskFieldSettings()
    # The pace of the bridge's bulk work (fix-shipped notifications); Zendesk's ticket-update limit
    # is 100 requests a minute on most plans. A 429 and its Retry-After are honoured either way.
    requests_per_minute: int = Field(default=100, ge=1)
    max_jobs_in_flight: int = Field(default=30, ge=1, le=30)  # Zendesk queues at most 30 jobs
    help_center: HelpCenterSettings | None = None
    # Where agents open tickets, when it is not `url` (an API gateway or proxy in front of Zendesk):
    # the links the bridge writes into Jira issues, notes and the dashboard use it.
    agent_url: str | None = None

    _url = field_validator("url")(check_http_url)
    _agent_url = field_validator("agent_url")(check_optional_http_url)

    @property
    def agent_base(self) -> str:
        """The agent interface's address: `agent_url`, else `url`."""
        return self.agent_url or self.url


class JiraFieldSettings(_Strict):
    """Jira custom fields (`customfield_<n>`) that hold a problem's affected counts and impact
    score (the bridge writes them), and its workaround (the bridge reads it), if any."""

    affected_tickets: JiraFieldId | None = None
    affected_requesters: JiraFieldId | None = None
    affected_organizations: JiraFieldId | None = None
    impact_score: JiraFieldId | None = None  # the weighted impact score (a number field)
    # A text field engineering fills in with how customers get by: set or changed, it is the
    # problem's workaround (as a comment with jira.workaround_marker is).
    workaround: JiraFieldId | None = None


class JiraSettings(_Strict):
    url: str
    deployment: Literal["cloud", "server"] = "cloud"
    email: str | None = None  # Cloud: the account's email; Data Center: the user name, if any
    api_token: Secret
    webhook_secret: Secret | None = None
    # For Jira setups that cannot sign webhooks: a secret `?token=` in the webhook URL instead.
    webhook_url_token: Secret | None = None
    fields: JiraFieldSettings = JiraFieldSettings()
    # Affected-ticket counts on an issue are rewritten at most this often (Jira caps writes per issue).
    counts_update_interval_seconds: int = Field(default=300, ge=1)
    # How long a new issue may take to show in Jira's search (Cloud's is eventually consistent):
    # a retried create looks again after this long before creating. Default 60 on Cloud, 0 on
    # Data Center.
    search_lag_seconds: float | None = Field(default=None, ge=0)
    # A webhook whose own `timestamp` is further than this from now is refused (401
    # stale_timestamp): Jira signs the body only, so without a limit a captured delivery could be
    # replayed for ever. Longer than Jira's retries (over an hour); a replay within it is known by
    # the digest of its body, kept as long as the inbox keeps rows (see Settings).
    webhook_max_age_seconds: int = Field(default=12 * 3600, ge=2 * 3600)
    # A comment on a problem's issue starting with this (e.g. "Workaround:") gives the problem its
    # workaround: the rest of the comment. None: comments are not read.
    workaround_marker: str | None = Field(default=None, min_length=1, max_length=100)
    # Where people open issues (`/browse/KEY`), when it is not `url`: for example the site
    # https://acme.atlassian.net when `url` is an API gateway such as https://api.atlassian.com/ex/jira/<cloud id>.
    browse_url: str | None = None

    @property
    def text_fields(self) -> tuple[str, ...]:
        """The custom fields whose text the bridge reads off issues (webhooks and the poll)."""
        return (self.fields.workaround,) if self.fields.workaround else ()

    @property
    def search_lag(self) -> timedelta:
        if self.search_lag_seconds is not None:
            return timedelta(seconds=self.search_lag_seconds)
        return timedelta(seconds=CLOUD_SEARCH_LAG_SECONDS if self.deployment == "cloud" else 0)

    _url = field_validator("url")(check_http_url)
    _browse_url = field_validator("browse_url")(check_optional_http_url)

    @property
    def browse_base(self) -> str:
        """Where people open issues: `browse_url`, else `url`."""
        return self.browse_url or self.url

    @model_validator(mode="after")
    def _can_authenticate_webhooks(self) -> JiraSettings:
        if not self.webhook_secret and not self.webhook_url_token:
            raise ValueError("set webhook_secret (or webhook_url_token for Jira that cannot sign)")
        return self


class DatabaseSettings(_Strict):
    url: str = "sqlite:///bridge.db"
    # SQLite only: FULL makes every acknowledged webhook survive a power cut, NORMAL a process crash.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # `bridge serve`, `bridge worker` and `bridge db upgrade` wait this long for a database that is
    # not up yet (containers often start before it), then exit 1 with the reason.
    startup_wait_seconds: float = Field(default=60, ge=0)
    # SQLite only: how long a write waits for another's lock before failing.
    sqlite_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # PostgreSQL only (libpq parameters; one set in the URL wins). A server that accepts the
    # connection and never answers is bounded by these and by the request deadlines below.
    connect_timeout_seconds: int = Field(default=5, ge=2, le=60)  # libpq's minimum is 2
    statement_timeout_seconds: float = Field(default=30.0, ge=0)  # 0: no limit
    keepalive_idle_seconds: int = Field(default=30, ge=1)
    keepalive_interval_seconds: int = Field(default=10, ge=1)
    keepalive_count: int = Field(default=3, ge=1)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value


class ServerSettings(_Strict):
    host: str = "0.0.0.0"
    # Where Zendesk and Jira reach the bridge (https://bridge.example.com): what `bridge check`
    # expects the vendors' webhooks to point at.
    public_url: str | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    # Python threads of the HTTP process. Each request waits for the shared inbox commit
    # (bridge/intake/group_commit.py), and more waiting requests make bigger batches; too many fight over the
    # interpreter lock. On 2 cores 32 beat 16 (3,118 against 2,971 req/s, p99 95 against 117 ms,
    # bench/ingest.py --quick --threads); 24 and 48 did no better than 32.
    threads: int = Field(default=32, ge=1, le=512)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # A request body must arrive whole within this (408 and close after), however it trickles in.
    body_timeout_seconds: float = Field(default=10, gt=0, le=300)
    # Bodies read at once (503 beyond); each may buffer up to max_body_bytes. They hold no thread.
    max_body_reads: int = Field(default=256, ge=1)
    signature_tolerance_seconds: int = Field(default=300, ge=1)
    # Reverse proxies in front of the bridge that set X-Forwarded-Proto. 0: the header is ignored
    # (any client can send it); 1 behind one TLS-terminating proxy. The dashboard's cookie is
    # Secure on requests that came in over HTTPS.
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    # The dashboard's cookie is always Secure (for a proxy that sends no X-Forwarded-Proto).
    secure_cookies: bool = False
    # A webhook whose inbox write takes longer gets 503 with Retry-After; Zendesk gives up after
    # about 10 s, so this stays well below that.
    intake_timeout_seconds: float = Field(default=4.0, gt=0, le=9)
    # /readyz waits this long for the database ping, then answers 503 "not answering".
    readiness_timeout_seconds: float = Field(default=1.5, gt=0, le=10)

    _public_url = field_validator("public_url")(check_optional_http_url)


class WorkerSettings(_Strict):
    embedded: bool = True  # run the worker (and the scheduler) in a process `bridge serve` starts
    # That process waits while webhooks keep intake busy, processing a trickle (bridge/intake/load.py).
    yield_to_intake: bool = True
    batch_size: int = Field(default=50, ge=1, le=1000)
    idle_sleep_seconds: float = Field(default=0.5, gt=0, le=60)
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)


class SchedulerSettings(_Strict):
    """Periodic jobs, run by one leader process (bridge/scheduler). Intervals in seconds."""

    leader_check_seconds: float = Field(default=10, ge=1, le=300)  # how soon a standby takes over
    poll_jira_seconds: float = Field(default=60, ge=5)  # re-read active problems' issues from Jira
    # Each poll re-reads changes this far before the last one seen (Jira's search index lags).
    poll_jira_overlap_seconds: float = Field(default=300, ge=60)
    reconcile_zendesk_seconds: float = Field(default=300, ge=60)  # incremental ticket export
    # The first export (no position stored yet) starts this long ago.
    reconcile_zendesk_first_lookback_hours: float = Field(default=1, gt=0, le=24 * 30)
    prune_inbox_seconds: float = Field(default=3600, ge=60)
    prune_inbox_days: int = Field(default=30, ge=1)  # done/ignored webhook events kept this long
    accountability_seconds: float = Field(default=300, ge=5)  # problems against their due dates


class ClosureSettings(_Strict):
    """Telling every linked ticket that a fix shipped (bridge/closure)."""

    ticket_attempts: int = Field(default=3, ge=1)  # sends per ticket before it is reported as failed
    job_poll_seconds: float = Field(default=2.0, gt=0)
    # A send whose answer was lost (crash, timeout) is checked in Zendesk after this long, by when
    # a job Zendesk accepted has run; only then is the ticket sent again if it does not carry the tag.
    unknown_outcome_seconds: float = Field(default=600.0, gt=0)
    jobs_per_run: int = Field(default=10, ge=1)  # bulk calls one run of a closure makes at most

    @property
    def unknown_outcome(self) -> timedelta:
        return timedelta(seconds=self.unknown_outcome_seconds)


class OverdueSettings(_Strict):
    """What happens once when a problem becomes overdue (each can be turned off)."""

    jira_comment: bool = True  # counts, days overdue and the trend, addressed to the assignee
    priority_bump: bool = True  # the Jira priority one level higher (Highest stays Highest)
    ticket_note: bool = True  # an internal note on every linked Zendesk ticket
    chat_webhook_url: str | None = None  # Slack-compatible incoming webhook: POST {"text": ...}

    @field_validator("chat_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return check_http_url(value) if value else None


class AccountabilitySettings(_Strict):
    """Open problems against their due dates (bridge/overdue/accountability.py): at risk once this share
    of the time from opening to the due date is gone and the Jira issue is still in To Do;
    overdue once the due date has passed without a fix."""

    at_risk_share: float = Field(default=0.5, gt=0, lt=1)
    overdue: OverdueSettings = OverdueSettings()


class ApiSettings(_Strict):
    token: SecretStr | None = None  # empty disables the API


def _due_text(due: DuePolicy | dict[str, DuePolicy]) -> str | dict[str, str]:
    return str(due) if isinstance(due, DuePolicy) else {priority: str(policy) for priority, policy in due.items()}


# Dumped back as the text it was read from, so a dumped config loads again.
TeamDue = Annotated[Due, PlainSerializer(_due_text)]


class TeamSettings(_Strict):
    project: str
    issue_type: str = "Bug"
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    priority: str = Field(default="Medium", min_length=1)
    # One policy (`5 business days`) or a map {Jira priority: policy}, like a rule's `jira.due`.
    due: TeamDue = parse_due_policy("5 business days")
    # When is a fix shipped: when the issue is resolved as fixed, or when a fix version on it is
    # released (jira:version_released).
    fix_on: Literal["resolution", "release"] = "resolution"
    # The team's audience for a proactive notice (`bridge problems notify`): a Zendesk search for
    # users (`type:user ...`) or organizations (`type:organization ...`, their members).
    proactive_query: str | None = Field(default=None, min_length=1)

    @field_validator("proactive_query")
    @classmethod
    def _audience(cls, query: str | None) -> str | None:
        return None if query is None else audience_query(query)


def _zone(value: Any) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {value!r} (expected a name like Europe/Berlin or UTC)") from None
    return value


class CalendarSettings(_Strict):
    """Working days for due dates: Monday to Friday in `timezone`, except `holidays`."""

    holidays: frozenset[date] = frozenset()
    timezone: str = "UTC"

    _timezone = field_validator("timezone")(_zone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _tag_format_using(*placeholders: str) -> PlainValidator:
    """A tag format using exactly `placeholders`."""
    def validate(value: Any) -> TagFormat:
        if not isinstance(value, str):
            raise ValueError(f"expected a tag format string, got {type(value).__name__}")
        return parse_tag_format(value, placeholders)
    return PlainValidator(validate)


# Dumped back as their text.
LinkTagFormat = Annotated[TagFormat, _tag_format_using("project", "number"), PlainSerializer(str)]
EscalateTagFormat = Annotated[TagFormat, _tag_format_using("team"), PlainSerializer(str)]


class TagSettings(_Strict):
    """Tags agents add by hand: link a ticket to a Jira issue, or escalate it to a team."""

    link_to_issue: LinkTagFormat = parse_tag_format("jira_{project}_{number}", ("project", "number"))
    escalate: EscalateTagFormat = parse_tag_format("escalate_{team}", ("team",))


class LoggingSettings(_Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["logfmt", "json"] = "logfmt"


class Settings(_Strict):
    zendesk: ZendeskSettings
    jira: JiraSettings
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    worker: WorkerSettings = WorkerSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    api: ApiSettings = ApiSettings()
    closure: ClosureSettings = ClosureSettings()
    teams: dict[str, TeamSettings] = {}
    custom_fields: dict[str, int] = {}  # names usable in rules -> Zendesk custom field ids
    calendar: CalendarSettings = CalendarSettings()
    tags: TagSettings = TagSettings()
    status_sync: StatusSyncSettings = StatusSyncSettings()
    regression: RegressionSettings = RegressionSettings()
    accountability: AccountabilitySettings = AccountabilitySettings()
    impact: ImpactSettings | None = None  # the weighted impact score; left out: counts only
    proactive: ProactiveSettings = ProactiveSettings()  # proactive notices (`bridge problems notify`)
    discovery: DiscoverySettings = DiscoverySettings()  # recurring issues no rule knows yet
    rules: tuple[str, ...] = ()
    logging: LoggingSettings = LoggingSettings()
    # Directory that relative paths in this file (rules, SQLite) are resolved against.
    base_dir: Path = Field(default=Path("."), exclude=True)
    # BRIDGE_DATA_DIR: where a relative SQLite path goes instead, if set.
    data_dir: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _discovery_team_is_a_team(self) -> Settings:
        if self.discovery.team is not None and self.discovery.team not in self.teams:
            raise ValueError(f"discovery.team {self.discovery.team!r} is not one of teams: "
                             f"{', '.join(sorted(self.teams)) or '(none configured)'}")
        return self

    @model_validator(mode="after")
    def _replays_outlive_no_inbox_row(self) -> Settings:
        """A signed delivery is accepted while its timestamp is within a window either side of
        now; a replay inside that window is recognised by the inbox row of the original, so the
        whole window must be shorter than the inbox keeps rows."""
        kept = self.scheduler.prune_inbox_days * 86400
        for name, seconds in (("jira.webhook_max_age_seconds", self.jira.webhook_max_age_seconds),
                              ("server.signature_tolerance_seconds",
                               self.server.signature_tolerance_seconds)):
            if 2 * seconds > kept:
                raise ValueError(f"{name} ({seconds}) must be at most half of "
                                 f"scheduler.prune_inbox_days ({kept} s): replays are recognised "
                                 "only while the original delivery is kept")
        return self


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
            {**document.data, "base_dir": Path(path).resolve().parent, "data_dir": _data_dir(environ)}
        )
    except ValidationError as exc:
        # An unset variable already explains why its value is empty: say it once.
        reported = {error.key for error in errors}
        located = [e for e in pydantic_errors(document, exc, model=Settings) if e.key not in reported]
        raise SourceErrors(errors + located) from None
    if errors:
        raise SourceErrors(errors)
    return settings


def _data_dir(environ: dict[str, str]) -> Path | None:
    value = environ.get(DATA_DIR_ENV_VARIABLE, "")
    return Path(value).resolve() if value else None


def resolve_database_url(settings: Settings) -> str:
    """SQLite paths in the config are relative to BRIDGE_DATA_DIR if set, else to the config file,
    never to the working directory."""
    url = settings.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(((settings.data_dir or settings.base_dir) / url[len(prefix):]).resolve())
    return url
