"""JSON (and CSV) API over problems (read-only) and discovery's groups (listed, accepted or
dismissed, as on the dashboard), behind `Authorization: Bearer <api.token>`.

Without a configured token the API is switched off and answers 403 `api_disabled` (the routes
exist, the admin has not enabled them), so a caller can tell "off" from "wrong token" (401)."""

from __future__ import annotations

from collections.abc import Set
from typing import overload

from flask import Blueprint, Response, current_app, jsonify, request

from bridge.http import discovery
from bridge.http.auth import configured_token, token_matches
from bridge.http.errors import Rejected
from bridge.problems.filters import FILTER_PARAMETERS, FilterError, parse_filters
from bridge.problems.views import problem_detail, problem_summary, problems_csv
from bridge.runtime import Runtime

api = Blueprint("api", __name__, url_prefix="/api")

LIST_PARAMETERS = FILTER_PARAMETERS | {"limit", "offset", "format"}
FORMATS = ("json", "csv")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MAX_OFFSET = 2**31
MAX_ID = 2**63 - 1  # the largest id the database can hold; larger ones are simply not found
DISCOVERY_PARAMETERS = {"emerging", "limit"}
BEARER_CHALLENGE = 'Bearer realm="bridge"'


def _runtime() -> Runtime:
    return current_app.extensions["bridge"]


@api.before_request
def _authenticate() -> None:
    expected = configured_token(_runtime().settings)
    if not expected:
        raise Rejected(403, "api_disabled", "the API is off: set api.token in the bridge config")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Rejected(401, "missing_token", "send Authorization: Bearer <api.token>",
                       headers={"WWW-Authenticate": BEARER_CHALLENGE})
    if not token_matches(given.strip(), expected):
        raise Rejected(401, "invalid_token", "the bearer token is not the configured api.token",
                       headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_token"'})


@api.get("/problems")
def list_problems():
    _reject_unknown_parameters()
    output_format = request.args.get("format", "json")
    if output_format not in FORMATS:
        raise Rejected(400, "bad_parameter", f"format: expected one of {', '.join(FORMATS)}, "
                                             f"got {output_format[:40]!r}")
    if output_format == "csv":
        return _csv_export()
    filters = _filters()
    limit = _integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer("offset", 0, 0, MAX_OFFSET)
    runtime = _runtime()
    found, total = runtime.problems.search(limit=limit, offset=offset, **filters)
    told = runtime.proactive_store.notified_counts(problem.id for problem in found)
    listed = [{**problem_summary(problem, runtime.settings), "proactive_notified": told.get(problem.id, 0)}
              for problem in found]
    return jsonify(problems=listed, total=total, limit=limit, offset=offset)


@api.get("/problems.csv")
def export_problems():
    _reject_unknown_parameters()
    if request.args.get("format", "csv") != "csv":
        raise Rejected(400, "bad_parameter", "format: /api/problems.csv is always csv")
    return _csv_export()


def _csv_export() -> Response:
    """Every matching problem (or `limit` of them), newest first, as a CSV download."""
    filters = _filters()
    limit = _integer("limit", None, 1, MAX_LIMIT)
    offset = _integer("offset", 0, 0, MAX_OFFSET)
    runtime = _runtime()
    found, total = runtime.problems.search(limit=limit, offset=offset, **filters)
    return Response(problems_csv(found, runtime.settings), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="problems.csv"', "X-Total-Count": str(total)})


@api.get(f"/problems/<int(max={MAX_ID}):problem_id>")
def show_problem(problem_id: int):
    detail = problem_detail(_runtime(), problem_id)
    if detail is None:
        raise Rejected(404, "not_found", f"no problem {problem_id}")
    return jsonify(detail)


@api.get("/discovery")
def list_discovered():
    """The groups `bridge discover --since <discovery.window>` lists (`emerging=true`: those
    emerging only), without ticket subjects: sample ids with their Zendesk links."""
    _reject_unknown_parameters(DISCOVERY_PARAMETERS)
    emerging = request.args.get("emerging", "false")
    if emerging not in ("true", "false"):
        raise Rejected(400, "bad_parameter", f"emerging: expected true or false, got {emerging[:40]!r}")
    limit = _integer("limit", 20, 1, 100)
    return jsonify(groups=discovery.shown_groups(_runtime(), emerging == "true", limit))


@api.post(f"/discovery/<int(max={MAX_ID}):group_id>/<any(accept, dismiss):decision>")
def decide_discovered(group_id: int, decision: str):
    """accept: a JSON body `{"file": "<one of the config's rule files>", "team": "<optional>"}`."""
    body = request.get_json(silent=True) if decision == "accept" else {}
    if not isinstance(body, dict):
        raise Rejected(400, "bad_body", 'send a JSON object: {"file": "<rule file>", "team": "<team>"}')
    file_name, team = body.get("file"), body.get("team")
    if not isinstance(file_name, str | None) or not isinstance(team, str | None):
        raise Rejected(400, "bad_body", "file and team: expected strings")
    runtime = _runtime()
    try:
        decided = (discovery.accept(runtime, group_id, file_name, team) if decision == "accept"
                   else discovery.dismiss(runtime, group_id))
    except discovery.Refused as refused:
        raise Rejected(refused.status, refused.reason, refused.message) from None
    accepted = decided.accepted
    return jsonify(status="accepted" if accepted else "dismissed", group=group_id, message=decided.message,
                   rule=accepted.rule if accepted else None, read_by_config=decided.read_by_config)


def _reject_unknown_parameters(known: Set[str] = LIST_PARAMETERS) -> None:
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise Rejected(400, "unknown_parameter", f"unknown query parameter(s): {', '.join(unknown)} "
                                                 f"(known: {', '.join(sorted(known))})")


def _filters() -> dict:
    """The list's filters, checked (bridge/problems/filters.py)."""
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        raise Rejected(400, "bad_parameter", str(error)) from None
    return filters.search_arguments(_runtime().settings.calendar.zone)


@overload
def _integer(name: str, default: int, minimum: int, maximum: int) -> int: ...
@overload
def _integer(name: str, default: None, minimum: int, maximum: int) -> int | None: ...
def _integer(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise Rejected(400, "bad_parameter", f"{name}: expected a whole number, got {raw[:40]!r}") from None
    if not minimum <= value <= maximum:
        raise Rejected(400, "bad_parameter", f"{name}: must be between {minimum} and {maximum}, got {value}")
    return value
