"""Liveness, readiness and the Prometheus endpoint."""


from bridge.app import create_app
from bridge.runtime import build_runtime
from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings
from tests.support.signing import body_of, zendesk_headers


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"] == {"database": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path, clock, monkeypatch):
    runtime = build_runtime(make_settings(f"sqlite:///{tmp_path / 'b.db'}"), clock=clock)
    client = create_app(runtime).test_client()
    (tmp_path / "b.db").unlink()
    (tmp_path / "b.db").mkdir()  # the path is now a directory: SQLite cannot open it
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"b.db{suffix}").unlink(missing_ok=True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_intake_answers_503_not_500_when_the_database_is_gone(tmp_path, clock):
    runtime = build_runtime(make_settings(f"sqlite:///{tmp_path / 'b.db'}"), clock=clock)
    client = create_app(runtime).test_client()
    (tmp_path / "b.db").unlink()
    (tmp_path / "b.db").mkdir()
    body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_metrics_count_received_deduplicated_processed_and_lag(client, clock, runtime):
    body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
    for _ in range(2):
        client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    clock.advance(42)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_webhook_events_received_total{source="zendesk"} 1.0' in text
    assert 'bridge_webhook_events_deduplicated_total{source="zendesk"} 1.0' in text
    assert 'bridge_inbox_events{status="pending"} 1.0' in text
    assert "bridge_inbox_lag_seconds 42.0" in text
    runtime.new_worker().drain()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_events_processed_total{outcome="done",source="zendesk"} 1.0' in text
    assert "bridge_inbox_lag_seconds 0.0" in text
    assert "bridge_webhook_intake_seconds_count" in text
