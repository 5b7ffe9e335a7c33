"""The demo's closing summary: read from the bridge and the simulators once the stages are done;
printed as a table or as JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass

from bridge.backfill.outcome import BackfillOutcome
from bridge.demo.discovery_stage import DiscoveredRule
from bridge.demo.observations import (
    BridgeIntake,
    DeliveryReport,
    JiraIssueView,
    ProblemReport,
    ZendeskOutcome,
    api_calls,
    bridge_intake,
    jira_deliveries,
    jira_issues,
    read_problems,
    zendesk_deliveries,
    zendesk_outcome,
)
from bridge.demo.stages import DemoRun
from bridge.storage.inbox import DONE, FAILED, IGNORED, PENDING, PROCESSING


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    duration_seconds: float
    tickets_played: dict[str, int]
    agent_updates: int
    fixes_shipped: tuple[str, ...]
    webhooks: dict[str, DeliveryReport]
    intake: BridgeIntake
    problems: ProblemReport
    jira_issues: tuple[JiraIssueView, ...]
    zendesk: ZendeskOutcome
    api_calls: dict[str, dict[str, int]]
    failures: tuple[str, ...]
    report: dict | None = None  # `bridge report --format json`'s figures for the demo's period
    setup_lines: tuple[str, ...] = ()  # the `bridge setup` commands run ("$ ...") and what they said
    wiring_problems: tuple[str, ...] | None = None  # `bridge check` after setup; None: not run
    backfill: dict | None = None  # see backfill_figures
    articles_published: int = 0  # workaround articles published in the Help Center (drafts aside)
    tickets_answered_by_article: int = 0  # linked tickets told of a workaround, each once
    ended_with_article: tuple[str, ...] = ()  # Jira keys of the problems a workaround article ended
    proactive_notices_sent: int = 0  # customers a proactive notice told before they wrote in
    discovered_rules: tuple[DiscoveredRule, ...] = ()  # emerging groups `bridge discover` turned into rules

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        inbox = self.intake.inbox
        by_project: dict[str, list[dict]] = defaultdict(list)
        for issue in self.jira_issues:
            by_project[issue.project].append({k: v for k, v in asdict(issue).items() if k != "project"})
        return {
            "ok": self.ok,
            "failures": list(self.failures),
            "seed": self.seed,
            "duration_seconds": self.duration_seconds,
            "tickets_played": {"total": sum(self.tickets_played.values()), **self.tickets_played},
            "agent_updates": self.agent_updates,
            "webhooks": {source: {**asdict(report), "undelivered": report.undelivered}
                         for source, report in self.webhooks.items()},
            "events": {"accepted": self.intake.accepted, "processed": inbox[DONE] + inbox[IGNORED],
                       "ignored": inbox[IGNORED], "failed": inbox[FAILED],
                       "waiting": inbox[PENDING] + inbox[PROCESSING],
                       "duplicates": self.intake.duplicates, "rejected": self.intake.rejected},
            "tickets_known": self.intake.tickets_known,
            "issues_known": self.intake.issues_known,
            "problems_supported": self.problems.supported,
            "problems": {"total": self.problems.total, "by_state": dict(self.problems.by_state),
                         "list": [dict(row) for row in self.problems.rows]},
            "jira_issues": {"total": len(self.jira_issues), "by_project": dict(by_project)},
            "fixes_shipped": list(self.fixes_shipped),
            "tickets_notified": len(self.zendesk.notified),
            "zendesk": {"tickets_notified": list(self.zendesk.notified),
                        "tickets_with_bridge_note": list(self.zendesk.noted),
                        "notified_tickets_solved": list(self.zendesk.solved_after_notification)},
            "api_calls": self.api_calls,
            "report": self.report,
            "setup": {"commands": [line.removeprefix("$ ") for line in self.setup_lines if line.startswith("$ ")],
                      "lines": list(self.setup_lines),
                      "check": None if self.wiring_problems is None else {
                          "ok": not self.wiring_problems, "problems": list(self.wiring_problems)}},
            "backfill": self.backfill,
            "articles_published": self.articles_published,
            "tickets_answered_by_article": self.tickets_answered_by_article,
            "ended_with_article": list(self.ended_with_article),
            "proactive_notices_sent": self.proactive_notices_sent,
            "discovered_rules": [asdict(rule) for rule in self.discovered_rules],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)

    def format_table(self) -> str:
        data = self.to_dict()
        events = data["events"]
        rows = [
            ("tickets played", f"{data['tickets_played']['total']} ("
             + ", ".join(f"{k} {v}" for k, v in self.tickets_played.items()) + ")"),
            ("agent updates", str(self.agent_updates)),
            ("webhooks delivered", ", ".join(f"{source} {report.delivered}/{report.sent}"
                                             for source, report in self.webhooks.items())),
            ("bridge events", f"accepted {events['accepted']}, processed {events['processed']} "
             f"({events['ignored']} ignored), failed {events['failed']}, waiting {events['waiting']}, "
             f"duplicates {events['duplicates']}, rejected {events['rejected']}"),
            ("tickets known", str(self.intake.tickets_known)),
            ("problems", _problems_text(self.problems)),
            ("jira issues", _issues_text(self.jira_issues)),
            ("fixes shipped", ", ".join(self.fixes_shipped) or "0"),
            ("customers notified", f"{len(self.zendesk.notified)} tickets "
             f"({len(self.zendesk.solved_after_notification)} solved); bridge notes on {len(self.zendesk.noted)}"),
            ("bridge api calls", "; ".join(f"{system} {calls['reads']} reads, {calls['writes']} writes"
                                           for system, calls in self.api_calls.items())),
            ("report", _report_text(self.report)),
            ("setup", _setup_text(self.setup_lines, self.wiring_problems)),
            ("backfill", _backfill_text(self.backfill)),
            ("workaround articles", f"{self.articles_published} published, {self.tickets_answered_by_article} "
             f"tickets answered by them; ended {', '.join(self.ended_with_article) or 'none'}"),
            ("proactive notices", f"{self.proactive_notices_sent} customers told before writing in"),
            ("discovered rules", "; ".join(f"{rule.rule} from group {rule.group} ({rule.group_tickets} tickets, "
                                           f"precision {rule.precision:.2f}): problem {rule.problem}, "
                                           f"{rule.problem_tickets} tickets, {rule.jira_key}"
                                           for rule in self.discovered_rules) or "none"),
            ("duration", f"{self.duration_seconds:.1f} s"),
            ("result", "ok" if self.ok else "FAILED: " + "; ".join(self.failures)),
        ]
        width = max(len(label) for label, _ in rows)
        return "\n".join([f"Summary (seed {self.seed})"] + [f"  {label:<{width}}  {value}" for label, value in rows])


def _problems_text(report: ProblemReport) -> str:
    if not report.supported:
        return "not supported by this version"
    states = ", ".join(f"{state} {count}" for state, count in sorted(report.by_state.items()))
    return f"{report.total}" + (f" ({states})" if states else "")


def _report_text(report: dict | None) -> str:
    if report is None:
        return "-"
    fixes = report["fixed_on_time"] + report["fixed_late"] + report["fixed_without_due_date"]
    return (f"{len(report['top_root_causes'])} root causes; {fixes} fixes ({report['fixed_on_time']} on time, "
            f"{report['fixed_late']} late); {report['tickets_after_detection']} tickets after detection; "
            f"{report['regressions']} regressions")


def _setup_text(lines: tuple[str, ...], wiring_problems: tuple[str, ...] | None) -> str:
    commands = ", ".join(line.removeprefix("$ ").split(" --", 1)[0] for line in lines if line.startswith("$ "))
    check = ("not run" if wiring_problems is None else "ok" if not wiring_problems
             else f"{len(wiring_problems)} problems")
    return f"{commands or 'none'}; bridge check {check}"


def _backfill_text(backfill: dict | None) -> str:
    if backfill is None:
        return "-"

    def rules(key: str) -> str:
        return ", ".join(problem["rule"] for problem in backfill[key]) or "none"

    return (f"{backfill['tickets_read']} tickets from before the wiring; the dry run would open "
            f"{rules('problems_found')}; --apply opened {rules('problems_opened')}")


def backfill_figures(history_tickets: int, everyday_tickets: int, dry_run: BackfillOutcome | None,
                     applied: BackfillOutcome | None) -> dict | None:
    """What the demo's backfill read, what its dry run said it would open, and what --apply opened;
    the problems without their ids (a dry run's are rolled back)."""
    if dry_run is None or applied is None:
        return None

    def problems(outcome: BackfillOutcome) -> list[dict]:
        return [{key: value for key, value in asdict(problem).items() if key != "id"} for problem in outcome.opened]

    return {"history_tickets": history_tickets, "everyday_tickets": everyday_tickets,
            "tickets_read": dry_run.read + applied.read, "tickets_evaluated": applied.evaluated,
            "problems_found": problems(dry_run), "problems_opened": problems(applied)}


def _issues_text(issues: tuple[JiraIssueView, ...]) -> str:
    if not issues:
        return "0"
    return f"{len(issues)}: " + ", ".join(f"{issue.key} due {issue.due or '-'}" for issue in issues)


def _undelivered(webhooks: dict[str, DeliveryReport]) -> list[str]:
    return [f"{report.undelivered} {source} webhooks were not accepted by the bridge (statuses {report.statuses})"
            for source, report in webhooks.items() if report.undelivered]


def _parked_actions(runtime) -> list[str]:
    return [f"action {action.kind} for problem {action.problem_id} failed: {action.last_error}"
            for action in runtime.outbox.list(FAILED, limit=20)]


def collect_summary(run: DemoRun, duration_seconds: float) -> DemoSummary:
    env = run.env
    webhooks = {"zendesk": zendesk_deliveries(env.zendesk), "jira": jira_deliveries(env.jira)}
    return DemoSummary(
        seed=run.scenario.seed,
        duration_seconds=round(duration_seconds, 2),
        tickets_played=run.scenario.count_by_category(),
        agent_updates=run.agent_updates,
        fixes_shipped=tuple(run.fixes_shipped),
        webhooks=webhooks,
        intake=bridge_intake(env.runtime),
        problems=read_problems(env.runtime.engine),
        jira_issues=tuple(jira_issues(env.jira)),
        zendesk=zendesk_outcome(env.zendesk),
        api_calls={"zendesk": api_calls(env.zendesk), "jira": api_calls(env.jira)},
        failures=(*run.failures, *_undelivered(webhooks), *_parked_actions(env.runtime)),
        report=run.report.as_dict() if run.report is not None else None,
        setup_lines=tuple(env.setup_lines),
        wiring_problems=None if run.wiring_problems is None else tuple(run.wiring_problems),
        backfill=backfill_figures(len(run.history), sum(ticket.everyday for ticket in run.history),
                                  run.backfill_dry_run, run.backfill_applied),
        articles_published=sum(1 for article in env.zendesk.account.help_center.articles.values()
                               if not article["draft"]),
        tickets_answered_by_article=env.runtime.workaround_store.answered_total(),
        ended_with_article=tuple(run.ended_with_article),
        proactive_notices_sent=env.runtime.proactive_store.notified_total(),
        discovered_rules=tuple(run.discovered_rules),
    )
