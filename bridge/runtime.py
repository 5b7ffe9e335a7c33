"""The composition root: builds storage, metrics, worker and parsers from settings, once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import Engine

from bridge.actions.problem_context import ProblemContext
from bridge.actions.registry import ActionRegistry
from bridge.actions.worker import ActionWorker
from bridge.actions.zendesk_batches import BatchSender
from bridge.closure import Closure, ClosureActions
from bridge.config.settings import Settings, resolve_database_url
from bridge.detection.detector import Detector
from bridge.detection.live_rules import LiveRules
from bridge.domain.ports import AudienceSource, ImpactSource, IssueTracker, KnowledgeBase, TicketSystem
from bridge.intake.group_commit import GroupCommitter
from bridge.intake.inbox_worker import Worker
from bridge.intake.load import IntakeFirst, IntakeLoad
from bridge.intake.processing import EventProcessor
from bridge.jira_progress.status_actions import StatusActions
from bridge.jira_progress.status_sync import StatusSync
from bridge.metrics import BridgeMetrics
from bridge.overdue.actions import OverdueActions
from bridge.planning.agent_tags import read_agent_tags
from bridge.proactive import ProactiveActions, ProactiveNotices
from bridge.problems.actions import ProblemActions
from bridge.problems.impact_actions import ImpactActions
from bridge.queue_worker import QueueWorker
from bridge.storage.accountability import AccountabilityStore
from bridge.storage.audit import AuditLog
from bridge.storage.closures import ClosureStore
from bridge.storage.db import create_database_engine, ping
from bridge.storage.inbox import Inbox
from bridge.storage.migrate import upgrade
from bridge.storage.outbox import Outbox
from bridge.storage.proactive import ProactiveStore
from bridge.storage.problems import ProblemStore
from bridge.storage.single_flight import SingleFlight
from bridge.storage.snapshots import IssueSnapshots, TicketSnapshots
from bridge.storage.workarounds import WorkaroundStore
from bridge.workaround.actions import WorkaroundActions
from bridge.workaround.from_jira import OwnJiraAccount, WorkaroundFromJira
from bridge.workaround.start import Workarounds
from connectors.jira.client import JiraClient
from connectors.jira.events import parse_jira_webhook
from connectors.jira.issue_tracker import JiraIssueTracker
from connectors.observed import RequestObserver
from connectors.payload import PayloadError
from connectors.zendesk.audience import ZendeskAudience
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.events import parse_zendesk_webhook
from connectors.zendesk.help_center import ZendeskHelpCenter
from connectors.zendesk.impact_reads import ZendeskImpactSource
from connectors.zendesk.ticket_system import ZendeskTicketSystem

Clock = Callable[[], datetime]
PacedWorker = TypeVar("PacedWorker", bound=QueueWorker)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock = utc_now
    metrics: BridgeMetrics = field(default_factory=BridgeMetrics)

    ticket_system: TicketSystem = field(kw_only=True)
    issue_tracker: IssueTracker = field(kw_only=True)
    impact_source: ImpactSource | None = field(default=None, kw_only=True)  # default: Zendesk, per the settings
    knowledge_base: KnowledgeBase | None = field(default=None, kw_only=True)  # Help Center, if configured
    audience: AudienceSource | None = field(default=None, kw_only=True)  # default: Zendesk's user search
    # Shared by the processes of `bridge serve` (bridge/intake/load.py); private to this process
    # otherwise. `yield_to_intake`: this process's workers step aside while intake is busy.
    shared_intake_load: IntakeLoad | None = field(default=None, kw_only=True)
    yield_to_intake: bool = field(default=False, kw_only=True)

    def __post_init__(self):
        self.inbox = Inbox(self.engine)
        server = self.settings.server
        self.intake_load = self.shared_intake_load or IntakeLoad(threads=server.threads)
        self.intake = GroupCommitter(self.inbox, timeout=server.intake_timeout_seconds)
        self.readiness = SingleFlight(self.engine, partial(ping, self.engine), server.readiness_timeout_seconds,
                                      name="bridge-readyz")
        self.tickets = TicketSnapshots(self.engine)
        self.issue_snapshots = IssueSnapshots(self.engine)
        self.problems = ProblemStore(self.engine)
        self.audit = AuditLog(self.engine)
        self.outbox = Outbox(self.engine)
        self.rules = LiveRules(self.settings, self.metrics)
        self.closures = ClosureStore(self.engine)
        self.closure = Closure(self.closures, self.outbox, self.audit)
        self.accountability = AccountabilityStore(self.engine)
        self.workaround_store = WorkaroundStore(self.engine)
        self.workarounds = Workarounds(self.rules.current, self.problems, self.workaround_store, self.outbox,
                                       self.audit, writes_articles=self.knowledge_base is not None)
        self.audience = self.audience or zendesk_audience(self.settings, self.metrics.observe_vendor_request)
        self.proactive_store = ProactiveStore(self.engine)
        self.proactive = ProactiveNotices(self.settings, self.rules.current, self.problems, self.proactive_store,
                                          self.outbox, self.audit, self.audience)
        self.action_kinds = self._action_registry()
        settings = self.settings
        own_account = OwnJiraAccount(self.issue_tracker)
        from_jira = WorkaroundFromJira(settings.jira.workaround_marker, settings.jira.fields.workaround, self.problems,
                                       self.workarounds, own_account)
        self.status_sync = StatusSync(self.settings, self.problems, self.issue_snapshots, self.audit, self.actions,
                                      on_fields=from_jira.apply_fields)
        self.detector = Detector(
            self.rules.current, self.problems, self.audit, self.actions,
            issue_links=lambda ticket: read_agent_tags(ticket.tags, settings.tags, settings.teams).issue_links,
            regression_window=timedelta(days=settings.regression.window_days))
        self.processor = EventProcessor(
            self.tickets, self.issue_snapshots, self.detector, self.status_sync, self.rules.current, self.ticket_system,
            self.settings.zendesk.bridge_user_id,
            apply_comment=from_jira.apply_comment, before_comments=own_account.learn)
        # The database gauges' read is bounded like the readiness ping: both only look.
        self.database_metrics = self.metrics.watch_database(self.engine, self.clock, server.readiness_timeout_seconds)

    def _action_registry(self) -> ActionRegistry:
        settings, zendesk = self.settings, self.ticket_system
        context = ProblemContext(self.rules.current, self.problems)
        batches = BatchSender(zendesk, settings.closure.unknown_outcome, settings.closure.ticket_attempts)
        impact_source = self.impact_source or zendesk_impact_source(settings, self.metrics.observe_vendor_request)
        self.impact_actions = ImpactActions(
            settings, context, self.outbox, self.audit, impact_source,
            on_read=lambda connection, problem, now: self.actions.impact_changed(connection, problem, now))

        def fix_shipped(connection, problem, now) -> None:
            self.closure.start(connection, problem, now, problem.fix_version)
            self.workarounds.fix_shipped(connection, problem, now)

        self.actions = ProblemActions(
            settings, context, self.tickets, self.outbox, self.audit, self.issue_tracker, zendesk, batches,
            on_fix=fix_shipped, read_impact=self.impact_actions.queue_read,
            on_tickets_changed=self.workarounds.tickets_changed)
        self.status_actions = StatusActions(settings, context, self.tickets, self.issue_snapshots, self.issue_tracker,
                                            zendesk, batches)
        self.closure_actions = ClosureActions(settings, self.rules.current, self.problems, self.closures,
                                              self.audit, zendesk)
        self.overdue_actions = OverdueActions(settings, self.problems, self.accountability, self.issue_snapshots,
                                              self.audit, self.issue_tracker, zendesk, batches)
        help_center = settings.zendesk.help_center
        self.workaround_actions = WorkaroundActions(context, self.workaround_store, self.tickets, self.outbox,
                                                    self.audit, zendesk, batches, self.knowledge_base,
                                                    draft=bool(help_center and help_center.draft))
        assert self.audience is not None, "set in __post_init__"
        self.proactive_actions = ProactiveActions(settings, self.rules.current, self.problems, self.proactive_store,
                                                  self.audit, zendesk, self.audience)
        return ActionRegistry([self.actions, self.impact_actions, self.status_actions, self.closure_actions,
                               self.overdue_actions, self.workaround_actions, self.proactive_actions])

    def new_worker(self, owner: str | None = None) -> Worker:
        return self._paced(Worker(
            self.engine, self.inbox, self.processor,
            parsers={"zendesk": parse_zendesk_webhook,
                     "jira": partial(parse_jira_webhook, text_fields=self.settings.jira.text_fields)},
            permanent_errors=(PayloadError,),
            settings=self.settings.worker, metrics=self.metrics, clock=self.clock, owner=owner,
            housekeeping=self.rules.check,
        ))

    def new_action_worker(self, owner: str | None = None) -> ActionWorker:
        return self._paced(ActionWorker(self.engine, self.outbox, self.action_kinds.handlers, self.settings.worker,
                                        self.metrics, self.clock, owner))

    def _paced(self, worker: PacedWorker) -> PacedWorker:
        if self.yield_to_intake:
            worker.pacing = IntakeFirst(self.intake_load, self.metrics.yielded_to_intake.inc)
        return worker

    def start_worker_thread(self, stop: threading.Event) -> threading.Thread:
        """The inbox worker and the action worker, each in its own thread (a slow Zendesk or Jira
        never holds up webhook processing); the returned thread ends when both have. Problems not
        scored under the current `impact:` settings get their reads queued first (not waited for)."""
        self.impact_actions.queue_unscored(self.clock())
        workers = [threading.Thread(target=worker.run, args=(stop,), name=f"bridge-{worker.name}", daemon=True)
                   for worker in (self.new_worker(), self.new_action_worker())]
        for thread in workers:
            thread.start()

        def join_all() -> None:
            for thread in workers:
                thread.join()

        watcher = threading.Thread(target=join_all, name="bridge-workers", daemon=True)
        watcher.start()
        return watcher


def zendesk_client(settings: Settings, observer: RequestObserver | None) -> ZendeskClient:
    zendesk = settings.zendesk
    return ZendeskClient(zendesk.url, zendesk.email, zendesk.api_token.get_secret_value(), observer=observer)


def zendesk_ticket_system(settings: Settings, observer: RequestObserver | None) -> TicketSystem:
    return ZendeskTicketSystem(zendesk_client(settings, observer))


def zendesk_impact_source(settings: Settings, observer: RequestObserver | None) -> ImpactSource:
    return ZendeskImpactSource(zendesk_client(settings, observer))


def zendesk_audience(settings: Settings, observer: RequestObserver | None) -> AudienceSource:
    return ZendeskAudience(zendesk_client(settings, observer))


def zendesk_knowledge_base(settings: Settings, observer: RequestObserver | None) -> KnowledgeBase | None:
    help_center = settings.zendesk.help_center
    if help_center is None:
        return None
    return ZendeskHelpCenter(zendesk_client(settings, observer), help_center.section_id,
                             help_center.permission_group_id, help_center.user_segment_id, help_center.locale)


def jira_issue_tracker(settings: Settings, observer: RequestObserver | None) -> IssueTracker:
    jira = settings.jira
    client = JiraClient(jira.url, jira.deployment, jira.email, jira.api_token.get_secret_value(), observer=observer)
    return JiraIssueTracker(client, jira.browse_base, jira.text_fields)


def build_runtime(settings: Settings, clock: Clock = utc_now, migrate: bool = True,
                  ticket_system: TicketSystem | None = None,
                  issue_tracker: IssueTracker | None = None, engine: Engine | None = None,
                  intake_load: IntakeLoad | None = None, yield_to_intake: bool = False) -> Runtime:
    """Everything a bridge process needs, on `engine` when the caller has one for this database
    already. Raises SourceErrors when the rule files are invalid."""
    engine = engine or create_database_engine(resolve_database_url(settings), settings.database)
    if migrate:
        upgrade(engine)
    metrics = BridgeMetrics()
    observer = metrics.observe_vendor_request
    return Runtime(settings=settings, engine=engine, clock=clock, metrics=metrics,
                   ticket_system=ticket_system or zendesk_ticket_system(settings, observer),
                   issue_tracker=issue_tracker or jira_issue_tracker(settings, observer),
                   knowledge_base=zendesk_knowledge_base(settings, observer),
                   shared_intake_load=intake_load, yield_to_intake=yield_to_intake)
