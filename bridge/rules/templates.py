"""Sandboxed Jinja2 templates in rule files, compiled (and their variables checked) at load time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

# What a problem-side template (Jira summary, notes, replies) may use.
PROBLEM_VARIABLES = frozenset({"problem", "rule", "tickets", "count"})
# What a customer reply when the fix ships (`zendesk.on_fix.public_reply`) may use besides: the
# ticket's requester (name, first_name), the ticket (id) and the fix version.
REPLY_VARIABLES = PROBLEM_VARIABLES | {"requester", "ticket", "fix_version"}
# What the templates of a workaround (`zendesk.on_workaround`) may use besides: `workaround` (text,
# article_url) and `fix_version` (set once the fix shipped: the article is rewritten then).
WORKAROUND_VARIABLES = PROBLEM_VARIABLES | {"workaround", "fix_version"}
# What a proactive notice's subject and message (`proactive`, `bridge problems notify`) may use
# besides: the customer told (name, first_name).
PROACTIVE_VARIABLES = PROBLEM_VARIABLES | {"customer"}
# What a group_by template may use.
TICKET_VARIABLES = frozenset({"ticket"})

_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class RuleTemplate:
    source: str
    compiled: Any = field(compare=False, repr=False)
    variables: frozenset[str] = field(default=frozenset(), compare=False, repr=False)  # the names it uses

    def render(self, **context: Any) -> str:
        return self.compiled.render(**context)

    def __deepcopy__(self, memo: dict) -> RuleTemplate:
        return self  # immutable; and compiled Jinja templates cannot be deep-copied


def compile_template(source: str, variables: frozenset[str] = PROBLEM_VARIABLES) -> RuleTemplate:
    """Compile `source`; ValueError naming the problem if it does not compile or uses other names."""
    try:
        parsed = _ENVIRONMENT.parse(source)
        compiled = _ENVIRONMENT.from_string(parsed)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template does not compile: {exc.message} (template line {exc.lineno})") from None
    unknown = meta.find_undeclared_variables(parsed) - variables
    if unknown:
        raise ValueError(f"template uses unknown variable(s) {', '.join(sorted(unknown))} "
                         f"(available: {', '.join(sorted(variables))})")
    return RuleTemplate(source, compiled, frozenset(meta.find_undeclared_variables(parsed)))
