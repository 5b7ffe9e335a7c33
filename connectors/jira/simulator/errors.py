"""An error the simulated Jira answers with, in Jira's `{errorMessages, errors}` shape."""

from __future__ import annotations

from typing import Any


class JiraApiError(Exception):
    def __init__(self, status: int, messages: list[str] | None = None, errors: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {messages or ''} {errors or ''}")
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.messages, "errors": self.errors}


def not_found(what: str) -> JiraApiError:
    return JiraApiError(404, [f"{what} does not exist or you do not have permission to see it."])
