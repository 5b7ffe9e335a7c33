"""What a workaround makes the bridge write, decided by pure functions: whether it ends the problem
(the rule's impact bar), the knowledge article's title and body, and what each linked ticket gets."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from bridge.domain.events import IssueSnapshot
from bridge.domain.problems import IN_PROGRESS, OPEN, REGRESSED, Problem
from bridge.planning.facts import ProblemFacts
from bridge.planning.templates import render_or_default, template_context
from bridge.rules import Rule
from bridge.rules.schema import OnWorkaround

# States from which a workaround may end a problem; a fixed or won't-fix problem keeps its state.
ENDABLE = (OPEN, IN_PROGRESS, REGRESSED)
ANSWER_TAG = "problem_{id}_workaround"  # marks a ticket told (read back after a lost answer)


@dataclass(frozen=True)
class WorkaroundText:
    text: str | None  # what engineering or an admin wrote
    article_url: str | None  # where customers read it (the article the bridge wrote, or a given URL)


@dataclass(frozen=True)
class Written:
    title: str
    body: str
    errors: tuple[str, ...] = ()  # templates that failed: the default was used


def ends_problem(spec: OnWorkaround | None, problem: Problem) -> bool:
    """Below the rule's impact bar the problem ends with the workaround; without a bar it never does."""
    if spec is None or spec.ends_problem is None or problem.state not in ENDABLE:
        return False
    return problem.counts[spec.ends_problem.of] < spec.ends_problem.below


def workaround_text(body: str, marker: str) -> str | None:
    """The text after the marker, if the comment starts with it (case and surrounding space aside)."""
    stripped = body.strip()
    if not marker or stripped[:len(marker)].casefold() != marker.casefold():
        return None
    return stripped[len(marker):].strip() or None


def field_workaround(before: IssueSnapshot | None, after: IssueSnapshot, field_id: str | None) -> str | None:
    """The workaround the issue's field was set or changed to; None when it is empty, was cleared
    (the workaround stays), or says what it said before (`before`: as the bridge last knew the issue)."""
    if field_id is None:
        return None
    text = after.text_fields.get(field_id, "").strip()
    previous = before.text_fields.get(field_id, "").strip() if before is not None else ""
    return text if text and text != previous else None


def answer_tag(problem_id: int) -> str:
    return ANSWER_TAG.format(id=problem_id)


def _context(rule: Rule, facts: ProblemFacts, workaround: WorkaroundText, fix_version: str | None,
             html: bool) -> dict:
    text = workaround.text or ""
    shown = str(escape(text)).replace("\n", "<br>\n") if html else text
    context = template_context(rule, facts)
    context["workaround"] = {"text": shown, "article_url": workaround.article_url}
    context["fix_version"] = fix_version
    return context


def write_article(rule: Rule, facts: ProblemFacts, workaround: WorkaroundText, fix_version: str | None) -> Written:
    """The Help Center article (HTML): the workaround, and once the fix shipped, that it did."""
    spec = rule.spec.zendesk.on_workaround
    context = _context(rule, facts, workaround, fix_version, html=True)
    subject = rule.spec.description or rule.name
    title = render_or_default(spec.article_title if spec else None, context,
                              (f"Fixed in {fix_version}: " if fix_version else "Known issue: ") + subject,
                              f"rule {rule.name}: zendesk.on_workaround.article_title")
    fixed = (f"<p><strong>Fixed in {escape(fix_version)}.</strong> The workaround below is no longer needed "
             "once you have that version.</p>\n") if fix_version else ""
    default_body = f"{fixed}<p>While we work on a fix:</p>\n<p>{context['workaround']['text']}</p>"
    body = render_or_default(spec.article_body if spec else None, context, default_body,
                             f"rule {rule.name}: zendesk.on_workaround.article_body")
    return Written(title.text, body.text, tuple(r.error for r in (title, body) if r.error))


def answer_changes(rule: Rule, facts: ProblemFacts, workaround: WorkaroundText) -> tuple[dict, bool, str | None]:
    """The change every linked ticket gets (a comment and the answer's tag), whether it is public,
    and the error of a template that failed (its default was used)."""
    spec = rule.spec.zendesk.on_workaround
    public = spec is not None and spec.public_reply is not None
    template = (spec.public_reply or spec.internal_note) if spec else None
    context = _context(rule, facts, workaround, None, html=False)
    where = f"rule {rule.name}: zendesk.on_workaround.{'public_reply' if public else 'internal_note'}"
    lines = ["Workaround for this known problem" + (f": {workaround.article_url}" if workaround.article_url else ""),
             *([workaround.text] if workaround.text else [])]
    rendered = render_or_default(template, context, "\n\n".join(lines), where)
    changes = {"comment": {"body": rendered.text, "public": public},
               "additional_tags": [answer_tag(facts.problem.id)]}
    return changes, public, rendered.error
