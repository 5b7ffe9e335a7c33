"""The API answers only to `Authorization: Bearer <api.token>`, compared in constant time; without
a configured token it is switched off."""

from __future__ import annotations

import hmac

import pytest

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.problem_data import API_TOKEN
from tests.support.settings import make_settings


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic " + API_TOKEN, API_TOKEN])
def test_a_missing_token_is_401_with_a_bearer_challenge(bridge, header):
    client, _ = bridge
    response = client.get("/api/problems", headers={"Authorization": header} if header is not None else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="bridge"'
    assert response.json["error"] == "missing_token"
    assert "Authorization: Bearer" in response.json["message"]


@pytest.mark.parametrize("path", ["/api/problems", "/api/problems/1"])
@pytest.mark.parametrize("token", [API_TOKEN + "x", API_TOKEN[:-1], API_TOKEN.upper(), "é" * 8])
def test_a_wrong_token_is_401(bridge, path, token):
    client, _ = bridge
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert API_TOKEN not in response.get_data(as_text=True)


def test_the_right_token_is_accepted_and_compared_in_constant_time(bridge, monkeypatch):
    client, _ = bridge
    compared = []
    real_compare = hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real_compare(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    response = client.get("/api/problems", headers={"Authorization": f"bearer  {API_TOKEN} "})
    assert response.status_code == 200
    assert compared == [(API_TOKEN.encode(), API_TOKEN.encode())]


@pytest.mark.parametrize("api", [{}, {"token": ""}])
def test_without_a_configured_token_the_api_is_off(sqlite_url, clock, api):
    runtime = build_runtime(make_settings(sqlite_url, api=api), clock=clock)
    client = create_app(runtime).test_client()
    for headers in ({}, {"Authorization": "Bearer anything"}, {"Authorization": "Bearer "}):
        for path in ("/api/problems", "/api/problems/1"):
            response = client.get(path, headers=headers)
            assert response.status_code == 403
            assert response.json["error"] == "api_disabled"
            assert "api.token" in response.json["message"]
    runtime.engine.dispose()
