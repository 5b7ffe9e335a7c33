"""Config of proactive notices (docs/proactive.md): the opt-out tag, the tickets' subject, message
and status, and how many customers a dry run shows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

from bridge.rules.templates import PROACTIVE_VARIABLES, RuleTemplate, compile_template


def proactive_template(value: Any) -> RuleTemplate:
    """A sandboxed template of a proactive notice's subject or message; ValueError saying why not."""
    if isinstance(value, RuleTemplate):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a template string")
    return compile_template(value, PROACTIVE_VARIABLES)


ProactiveTemplate = Annotated[RuleTemplate, PlainValidator(proactive_template),
                              PlainSerializer(lambda template: template.source, return_type=str)]


class ProactiveSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A user, or an organization, carrying this tag is never sent a proactive notice.
    opt_out_tag: str = Field(default="no_proactive_notice", pattern=r"^[A-Za-z0-9_\-:./]+$", max_length=80)
    subject: ProactiveTemplate | None = None  # none: "A known issue that may affect you"
    message: ProactiveTemplate | None = None  # none: the bridge's short default (docs/proactive.md)
    # The new tickets' status: solved (a reply reopens it) or one an agent works.
    status: Literal["new", "open", "pending", "solved"] = "solved"
    sample_size: int = Field(default=10, ge=0, le=100)  # customers a dry run lists, of those told
