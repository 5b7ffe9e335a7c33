"""`bridge setup jira`: read what Jira has, plan (`jira_plan.py`), then act unless it is a dry run.
Every step says what it did, or would do, in one line."""

from __future__ import annotations

from bridge.config.settings import Settings, revealed
from bridge.setup.jira_plan import (
    WEBHOOK_NAME,
    FieldStep,
    JiraWiring,
    WebhookPlan,
    plan_fields,
    plan_webhook,
)
from bridge.setup.wording import did
from connectors.jira.client import JiraClient
from connectors.jira.custom_fields import Screen, create_field, screens
from connectors.jira.webhooks import JiraWebhooks


def jira_wiring(settings: Settings, public_url: str | None) -> JiraWiring:
    jira = settings.jira
    return JiraWiring(public_url, tuple(sorted({team.project for team in settings.teams.values()})),
                      revealed(jira.webhook_secret), revealed(jira.webhook_url_token))


def open_client(settings: Settings) -> JiraClient:
    jira = settings.jira
    return JiraClient(jira.url, jira.deployment, jira.email, jira.api_token.get_secret_value())


def set_up_webhook(client: JiraClient, wiring: JiraWiring, dry_run: bool) -> list[str]:
    webhooks = JiraWebhooks(client)
    plan = plan_webhook(webhooks.list(), wiring)
    lines = []
    if plan.create:
        created_id = "new" if dry_run else webhooks.create(wiring.spec()).id
        lines.append(f"{_did('register', dry_run)} Jira webhook {WEBHOOK_NAME!r} (id {created_id}): "
                     f"{_describe(wiring)}")
    elif plan.reasons:
        assert plan.update_id is not None
        if not dry_run:
            webhooks.update(plan.update_id, wiring.spec())
        lines.append(f"{_did('update', dry_run)} Jira webhook {WEBHOOK_NAME!r} (id {plan.update_id}): "
                     f"{'; '.join(plan.reasons)}")
    for duplicate_id in plan.duplicate_ids:
        if not dry_run:
            webhooks.delete(duplicate_id)
        lines.append(f"{_did('delete', dry_run)} Jira webhook {duplicate_id}, another named {WEBHOOK_NAME!r} "
                     "(it would deliver every event again)")
    return lines or [_up_to_date(plan, wiring)]


def set_up_fields(client: JiraClient, settings: Settings, dry_run: bool) -> list[str]:
    jira_fields = {field["id"]: field.get("name", "") for field in client.fields()}
    lines, chosen = [], {}
    for step in plan_fields(settings.jira.fields.model_dump(), jira_fields):
        field_id = step.field_id
        if field_id is not None:
            lines.append(f"ok: Jira field {step.name!r} is {field_id}")
        elif dry_run:
            lines.append(f"would create Jira {step.kind} field {step.name!r}")
        else:
            field_id = create_field(client, step.name, _field_description(step), step.kind)
            lines.append(f"done: created Jira {step.kind} field {step.name!r}: {field_id}")
        chosen[step.config_key] = field_id or "customfield_<new>"
    lines += ["", "In the config file:", "  jira:", "    fields:"]
    lines += [f"      {key}: {field_id}" for key, field_id in chosen.items()]
    projects = sorted({team.project for team in settings.teams.values()})
    lines += ["", f"Add the fields to the create and edit screens of {', '.join(projects) or 'your projects'} "
              "(Jira settings > Issues > Screens; Jira refuses a field that is not on the screen):"]
    lines += [f"  {screen.name} (id {screen.id})" for screen in _project_screens(screens(client), projects)]
    return lines


def _project_screens(every: list[Screen], projects: list[str]) -> list[Screen]:
    """The screens named after a project ("ENG: Default Issue Screen"), else every screen."""
    named = [screen for screen in every if screen.name.split(":", 1)[0] in projects]
    return named or every


def _field_description(step: FieldStep) -> str:
    if step.config_key == "workaround":
        return ("How customers get by until the fix ships: the Zendesk–Jira bridge tells the linked tickets "
                "and writes it into the problem's knowledge article.")
    if step.config_key == "impact_score":
        return "The problem's weighted impact score (kept current by the Zendesk–Jira bridge)."
    counted = step.config_key.split("_", 1)[1]
    return f"How many {counted} the problem affects (kept current by the Zendesk–Jira bridge)."


def _did(verb: str, dry_run: bool) -> str:
    return ("" if dry_run else "done: ") + did(verb, dry_run)


def _describe(wiring: JiraWiring) -> str:
    signed = "signed with jira.webhook_secret" if wiring.secret else "with jira.webhook_url_token in its URL"
    return (f"{wiring.spec().url.split('?', 1)[0]}, events {', '.join(wiring.spec().events)}, "
            f"filter {wiring.jql_filter or '(all issues)'}, {signed}")


def _up_to_date(plan: WebhookPlan, wiring: JiraWiring) -> str:
    return f"ok: Jira webhook {WEBHOOK_NAME!r} (id {plan.update_id}) is up to date: {_describe(wiring)}"
