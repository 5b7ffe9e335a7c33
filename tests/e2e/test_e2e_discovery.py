"""Discovery end to end, through the simulators: a burst no rule knows arrives by webhook,
`bridge discover` lists it as emerging, accepting its suggestion writes a valid rule file and
hands the group to detection (a problem and its Jira issue), and the next matching ticket, once
the running bridge reloaded the file, joins that problem."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from bridge.cli import main
from bridge.discovery.feed import WATCHED_SINCE
from bridge.scheduler.jobs import scheduled_jobs
from bridge.storage.cursors import Cursors
from tests.e2e.problems_support import (
    problem_environment,
    settle_all,
    the_issue,
    the_problem,
    utc_now,
    wait_for,
)
from tests.support.settings import write_config

BURST = [("Export to PDF fails", "Since this morning the PDF export fails with an error."),
         ("pdf export broken", "export my report to pdf and it fails, error 500"),
         ("Cannot export PDF", "The export to PDF button fails every time."),
         ("PDF export error", "I get an error when I export the report as PDF."),
         ("export pdf not working", "pdf export fails again, tried three browsers")]
NEXT = ("PDF export fails", "The PDF export still fails for our whole team.")


def report_burst(environment) -> list[int]:
    """After two hours of watching (a group of this half hour's tickets alone is news), a parcel
    question and the burst, settled."""
    Cursors(environment.runtime.engine).set(WATCHED_SINCE, (utc_now() - timedelta(hours=2)).isoformat(), utc_now())
    environment.zendesk.customer_creates_ticket("Where is my parcel", "My parcel has not arrived yet.",
                                                email="parcel@example.com")
    burst = [environment.zendesk.customer_creates_ticket(subject, body, email=f"pdf{n}@example.com")["id"]
             for n, (subject, body) in enumerate(BURST)]
    settle_all(environment)
    return burst


def discover_job(runtime):
    [job] = [job for job in scheduled_jobs(runtime) if job.id == "discover"]
    return job


def test_a_burst_by_webhook_is_discovered_accepted_and_detected(tmp_path):
    environment = problem_environment(tmp_path / "rules", discovery={"window": "2h", "recent": "30m"})
    try:
        runtime = environment.runtime
        burst = report_burst(environment)
        config = write_config(tmp_path, environment.settings)

        listed = CliRunner().invoke(main, ["--config", str(config), "discover", "--format", "json"])
        assert listed.exit_code == 0, listed.output
        group = json.loads(listed.stdout)["groups"][0]
        assert (group["emerging"], group["reason"], group["ticket_ids"]) == (True, "new", burst)
        assert group["suggested_rule"]["precision"] == 1.0

        rule_file = tmp_path / "rules" / "discovered.yaml"
        accepted = CliRunner().invoke(main, ["--config", str(config), "discover", "accept", str(group["id"]),
                                             "--to", str(rule_file)])
        assert accepted.exit_code == 0, accepted.output
        assert "the running bridge hands the group's 5 tickets to detection" in accepted.stdout
        checked = CliRunner().invoke(main, ["--config", str(config), "rules", "check"])
        assert checked.exit_code == 0, checked.output

        # the bridge's scheduled job, as its scheduler runs it, once the bridge reloaded the rules
        name = group["suggested_rule"]["name"]
        wait_for(lambda: runtime.rules.current().by_name(name), what="the running bridge to reload the rules")
        assert discover_job(runtime).run().endswith("5 left")
        settle_all(environment)
        problem = the_problem(runtime, name)
        issue = the_issue(environment, problem)  # one Jira issue, in the team's project
        assert (problem.state, problem.ticket_count, issue["fields"]["project"]["key"]) == ("open", 5, "ENG")

        following = environment.zendesk.customer_creates_ticket(*NEXT, email="pdf-next@example.com")["id"]
        settle_all(environment)
        assert the_problem(runtime, name).ticket_count == 6
        assert f"problem_{problem.id}" in environment.zendesk.ticket(following)["tags"]
    finally:
        environment.stop()


def test_with_open_problems_an_emerging_group_opens_a_problem_without_an_admin(tmp_path):
    rule_file = tmp_path / "rules" / "discovered.yaml"
    environment = problem_environment(tmp_path / "rules", discovery={
        "window": "2h", "recent": "30m", "open_problems": True, "rules_file": str(rule_file), "team": "finance",
        "settle_seconds": 0})  # the job reads what the settled webhooks stored at once
    try:
        runtime = environment.runtime
        burst = report_burst(environment)
        job = discover_job(runtime)
        assert job.run().endswith("; 1 emerging groups accepted")
        assert "team: finance" in rule_file.read_text()
        wait_for(lambda: any(rule.name.startswith("discovered-") for rule in runtime.rules.current()),
                 what="the running bridge to reload the rules")
        assert job.run().startswith("0 tickets read, 0 placed, 5 left; 0 emerging")
        settle_all(environment)
        [problem] = [p for p in runtime.problems.list() if p.rule.startswith("discovered-")]
        issue = the_issue(environment, problem)
        assert (problem.team, problem.ticket_count, issue["fields"]["project"]["key"]) == ("finance", 5, "FIN")
        assert all(f"problem_{problem.id}" in environment.zendesk.ticket(t)["tags"] for t in burst)
    finally:
        environment.stop()
