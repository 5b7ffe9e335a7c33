"""The dashboard: server-rendered HTML pages over problems, no JavaScript, no external assets.

`/dashboard` (open problems by team), `/dashboard/teams/<team>`, `/dashboard/problems/<id>` and
`/dashboard/report` (`bridge report` for the last 30 days). Access takes the API's `api.token`:
`Authorization: Bearer <token>`, HTTP basic auth with the token as password (a browser prompts),
or `?token=<token>` once, which signs the browser in with an HttpOnly, SameSite=Strict session
cookie (the signing key is derived from the token, so it survives restarts and dies with the
token), Secure when the request came in over HTTPS (behind `server.trusted_proxies`) or
`server.secure_cookies` says so. Pages show what the API shows: ids, states, counts and links, never ticket subjects or
customer text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response as BaseResponse

from bridge.domain.problems import (
    AT_RISK,
    CHECKED_STATES,
    CLOSED,
    FIXED,
    OVERDUE,
    WONT_FIX,
    WORKED_AROUND,
    Problem,
)
from bridge.http.auth import configured_token, derived_key, token_matches
from bridge.overdue.accountability import compute_trend, days_overdue
from bridge.problems.report import build_report, render_html
from bridge.problems.views import problem_detail, problem_summary
from bridge.runtime import Runtime
from bridge.storage.db import reading

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

MAX_ID = 2**63 - 1
CHART_DAYS = 14  # the cards' chart: new tickets per day over the last two weeks
REPORT_DAYS = 30
RECENT_LIMIT = 20  # a team page's fixed/closed problems
CHALLENGE = 'Basic realm="bridge"'
SESSION_KEY = "dashboard_signed_in"
# No scripts at all; inline styles and SVG only; never framed; the one-time token never leaves
# in a Referer; pages are not cached (they may carry the token in the URL once).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_RANK = {OVERDUE: 0, AT_RISK: 1}


def _runtime() -> Runtime:
    return current_app.extensions["bridge"]


@dashboard.record_once
def _configure_session(state) -> None:
    """Flask's signed session cookie, keyed from `api.token` (no extra config to keep)."""
    app = state.app
    token = configured_token(app.extensions["bridge"].settings)
    if token and not app.secret_key:
        app.secret_key = derived_key(token, "dashboard-session")
    app.config.update(SESSION_COOKIE_NAME="bridge_dashboard", SESSION_COOKIE_PATH="/dashboard",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=app.extensions["bridge"].settings.server.secure_cookies)
    app.session_interface = _SecureOverHttps()


class _SecureOverHttps(SecureCookieSessionInterface):
    """Flask's signed cookie, also Secure on any request that came in over HTTPS. The scheme is
    the server's own unless `server.trusted_proxies` lets ProxyFix (bridge/http/app.py) take it from
    X-Forwarded-Proto: a client's own header changes nothing."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


# --- access -----------------------------------------------------------------------------------------

def _refusal(status: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = render_template("dashboard_refused.html", title=title, message=message)
    return Response(body, status=status, headers=headers or {}, mimetype="text/html")


def _unauthorized(message: str) -> Response:
    return _refusal(401, "Sign in", message, {"WWW-Authenticate": CHALLENGE})


@dashboard.before_request
def _authenticate() -> BaseResponse | None:  # a redirect is werkzeug's Response
    token = configured_token(_runtime().settings)
    if not token:
        return _refusal(403, "The dashboard is off",
                        "Set api.token in the bridge config to switch on the API and this dashboard.")
    authorization = request.authorization
    if authorization is not None:
        given = authorization.password if authorization.type == "basic" else authorization.token
        if token_matches(given, token):
            return None
        return _unauthorized("That is not the configured api.token.")
    if "token" in request.args:
        if not token_matches(request.args.get("token"), token):
            return _unauthorized("That is not the configured api.token.")
        session.clear()
        session[SESSION_KEY] = True
        rest = [(name, value) for name, value in request.args.items(multi=True) if name != "token"]
        return redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)
    if session.get(SESSION_KEY):
        return None
    return _unauthorized("Sign in with the api.token as password (any user name), send "
                         "Authorization: Bearer <api.token>, or open this page once with ?token=<api.token>.")


@dashboard.after_request
def _security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


@dashboard.context_processor
def _helpers() -> dict[str, Any]:
    zone = _runtime().settings.calendar.zone

    def when(value: str | datetime | None) -> str:
        if not value:
            return "–"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        local = moment.astimezone(zone) if moment.tzinfo else moment
        return local.strftime("%Y-%m-%d %H:%M")

    return {"when": when, "all_teams": sorted(_runtime().settings.teams)}


# --- views ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


def _chart(runtime: Runtime, problem: Problem, now: datetime) -> dict[str, Any]:
    """New tickets per day over the last CHART_DAYS days as SVG bars (viewBox 0 0 140 40)."""
    trend = compute_trend(runtime.accountability.join_times(problem.id), now, CHART_DAYS, problem.due_date,
                          runtime.settings.calendar.zone)
    highest = max((count for _, count in trend.per_day), default=0) or 1
    step, height = 140 / CHART_DAYS, 36.0
    bars = [Bar(round(index * step + 1, 2), round(40 - count / highest * height, 2), round(step - 2, 2),
                round(count / highest * height, 2), day, count)
            for index, (day, count) in enumerate(trend.per_day)]
    return {"bars": bars, "highest": max(count for _, count in trend.per_day) if trend.per_day else 0,
            "total": sum(count for _, count in trend.per_day), "text": trend.text(),
            "projection": trend.projection_text(),
            "first": trend.per_day[0][0] if trend.per_day else None}


def _jira_statuses(runtime: Runtime, found: list[Problem]) -> dict[int, str]:
    """The last seen status of each problem's Jira issue (from the stored snapshots)."""
    statuses = {}
    with reading(runtime.engine) as connection:
        for problem in found:
            issue = runtime.accountability.issue(connection, problem)
            if issue is not None and issue.status:
                statuses[problem.id] = issue.status
    return statuses


def _cards(runtime: Runtime, found: list[Problem]) -> list[dict[str, Any]]:
    now, zone = runtime.clock(), runtime.settings.calendar.zone
    statuses = _jira_statuses(runtime, found)
    cards = []
    for problem in found:
        card = problem_summary(problem, runtime.settings)
        card["jira_status"] = statuses.get(problem.id)
        card["chart"] = _chart(runtime, problem, now)
        card["days_overdue"] = (days_overdue(problem.due_date, now, zone)
                                if problem.accountability == OVERDUE and problem.due_date else None)
        cards.append(card)
    return sorted(cards, key=lambda card: (_RANK.get(card["accountability"], 2), card["due_date"] or "9999",
                                           card["id"]))


def _totals(cards: list[dict[str, Any]], answered_by_article: int, told_proactively: int) -> dict[str, int]:
    return {"problems": len(cards), "at_risk": sum(1 for card in cards if card["accountability"] == AT_RISK),
            "overdue": sum(1 for card in cards if card["accountability"] == OVERDUE),
            "tickets": sum(card["counts"]["tickets"] for card in cards),
            "answered_by_article": answered_by_article, "told_proactively": told_proactively}


@dashboard.get("")
@dashboard.get("/")
def index():
    runtime = _runtime()
    found, _ = runtime.problems.search(states=CHECKED_STATES)
    cards = _cards(runtime, found)
    teams: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        teams.setdefault(card["team"], []).append(card)
    return render_template("dashboard_index.html", teams=sorted(teams.items()),
                           totals=_totals(cards, runtime.workaround_store.answered_total(),
                                          runtime.proactive_store.notified_total()),
                           now=runtime.clock())


@dashboard.get("/teams/<team>")
def team_page(team: str):
    runtime = _runtime()
    found, _ = runtime.problems.search(teams=[team], states=CHECKED_STATES)
    done, done_total = runtime.problems.search(teams=[team], states=(FIXED, CLOSED, WONT_FIX, WORKED_AROUND),
                                               limit=RECENT_LIMIT)
    if not found and not done and team not in runtime.settings.teams:
        abort(404)
    cards = _cards(runtime, found)
    return render_template("dashboard_team.html", team=team, cards=cards,
                           totals=_totals(cards, runtime.workaround_store.answered_total(team),
                                          runtime.proactive_store.notified_total(team)),
                           done=[problem_summary(problem, runtime.settings) for problem in done],
                           done_total=done_total, now=runtime.clock())


@dashboard.get(f"/problems/<int(max={MAX_ID}):problem_id>")
def problem_page(problem_id: int):
    runtime = _runtime()
    detail = problem_detail(runtime, problem_id)
    problem = runtime.problems.get(problem_id)
    if detail is None or problem is None:
        abort(404)
    detail["jira_status"] = _jira_statuses(runtime, [problem]).get(problem_id)
    return render_template("dashboard_problem.html", p=detail, chart=_chart(runtime, problem, runtime.clock()),
                           timeline=timeline(detail), now=runtime.clock())


@dashboard.get("/report")
def report():
    runtime = _runtime()
    now = runtime.clock()
    built = build_report(runtime.engine, now - timedelta(days=REPORT_DAYS), now, runtime.settings.calendar.zone)
    # bridge.problems.report's self-contained page, plus what a browser asks for: a viewport for phones
    # and an inline icon (else it requests /favicon.ico and logs a 404).
    page = render_html(built).replace('<meta charset="utf-8">', '<meta charset="utf-8">'
                                      '<meta name="viewport" content="width=device-width, initial-scale=1">'
                                      '<link rel="icon" href="data:,">', 1)
    return Response(page, mimetype="text/html")


# --- the problem's timeline ---------------------------------------------------------------------------

# Audit actions that make the timeline (the rest stay in the audit log below it): label, and the
# CSS class that colours the dot.
TIMELINE = {
    "problem.opened": ("Opened (threshold reached)", "start"),
    "jira.issue_created": ("Routed: Jira issue created", "route"),
    "jira.issue_found": ("Routed: existing Jira issue found", "route"),
    "ticket.linked_by_agent": ("Linked by an agent", "route"),
    "problem.escalated": ("Escalated", "risk"),
    "problem.synced_from_jira": ("Jira status changed", "status"),
    "problem.due_date_moved": ("Due date moved", "status"),
    "problem.at_risk": ("At risk", "risk"),
    "problem.overdue": ("Overdue", "late"),
    "jira.overdue_priority_bumped": ("Priority raised (overdue)", "late"),
    "problem.fixed": ("Fixed", "good"),
    "closure.started": ("Notifying customers", "good"),
    "closure.finished": ("Customers notified", "good"),
    "problem.regressed": ("Regressed", "late"),
    "jira.regression_issue_created": ("Regression issue created", "route"),
    "problem.merged_into_duplicate": ("Merged into a duplicate", "status"),
    "problem.received_duplicate": ("Received a duplicate", "status"),
    "jira.issue_deleted": ("Jira issue deleted", "late"),
    "problem.closed": ("Closed", "status"),
    "problem.workaround_added": ("Workaround", "good"),
    "problem.worked_around": ("Ended with its workaround", "good"),
    "zendesk.workaround_article": ("Knowledge article written", "good"),
    "zendesk.workaround_answered": ("Tickets answered by the article", "good"),
    "proactive.started": ("Proactive notice started", "good"),
    "proactive.finished": ("Customers told before writing in", "good"),
}
# Detail keys worth a word on the timeline (ids, keys, states, dates; never free text from tickets).
NOTE_KEYS = ("key", "jira_key", "status", "priority", "due_date", "fix_version", "days_overdue", "done",
             "total", "failed", "reason", "source", "outcome", "answered", "recipients", "notified")


def timeline(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Detected (the problem's own timestamp), then the audit entries listed in TIMELINE, in order."""
    events = [{"at": detail["detected_at"], "label": "Detected", "kind": "start", "note": detail["rule"]}]
    for entry in detail["audit"]:
        if entry["action"] not in TIMELINE:
            continue
        label, kind = TIMELINE[entry["action"]]
        details = entry["details"] if isinstance(entry["details"], dict) else {}
        note = ", ".join(f"{name.replace('_', ' ')} {details[name]}" for name in NOTE_KEYS
                         if details.get(name) not in (None, "", []))
        events.append({"at": entry["at"], "label": label, "kind": kind, "note": note})
    return events
