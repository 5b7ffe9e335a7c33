"""The dashboard's "Emerging" panel and `/api/discovery` through the real Flask app: the burst of
unmatched tickets is shown (figures, terms, linked ticket ids, the suggested rule and its precision;
never the tickets' subjects), an admin accepts its rule into one of the config's rule files (the
same validation as `bridge discover accept`) or dismisses it, behind the session's CSRF token; bad
input is a 4xx that says why, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bridge.detection.live_rules import load_configured_rules
from bridge.discovery.feed import DiscoveryFeed
from bridge.http.app import create_app
from bridge.storage.discovery import DiscoveryStore
from tests.discovery.test_discover_command import BURST, REFUND_RULE, world
from tests.support.problem_data import API_TOKEN

BEARER = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def bridge(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    settings, runtime, burst, _ = world(tmp_path, now, overrides={
        "api": {"token": API_TOKEN}, "teams": {"engineering": {"project": "ENG"}, "finance": {"project": "FIN"}}})
    DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, runtime.clock).catch_up()
    yield runtime, burst, tmp_path
    runtime.engine.dispose()


def signed_in(runtime):
    client = create_app(runtime).test_client()
    assert client.get(f"/dashboard?token={API_TOKEN}").status_code == 303
    return client


def page_of(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def emerging_id(page: str) -> int:
    return int(re.search(r'id="group-(\d+)"', page).group(1))


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_the_panel_shows_the_burst_with_its_rule_but_no_customer_text(bridge):
    runtime, burst, tmp_path = bridge
    page = page_of(signed_in(runtime))
    section = page[page.index('id="emerging-groups"'):page.index('id="recently-fixed"')]
    assert '<span data-number="emerging">1</span>' in section
    assert "<span data-number=\"size\">7</span>" in section and "new" in section
    assert "7 requesters · 3 orgs" in section
    assert "crash" in section and "photo" in section  # the characteristic terms
    for ticket in burst[-3:]:
        assert f'href="https://acme.zendesk.com/agent/tickets/{ticket}"' in section
    assert "precision 1.00 on the window" in section
    assert "match:" in section and "crash*" in section  # the rule itself, to read before accepting
    for subject, description in BURST:
        assert subject not in page and description not in page
    assert str(tmp_path / "rules" / "refunds.yaml") in section  # the rule files to choose from


def test_accepting_from_the_panel_writes_a_valid_rule_and_the_group_leaves_it(bridge):
    runtime, _, tmp_path = bridge
    client = signed_in(runtime)
    page = page_of(client)
    group, refunds = emerging_id(page), tmp_path / "rules" / "refunds.yaml"
    response = client.post(f"/dashboard/discovery/{group}/accept",
                           data={"csrf": csrf(page), "file": str(refunds), "team": "finance"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#emerging-groups")
    text = refunds.read_text()
    assert text.startswith(REFUND_RULE) and text.count("- name: ") == 2
    [rule] = [r for r in load_configured_rules(runtime.settings).rules if r.name.startswith("discovered-")]
    assert rule.team == "finance"
    after = page_of(client)
    assert f"Rule {rule.name} written to {refunds}" in after and 'id="group-' not in after
    assert DiscoveryStore(runtime.engine).accepted_rules([group]) == {group: rule.name}
    again = client.post(f"/dashboard/discovery/{group}/accept", data={"csrf": csrf(page), "file": str(refunds)})
    assert again.status_code == 409 and "accepted already" in again.get_data(as_text=True)


def test_dismissing_from_the_panel_hides_the_group(bridge):
    runtime, *_ = bridge
    client = signed_in(runtime)
    page = page_of(client)
    group = emerging_id(page)
    response = client.post(f"/dashboard/discovery/{group}/dismiss", data={"csrf": csrf(page)})
    assert response.status_code == 303
    after = page_of(client)
    assert f"Group {group} dismissed at 7 tickets" in after and f'id="group-{group}"' not in after


@pytest.mark.parametrize("form, status, says", [
    ({}, 403, "did not come from this dashboard session"),
    ({"csrf": "forged"}, 403, "did not come from this dashboard session"),
    ({"csrf": None}, 400, "choose the rule file"),
    ({"csrf": None, "file": "/etc/passwd"}, 400, "is not one of the rule files"),
    ({"csrf": None, "file": "rules/../../x.yaml"}, 400, "is not one of the rule files"),
    ({"csrf": None, "file": "REFUNDS", "team": "nobody"}, 400, "&#39;nobody&#39; is not one of teams"),
])
def test_a_bad_accept_is_a_4xx_page_that_says_why_and_writes_nothing(bridge, form, status, says):
    runtime, _, tmp_path = bridge
    client = signed_in(runtime)
    page = page_of(client)
    refunds = tmp_path / "rules" / "refunds.yaml"
    data = {key: (csrf(page) if value is None else str(refunds) if value == "REFUNDS" else value)
            for key, value in form.items()}
    response = client.post(f"/dashboard/discovery/{emerging_id(page)}/accept", data=data)
    assert response.status_code == status and says in response.get_data(as_text=True)
    assert refunds.read_text() == REFUND_RULE


def test_an_unknown_group_or_a_rule_file_that_would_not_load_is_refused(bridge):
    runtime, _, tmp_path = bridge
    client = signed_in(runtime)
    page = page_of(client)
    token = csrf(page)
    for path in ("/dashboard/discovery/999999/accept", "/dashboard/discovery/999999/dismiss"):
        response = client.post(path, data={"csrf": token, "file": str(tmp_path / "rules" / "refunds.yaml")})
        assert response.status_code == 404 and "no group 999999" in response.get_data(as_text=True)
    assert client.post("/dashboard/discovery/1/merge", data={"csrf": token}).status_code == 404
    broken = tmp_path / "rules" / "broken.yaml"  # an admin's edit gone wrong, in the rules glob
    broken.write_text("rules:\n  - name: x\n    team: nobody\n")
    response = client.post(f"/dashboard/discovery/{emerging_id(page)}/accept",
                           data={"csrf": token, "file": str(broken)})
    assert response.status_code == 400
    assert "broken.yaml:3: rules[0].team: unknown team &#39;nobody&#39;" in response.get_data(as_text=True)
    assert broken.read_text() == "rules:\n  - name: x\n    team: nobody\n"


def test_the_api_lists_and_decides_without_customer_text(bridge):
    runtime, burst, tmp_path = bridge
    client = create_app(runtime).test_client()
    listed = client.get("/api/discovery?emerging=true", headers=BEARER)
    assert listed.status_code == 200
    [group] = listed.get_json()["groups"]
    assert group["emerging"] and group["size"] == 7 and sorted(group["ticket_ids"]) == burst
    assert group["samples"][0] == {"id": burst[-1], "url": f"https://acme.zendesk.com/agent/tickets/{burst[-1]}"}
    assert group["suggested_rule"]["precision"] == 1.0
    assert not any(subject in listed.get_data(as_text=True) for subject, _ in BURST)
    assert client.get("/api/discovery").status_code == 401
    assert client.get("/api/discovery?emerging=maybe", headers=BEARER).status_code == 400
    assert client.get("/api/discovery?sort=size", headers=BEARER).get_json()["error"] == "unknown_parameter"
    accept = f"/api/discovery/{group['id']}/accept"
    assert client.post(accept, headers=BEARER, data="[]", content_type="application/json").status_code == 400
    outside = client.post(accept, headers=BEARER, json={"file": str(tmp_path / "elsewhere.yaml")})
    assert (outside.status_code, outside.get_json()["error"]) == (400, "not_a_rule_file")
    done = client.post(accept, headers=BEARER, json={"file": str(tmp_path / "rules" / "refunds.yaml")})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["rule"] == group["suggested_rule"]["name"] and done.get_json()["read_by_config"]
    assert client.post(f"/api/discovery/{group['id']}/dismiss", headers=BEARER).status_code == 409
    assert client.post("/api/discovery/999999/dismiss", headers=BEARER).get_json()["error"] == "unknown_group"


def test_discoverys_own_rule_file_is_offered_first_even_before_it_exists(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    target = tmp_path / "rules" / "discovered.yaml"
    settings, runtime, _, _ = world(tmp_path, now, overrides={"api": {"token": API_TOKEN}},
                                       rules_file=str(target))
    try:
        DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, runtime.clock).catch_up()
        client = signed_in(runtime)
        page = page_of(client)
        assert f"<option selected>{target}</option>" in page
        response = client.post(f"/dashboard/discovery/{emerging_id(page)}/accept",
                               data={"csrf": csrf(page), "file": str(target)})
        assert response.status_code == 303
        assert load_configured_rules(runtime.settings).by_name(target.read_text().split("name: ")[1].split()[0])
    finally:
        runtime.engine.dispose()
