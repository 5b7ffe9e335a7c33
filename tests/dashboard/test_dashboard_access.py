"""The dashboard's access control and headers, through Flask's test client (no browser needed)."""

from __future__ import annotations

import base64

import pytest

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.problem_data import API_TOKEN, problem_settings


@pytest.fixture
def make_client(sqlite_url, tmp_path, clock):
    runtimes = []

    def make(token: str | None = API_TOKEN, **settings):
        runtime = build_runtime(problem_settings(sqlite_url, tmp_path / "rules", api={"token": token}, **settings),
                                clock=clock)
        runtimes.append(runtime)
        return create_app(runtime).test_client()

    yield make
    for runtime in runtimes:
        runtime.engine.dispose()


def basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"someone:{password}".encode()).decode()}


@pytest.mark.parametrize("token", [None, ""])
def test_without_a_configured_token_the_dashboard_is_off(make_client, token):
    response = make_client(token).get("/dashboard", headers={"Authorization": "Bearer x"})
    assert response.status_code == 403 and "api.token" in response.get_data(as_text=True)
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("headers, query", [
    ({}, {}),
    ({"Authorization": "Bearer wrong"}, {}),
    ({"Authorization": f"Bearer {API_TOKEN}x"}, {}),
    (basic("wrong"), {}),
    ({"Authorization": "Basic !!!"}, {}),
    ({}, {"token": "wrong"}),
    ({}, {"token": ""}),
])
def test_a_missing_or_wrong_token_is_401_with_a_basic_challenge(make_client, headers, query):
    response = make_client().get("/dashboard", headers=headers, query_string=query)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="bridge"'
    assert "Set-Cookie" not in response.headers
    assert "finance" not in response.get_data(as_text=True)  # not even the team names


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {API_TOKEN}"}, basic(API_TOKEN)])
def test_the_token_as_bearer_or_basic_password_opens_every_page(make_client, headers):
    client = make_client()
    for path in ("/dashboard", "/dashboard/teams/finance", "/dashboard/report", "/dashboard/history",
                 "/dashboard/history?state=nonsense", "/dashboard/report?format=csv"):
        response = client.get(path, headers=headers)
        assert response.status_code == (400 if "nonsense" in path else 200), path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/dashboard/problems/404", headers=headers).status_code == 404
    assert client.get("/dashboard/teams/nobody", headers=headers).status_code == 404


def test_token_in_the_query_once_signs_in_with_a_strict_httponly_cookie(make_client):
    client = make_client()
    response = client.get("/dashboard/teams/finance", query_string={"token": API_TOKEN, "x": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/dashboard/teams/finance?x=1"
    cookie = response.headers["Set-Cookie"]
    assert API_TOKEN not in cookie
    assert all(part in cookie for part in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"))
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_the_session_survives_a_restart_and_dies_with_the_token(make_client, sqlite_url, tmp_path, clock):
    first = make_client()
    first.get("/dashboard", query_string={"token": API_TOKEN})
    cookie = first.get_cookie("bridge_dashboard", path="/dashboard").value
    restarted, rotated = make_client(), make_client("another-token")
    for client in (restarted, rotated):
        client.set_cookie("bridge_dashboard", cookie, path="/dashboard")
    assert restarted.get("/dashboard").status_code == 200
    assert rotated.get("/dashboard").status_code == 401


def test_the_api_keeps_its_bearer_only_answers(make_client):
    assert make_client().get("/api/problems", headers=basic(API_TOKEN)).status_code == 401


def _sign_in_cookie(client, **headers) -> str:
    response = client.get("/dashboard", query_string={"token": API_TOKEN}, headers=headers)
    assert response.status_code == 303
    return response.headers["Set-Cookie"]


def test_a_client_claiming_https_does_not_make_the_cookie_secure_without_a_trusted_proxy(make_client):
    cookie = _sign_in_cookie(make_client(), **{"X-Forwarded-Proto": "https"})
    assert "Secure" not in cookie
    assert all(part in cookie for part in ("HttpOnly", "SameSite=Strict"))


@pytest.mark.parametrize("forwarded, secure", [("https", True), ("http", False), ("https, http", False)])
def test_behind_a_trusted_proxy_https_requests_get_a_secure_cookie(make_client, forwarded, secure):
    """The proxy appends its own X-Forwarded-Proto; with one trusted proxy only that last value
    counts, whatever the client put before it."""
    cookie = _sign_in_cookie(make_client(server={"trusted_proxies": 1}), **{"X-Forwarded-Proto": forwarded})
    assert ("Secure" in cookie) is secure
    assert all(part in cookie for part in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"))


def test_secure_cookies_makes_the_cookie_secure_on_every_response(make_client):
    cookie = _sign_in_cookie(make_client(server={"secure_cookies": True}))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_dashboard_and_the_report_carry_one_stylesheet_inline(make_client):
    """pages.css is the only copy: every dashboard page, the report page and the file
    `bridge report --format html` writes have it between their <style> tags, under the same CSP."""
    import re
    from pathlib import Path

    from bridge.problems.page_style import page_style
    from bridge.problems.report import Report
    from bridge.problems.report_pages import render_html

    client = make_client()
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    styles = {path: re.findall(r"<style>(.*?)</style>", client.get(path, headers=headers).text, re.S)
              for path in ("/dashboard", "/dashboard/history", "/dashboard/teams/finance", "/dashboard/report")}
    report = Report(since="2026-11-01T00:00:00+00:00", until="2026-12-01T00:00:00+00:00", top_root_causes=[],
                    fix_time_by_team=[], fixed_on_time=0, fixed_late=0, fixed_without_due_date=0,
                    tickets_after_detection=0, tickets_after_detection_by_team={}, regressions=0,
                    regressed_problems=[])
    styles["bridge report --format html"] = re.findall(r"<style>(.*?)</style>", render_html(report), re.S)
    assert all(found == [str(page_style())] for found in styles.values()), {k: len(v) for k, v in styles.items()}
    assert "table.stack td::before" in page_style() and "@media print" in page_style()
    sources = Path(__file__).resolve().parents[2] / "bridge"
    copies = [path for path in sources.rglob("*") if path.suffix in (".py", ".html", ".css")
              and "table.stack td::before" in path.read_text(encoding="utf-8")]
    assert [path.name for path in copies] == ["pages.css"]
