"""The JQL subset the bridge uses, parsed strictly: anything else is a 400 like Jira's, never "match all".

    clause   := field op value | field [NOT] IN (value, ...) | field IS [NOT] EMPTY
    query    := [clause (AND clause)*] [ORDER BY field [ASC|DESC] (, field [ASC|DESC])*]
Fields: labels, project, key/issuekey, status, statusCategory, resolution, issuetype/type, priority,
created, updated. Dates: "yyyy-MM-dd[ HH:mm]" (also with /) in UTC, or relative like -5m, -2h, -1d, -1w.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.jira.simulator import catalog
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.model import Issue, utc_now

TOKEN = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(>=|<=|!=|=|>|<)|([(),])|([^\s(),=!<>"']+))""")
RELATIVE = re.compile(r"^([-+]?)(\d+)([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def _texts(issue: Issue, field: str) -> set[str]:
    """The values a text-like JQL field matches against (case-folded)."""
    status = catalog.STATUSES[issue.status]
    category = catalog.STATUS_CATEGORIES[status.category]
    values: dict[str, set[str]] = {
        "labels": set(issue.labels),
        "project": {issue.project.key, issue.project.id, issue.project.name},
        "key": {issue.key, issue.id, *issue.former_keys},
        "status": {issue.status, status.id},
        "statuscategory": {str(category["key"]), str(category["name"]), str(category["id"])},
        "resolution": {issue.resolution} if issue.resolution else set(),
        "issuetype": {issue.issue_type, catalog.ISSUE_TYPES[issue.issue_type]},
        "priority": {issue.priority, catalog.PRIORITIES[issue.priority]},
    }
    return {value.casefold() for value in values[field]}


ALIASES = {"issuekey": "key", "type": "issuetype"}
TEXT_FIELDS = {"labels", "project", "key", "status", "statuscategory", "resolution", "issuetype", "priority"}
DATE_FIELDS = {"created", "updated"}
ORDER_KEYS: dict[str, Callable[[Issue], tuple[Any, int]]] = {
    "created": lambda issue: (issue.created, int(issue.id)),
    "updated": lambda issue: (issue.updated, int(issue.id)),
    "key": lambda issue: (issue.project.key, int(issue.key.rsplit("-", 1)[1])),
}


@dataclass
class JqlQuery:
    predicates: list[Callable[[Issue], bool]]
    order: list[tuple[str, bool]]  # (field, descending)

    def run(self, issues: list[Issue]) -> list[Issue]:
        matching = [issue for issue in issues if all(predicate(issue) for predicate in self.predicates)]
        for field, descending in reversed(self.order or [("created", False)]):
            matching.sort(key=ORDER_KEYS[field], reverse=descending)
        return matching


def jql_error(message: str) -> JiraApiError:
    return JiraApiError(400, [f"Error in the JQL Query: {message}"])


def tokenize(jql: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(jql.rstrip()):
        match = TOKEN.match(jql, position)
        if not match or match.end() == position:
            raise jql_error(f"The character '{jql[position]}' is a reserved JQL character.")
        double, single, operator, punctuation, word = match.groups()
        if double is not None or single is not None:
            tokens.append(("string", re.sub(r"\\(.)", r"\1", double if double is not None else single)))
        else:
            tokens.append(("op", operator) if operator else ("punct", punctuation) if punctuation else ("word", word))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, jql: str):
        self.tokens = tokenize(jql)
        self.position = 0

    def peek_word(self) -> str | None:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "word":
            return self.tokens[self.position][1].upper()
        return None

    def take(self, kind: str | None = None) -> str:
        if self.position >= len(self.tokens):
            raise jql_error("Expecting more input at the end of the query.")
        token_kind, value = self.tokens[self.position]
        if kind and token_kind != kind:
            raise jql_error(f"Expecting {kind} but got '{value}'.")
        self.position += 1
        return value

    def take_keyword(self, keyword: str) -> None:
        if self.peek_word() != keyword:
            raise jql_error(f"Expecting '{keyword}' at position {self.position}.")
        self.position += 1

    def parse(self) -> JqlQuery:
        predicates, order = [], []
        if self.position < len(self.tokens) and self.peek_word() != "ORDER":
            predicates.append(self.clause())
            while self.peek_word() == "AND":
                self.position += 1
                predicates.append(self.clause())
        if self.peek_word() == "ORDER":
            self.position += 1
            self.take_keyword("BY")
            order.append(self.order_item())
            while self.position < len(self.tokens) and self.tokens[self.position] == ("punct", ","):
                self.position += 1
                order.append(self.order_item())
        if self.position != len(self.tokens):
            raise jql_error(f"Unsupported or unexpected input '{self.tokens[self.position][1]}'.")
        return JqlQuery(predicates, order)

    def order_item(self) -> tuple[str, bool]:
        name = self.take("word").lower()
        field = ALIASES.get(name, name)
        if field not in ORDER_KEYS:
            raise jql_error(f"Field '{field}' does not exist or cannot be used in ORDER BY.")
        direction = self.peek_word()
        if direction in ("ASC", "DESC"):
            self.position += 1
        return field, direction == "DESC"

    def value(self) -> str:
        kind, value = self.tokens[self.position] if self.position < len(self.tokens) else ("", "")
        if kind not in ("string", "word"):
            raise jql_error("Expecting a value.")
        self.position += 1
        return value

    def clause(self) -> Callable[[Issue], bool]:
        name = self.take("word").lower()
        field = ALIASES.get(name, name)
        if field not in TEXT_FIELDS | DATE_FIELDS:
            raise jql_error(f"Field '{name}' does not exist or you do not have permission to view it.")
        word = self.peek_word()
        if word == "IS":
            self.position += 1
            negate = self.peek_word() == "NOT"
            self.position += negate
            if self.peek_word() not in ("EMPTY", "NULL"):
                raise jql_error("Expecting EMPTY or NULL after IS.")
            self.position += 1
            return lambda issue: bool(_texts(issue, field)) == negate if field in TEXT_FIELDS else negate
        if word in ("IN", "NOT"):
            self.position += 1
            negate = word == "NOT"
            if negate:
                self.take_keyword("IN")
            values = self.value_list()
            return self.text_predicate(field, values, negate)
        operator = self.take("op")
        value = self.value()
        if field in DATE_FIELDS:
            return date_predicate(field, operator, parse_date(value))
        if operator not in ("=", "!="):
            raise jql_error(f"The operator '{operator}' is not supported by the '{name}' field.")
        return self.text_predicate(field, [value], operator == "!=")

    def value_list(self) -> list[str]:
        if self.take("punct") != "(":
            raise jql_error("Expecting '(' after IN.")
        values = [self.value()]
        while (punctuation := self.take("punct")) == ",":
            values.append(self.value())
        if punctuation != ")":
            raise jql_error("Expecting ')' to close the list.")
        return values

    @staticmethod
    def text_predicate(field: str, values: list[str], negate: bool) -> Callable[[Issue], bool]:
        wanted = {value.casefold() for value in values}
        return lambda issue: bool(_texts(issue, field) & wanted) != negate


def parse_date(value: str) -> datetime:
    relative = RELATIVE.match(value)
    if relative:
        sign, amount, unit = relative.groups()
        delta = timedelta(**{UNITS[unit]: int(amount)})
        return utc_now() - delta if sign == "-" else utc_now() + delta
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise jql_error(f"Date value '{value}' is invalid. Use 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd' or a period like '-5m'.")


def date_predicate(field: str, operator: str, moment: datetime) -> Callable[[Issue], bool]:
    compare = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               "<": lambda a, b: a < b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b}[operator]
    # Jira compares at minute precision.
    minute = moment.replace(second=0, microsecond=0)
    return lambda issue: compare(getattr(issue, field).replace(second=0, microsecond=0), minute)


def parse_jql(jql: str) -> JqlQuery:
    return _Parser(jql or "").parse()
