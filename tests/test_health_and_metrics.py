"""Liveness, readiness and the Prometheus endpoint."""


from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.fixtures import load_fixture
from tests.support.prometheus import scrape_after_a_new_read
from tests.support.settings import make_settings
from tests.support.signing import body_of, zendesk_headers


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"] == {"database": "ok"}


def unreachable_database_client(tmp_path, clock):
    """A bridge whose database (PostgreSQL on a port where nothing listens) cannot be reached."""
    settings = make_settings("postgresql://postgres@127.0.0.1:1/nowhere")
    runtime = build_runtime(settings, clock=clock, migrate=False)
    return create_app(runtime).test_client()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path, clock):
    response = unreachable_database_client(tmp_path, clock).get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_intake_answers_503_not_500_when_the_database_is_gone(tmp_path, clock):
    client = unreachable_database_client(tmp_path, clock)
    body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["error"] == "unavailable"


def test_metrics_count_received_deduplicated_processed_and_lag(client, clock, runtime):
    body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
    for _ in range(2):
        client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    clock.advance(42)
    text = scrape_after_a_new_read(client, runtime)
    assert 'bridge_webhook_events_received_total{source="zendesk"} 1.0' in text
    assert 'bridge_webhook_events_deduplicated_total{source="zendesk"} 1.0' in text
    assert 'bridge_inbox_events{status="pending"} 1.0' in text
    assert "bridge_inbox_lag_seconds 42.0" in text
    runtime.new_worker().drain()
    text = scrape_after_a_new_read(client, runtime)
    assert 'bridge_events_processed_total{outcome="done",source="zendesk"} 1.0' in text
    assert "bridge_inbox_lag_seconds 0.0" in text
    assert "bridge_webhook_intake_seconds_count" in text
