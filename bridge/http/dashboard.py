"""The dashboard: server-rendered HTML pages over problems, no JavaScript, no external assets.

`/dashboard` (now: open problems by team, problems still detecting, recent fixes),
`/dashboard/history` (every problem, filtered and paged), `/dashboard/teams/<team>`,
`/dashboard/problems/<id>` (its story) and `/dashboard/report` (`bridge report` for the last 30
days, also as CSV and JSON). Access takes the API's `api.token`:
`Authorization: Bearer <token>`, HTTP basic auth with the token as password (a browser prompts),
or `?token=<token>` once, which signs the browser in with an HttpOnly, SameSite=Strict session
cookie (the signing key is derived from the token, so it survives restarts and dies with the
token), Secure when the request came in over HTTPS (behind `server.trusted_proxies`) or
`server.secure_cookies` says so. Pages show what the API shows: ids, states, counts and links, never ticket subjects or
customer text. The one state-changing form, the "Emerging" panel's accept and dismiss, carries a
per-session CSRF token (bridge/http/discovery.py says what the panel shows of a group)."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response as BaseResponse

from bridge.domain.problems import (
    AT_RISK,
    CHECKED_STATES,
    CLOSED,
    DETECTING,
    FIXED,
    OVERDUE,
    WONT_FIX,
    WORKED_AROUND,
    Problem,
)
from bridge.http import discovery
from bridge.http.auth import configured_token, derived_key, token_matches
from bridge.overdue.accountability import days_overdue
from bridge.planning.due import local_date
from bridge.problems.charts import WIDTH, human_day, human_moment
from bridge.problems.filters import STATES, FilterError, ProblemFilters, parse_filters
from bridge.problems.overview import TicketChart, fixed_on_time, ticket_chart
from bridge.problems.page_style import page_style
from bridge.problems.report import build_report, parse_period
from bridge.problems.report_pages import REPORT_DOWNLOADS, render_html, report_file_name, trend_charts
from bridge.problems.story import story
from bridge.problems.views import detecting, iso, problem_detail, problem_summary
from bridge.runtime import Runtime
from bridge.storage.db import reading

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

MAX_ID = 2**63 - 1
REPORT_PERIOD = "30d"
RECENT_LIMIT = 20  # a team page's fixed/closed problems; the overview's recently fixed ones
RECENT_DAYS = 30  # the overview's "recently fixed": fixes shipped on the last 30 calendar days, today's included
HISTORY_PAGE = 25
CARD_CHART_WIDTH = 300  # a card is about 300 px wide: its chart's text at about its own size
MAX_PAGE = 100_000
CHALLENGE = 'Basic realm="bridge"'
SESSION_KEY = "dashboard_signed_in"
CSRF_KEY = "dashboard_csrf"  # the session's token that every POST form carries back
EMERGING_SHOWN = 10
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

def _refusal(status: int, title: str, message: str, headers: dict[str, str] | None = None,
             back: str | None = None) -> Response:
    body = render_template("dashboard_refused.html", title=title, message=message, back=back)
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
        return human_moment(datetime.fromisoformat(value) if isinstance(value, str) else value, zone)

    def day(value: str | date | None) -> str:
        if not value:
            return "–"
        return human_day(date.fromisoformat(value) if isinstance(value, str) else value)

    return {"when": when, "day": day, "all_teams": sorted(_runtime().settings.teams), "csrf_token": _csrf_token,
            "page_style": page_style()}


def _csrf_token() -> str:
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return session[CSRF_KEY]


def _csrf_refusal() -> Response | None:
    """A POST must carry the session's token: the session cookie is SameSite=Strict, but basic
    auth is sent by the browser on any site's form too. A bearer header no other site can send."""
    if request.authorization is not None and request.authorization.type == "bearer":
        return None
    expected, given = session.get(CSRF_KEY), request.form.get("csrf", "")
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        return None
    return _refusal(403, "Form expired", "This form did not come from this dashboard session: open the "
                                         "dashboard again and resubmit it.", back=url_for("dashboard.index"))


# --- views ------------------------------------------------------------------------------------------

def _chart(runtime: Runtime, problem: Problem, now: datetime, width: int = WIDTH) -> TicketChart:
    """Tickets per day from the tickets the problem's count is made of (counted while detecting)."""
    if problem.state == DETECTING:
        with reading(runtime.engine) as connection:
            arrivals = [o.event_time for o in runtime.problems.occurrences(connection, problem.id)]
    else:
        arrivals = runtime.accountability.join_times(problem.id)
    return ticket_chart(problem, arrivals, now, runtime.settings.calendar.zone, width)


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
        card["chart"] = _chart(runtime, problem, now, CARD_CHART_WIDTH)
        card["days_overdue"] = (days_overdue(problem.due_date, now, zone)
                                if problem.accountability == OVERDUE and problem.due_date else None)
        cards.append(card)
    return sorted(cards, key=lambda card: (_RANK.get(card["accountability"], 2), card["due_date"] or "9999",
                                           card["id"]))


def _detecting(runtime: Runtime, found: list[Problem]) -> list[dict[str, Any]]:
    """Detecting problems, closest to their threshold first."""
    rows = [{**problem_summary(problem, runtime.settings), "progress": detecting(runtime, problem)}
            for problem in found]
    return sorted(rows, key=lambda row: (-(row["progress"].counted / row["progress"].threshold
                                           if row["progress"] else 0), row["id"]))


def _fixed(runtime: Runtime, found: list[Problem]) -> list[dict[str, Any]]:
    zone = runtime.settings.calendar.zone
    closures = runtime.closures.progress_of(problem.id for problem in found)
    return [{**problem_summary(problem, runtime.settings), "fixed_at": iso(problem.fixed_at),
             "fix_version": problem.fix_version, "on_time": fixed_on_time(problem.fixed_at, problem.due_date, zone),
             "closure": closures.get(problem.id)} for problem in found]


def _totals(cards: list[dict[str, Any]], answered_by_article: int, told_proactively: int) -> dict[str, int]:
    return {"problems": len(cards), "at_risk": sum(1 for card in cards if card["accountability"] == AT_RISK),
            "overdue": sum(1 for card in cards if card["accountability"] == OVERDUE),
            "tickets": sum(card["counts"]["tickets"] for card in cards),
            "answered_by_article": answered_by_article, "told_proactively": told_proactively}


@dashboard.get("")
@dashboard.get("/")
def index():
    runtime = _runtime()
    now = runtime.clock()
    found, _ = runtime.problems.search(states=CHECKED_STATES)
    cards = _cards(runtime, found)
    teams: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        teams.setdefault(card["team"], []).append(card)
    detecting, _ = runtime.problems.search(states=[DETECTING])
    zone = runtime.settings.calendar.zone
    recent = ProblemFilters(fixed_since=local_date(now, zone) - timedelta(days=RECENT_DAYS - 1))
    fixed, fixed_total = runtime.problems.search(**recent.search_arguments(zone), limit=RECENT_LIMIT,
                                                 newest_fix_first=True)
    return render_template("dashboard_index.html", teams=sorted(teams.items()),
                           emerging=discovery.shown_groups(runtime, True, EMERGING_SHOWN),
                           discovery_on=runtime.settings.discovery.enabled,
                           rule_files=discovery.rule_file_choices(runtime.settings),
                           default_file=discovery.discovery_rules_file(runtime.settings),
                           default_team=runtime.settings.discovery.team or next(iter(runtime.settings.teams), ""),
                           notices=get_flashed_messages(),
                           totals=_totals(cards, runtime.workaround_store.answered_total(),
                                          runtime.proactive_store.notified_total()),
                           detecting=_detecting(runtime, detecting), fixed=_fixed(runtime, fixed),
                           fixed_total=fixed_total, fixed_since=recent.fixed_since,
                           fixed_history=url_for("dashboard.history") + "?" + urlencode(recent.query()),
                           recent_days=RECENT_DAYS, now=now)


@dashboard.post(f"/discovery/<int(max={MAX_ID}):group_id>/<any(accept, dismiss):decision>")
def decide(group_id: int, decision: str):
    """The "Emerging" panel's forms: accept (`file`, `team`) or dismiss a group, then back to the
    overview with what was done; a 4xx page saying why when it cannot be done."""
    refusal = _csrf_refusal()
    if refusal is not None:
        return refusal
    runtime = _runtime()
    try:
        decided = (discovery.accept(runtime, group_id, request.form.get("file"), request.form.get("team"))
                   if decision == "accept" else discovery.dismiss(runtime, group_id))
    except discovery.Refused as refused:
        return _refusal(refused.status, "Not done", refused.message,
                        back=url_for("dashboard.index") + "#emerging-groups")
    flash(decided.message)
    return redirect(url_for("dashboard.index") + "#emerging-groups", code=303)


@dashboard.get("/teams/<team>")
def team_page(team: str):
    runtime = _runtime()
    found, _ = runtime.problems.search(teams=[team], states=CHECKED_STATES)
    done, done_total = runtime.problems.search(teams=[team], states=(FIXED, CLOSED, WONT_FIX, WORKED_AROUND),
                                               limit=RECENT_LIMIT)
    if not found and not done and team not in runtime.settings.teams:
        abort(404)
    cards = _cards(runtime, found)
    now = runtime.clock()
    built = build_report(runtime.engine, now - parse_period(REPORT_PERIOD), now, runtime.settings.calendar.zone)
    return render_template("dashboard_team.html", team=team, cards=cards,
                           totals=_totals(cards, runtime.workaround_store.answered_total(team),
                                          runtime.proactive_store.notified_total(team)),
                           done=[problem_summary(problem, runtime.settings) for problem in done],
                           done_total=done_total, charts=trend_charts(built, team), period=REPORT_PERIOD, now=now)


@dashboard.get(f"/problems/<int(max={MAX_ID}):problem_id>")
def problem_page(problem_id: int):
    runtime = _runtime()
    detail = problem_detail(runtime, problem_id)
    problem = runtime.problems.get(problem_id)
    if detail is None or problem is None:
        abort(404)
    detail["jira_status"] = _jira_statuses(runtime, [problem]).get(problem_id)
    return render_template("dashboard_problem.html", p=detail, chart=_chart(runtime, problem, runtime.clock()),
                           progress=detail["detecting"], story=story(detail),
                           on_time=fixed_on_time(problem.fixed_at, problem.due_date, runtime.settings.calendar.zone),
                           now=runtime.clock())


@dashboard.get("/history")
def history():
    """Every problem ever, filtered and paged on the server; a bad filter is a 400 that says why."""
    runtime = _runtime()
    error, filters, page = None, ProblemFilters(), 1
    try:
        filters = parse_filters(request.args)
        page = _page_number(request.args.get("page"))
    except FilterError as refused:
        error = str(refused)
    arguments = filters.search_arguments(runtime.settings.calendar.zone)
    found, total = ([], 0) if error else runtime.problems.search(
        limit=HISTORY_PAGE, offset=(page - 1) * HISTORY_PAGE, **arguments)
    pages = max((total + HISTORY_PAGE - 1) // HISTORY_PAGE, 1)
    query = filters.query()

    def page_link(number: int) -> str:
        return url_for("dashboard.history") + "?" + urlencode([*query, ("page", str(number))])

    body = render_template("dashboard_history.html", rows=[problem_summary(p, runtime.settings) for p in found],
                           total=total, page=page, pages=pages, filters=filters, error=error,
                           states=STATES, rules=sorted(rule.name for rule in runtime.rules.current().rules),
                           page_link=page_link, first=(page - 1) * HISTORY_PAGE + 1, now=runtime.clock())
    return Response(body, status=400 if error else 200, mimetype="text/html")


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise FilterError(f"page: expected a whole number from 1 to {MAX_PAGE}, got {raw[:40]!r}")
    return int(raw)


@dashboard.get("/report")
def report():
    """`bridge report --format html` for a period ending now (`?since=30d`, the default), or its CSV or
    JSON (`?format=csv|json`) as a download."""
    runtime = _runtime()
    now = runtime.clock()
    output_format, since = request.args.get("format", "html"), request.args.get("since", REPORT_PERIOD)
    if output_format not in REPORT_DOWNLOADS and output_format != "html":
        return _refusal(400, "Unknown format", f"format: expected html, {', '.join(REPORT_DOWNLOADS)}; "
                                               f"got {output_format[:40]!r}")
    try:
        period = parse_period(since)
    except ValueError as error:
        return _refusal(400, "Unknown period", f"since: {error}")
    built = build_report(runtime.engine, now - period, now, runtime.settings.calendar.zone)
    if output_format in REPORT_DOWNLOADS:
        mimetype, render = REPORT_DOWNLOADS[output_format]
        return Response(render(built), mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{report_file_name(built, output_format)}"'})
    links = [("Dashboard", url_for("dashboard.index")), ("History", url_for("dashboard.history")),
             ("CSV", url_for("dashboard.report", since=since, format="csv")),
             ("JSON", url_for("dashboard.report", since=since, format="json"))]
    return Response(render_html(built, links), mimetype="text/html")
