"""The webhook endpoints: what gets stored, what gets refused and why; never a 5xx."""

import json
from datetime import timedelta

import pytest

from bridge.storage.inbox import PENDING
from tests.support.fixtures import load_fixture
from tests.support.settings import JIRA_URL_TOKEN, make_settings
from tests.support.signing import body_of, fresh_jira, jira_headers, zendesk_headers

CREATED = load_fixture("zendesk", "ticket.created__docs_example")
RESOLVED = load_fixture("jira", "issue_updated__resolved")


def post_zendesk(client, clock, payload, **header_overrides):
    body = body_of(payload)
    headers = zendesk_headers(body, clock()) | header_overrides
    return client.post("/webhooks/zendesk", data=body, headers={k: v for k, v in headers.items() if v is not None})


def post_jira(client, clock, payload, query="", **header_overrides):
    body = body_of(fresh_jira(payload, clock()))
    headers = jira_headers(body, identifier="wh-1") | header_overrides
    return client.post("/webhooks/jira" + query, data=body, headers={k: v for k, v in headers.items() if v is not None})


def test_signed_zendesk_event_is_stored_before_the_answer(client, clock, runtime):
    response = post_zendesk(client, clock, CREATED)
    assert response.status_code == 200 and response.json == {"status": "accepted"}
    [event] = runtime.inbox.list()
    assert (event.source, event.delivery_key, event.event_type, event.status) == (
        "zendesk", CREATED["id"], "zen:event-type:ticket.created", PENDING)
    assert event.body == body_of(CREATED).decode()


def test_a_ticket_event_is_stored_with_its_ticket_so_workers_take_turns_on_it(client, clock, runtime):
    from sqlalchemy import select

    from bridge.storage.schema import inbox_events

    post_zendesk(client, clock, CREATED)
    with runtime.engine.connect() as connection:
        subject = connection.execute(select(inbox_events.c.subject_key)).scalar_one()
    assert subject == f"ticket:{CREATED['detail']['id']}"


def test_the_same_delivery_sent_three_times_is_stored_once(client, clock, runtime):
    answers = [post_zendesk(client, clock, CREATED).json["status"] for _ in range(3)]
    assert answers == ["accepted", "duplicate", "duplicate"]
    assert len(runtime.inbox.list()) == 1


def test_trigger_webhook_deduplicates_on_the_invocation_id(client, clock, runtime):
    trigger = load_fixture("zendesk", "trigger__readme_template")
    for _ in range(2):
        response = post_zendesk(client, clock, trigger, **{"X-Zendesk-Webhook-Invocation-Id": "inv-77"})
        assert response.status_code == 200
    assert [e.delivery_key for e in runtime.inbox.list()] == ["invocation:inv-77"]


def test_unknown_event_types_are_accepted_and_stored(client, clock, runtime):
    payload = load_fixture("zendesk", "unsupported__user_event")
    assert post_zendesk(client, clock, payload).status_code == 200
    assert runtime.inbox.list()[0].event_type == "zen:event-type:user.active_changed"


@pytest.mark.parametrize("headers, reason", [
    ({"X-Zendesk-Webhook-Signature": None}, "missing_signature"),
    ({"X-Zendesk-Webhook-Signature-Timestamp": None}, "missing_signature"),
    ({"X-Zendesk-Webhook-Signature": "bm90IHRoZSBzaWduYXR1cmU="}, "bad_signature"),
    ({"X-Zendesk-Webhook-Signature-Timestamp": "yesterday"}, "bad_timestamp"),
])
def test_zendesk_bad_signatures_are_refused(client, clock, runtime, headers, reason):
    response = post_zendesk(client, clock, CREATED, **headers)
    assert (response.status_code, response.json["error"]) == (401, reason)
    assert runtime.inbox.list() == []


@pytest.mark.parametrize("skew", [-301, 301])
def test_zendesk_stale_or_future_timestamp_is_refused(client, clock, skew):
    body = body_of(CREATED)
    headers = zendesk_headers(body, clock() + timedelta(seconds=skew))
    response = client.post("/webhooks/zendesk", data=body, headers=headers)
    assert (response.status_code, response.json["error"]) == (401, "stale_timestamp")


def test_zendesk_timestamp_within_tolerance_is_accepted(client, clock):
    body = body_of(CREATED)
    headers = zendesk_headers(body, clock() - timedelta(seconds=290))
    response = client.post("/webhooks/zendesk", data=body, headers=headers)
    assert response.status_code == 200


def test_zendesk_wrong_secret_is_refused(client, clock):
    body = body_of(CREATED)
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock(), secret="other"))
    assert response.status_code == 401


def test_signature_over_body_plus_timestamp_is_refused(client, clock):
    # The older docs revision signed body + timestamp; the contract is timestamp + body.
    import base64
    import hashlib
    import hmac

    from connectors.zendesk.signature import format_timestamp
    from tests.support.settings import ZENDESK_SECRET
    body, stamp = body_of(CREATED), format_timestamp(clock())
    wrong = base64.b64encode(hmac.new(ZENDESK_SECRET.encode(), body + stamp.encode(), hashlib.sha256).digest()).decode()
    response = client.post("/webhooks/zendesk", data=body, headers={
        "Content-Type": "application/json", "X-Zendesk-Webhook-Signature": wrong,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp})
    assert response.status_code == 401


@pytest.mark.parametrize("body, status, reason", [
    (body_of(CREATED)[:-20], 400, "not_json"),                 # truncated
    (b"not json at all", 400, "not_json"),
    (b"\xff\xfe{}", 400, "not_json"),                           # not UTF-8
    (b"[1, 2, 3]", 400, "not_object"),
    (b'"a string"', 400, "not_object"),
    (b'{"hello": "world"}', 400, "unparseable"),
    (b'{"type": "zen:event-type:ticket.created", "id": "x"}', 400, "unparseable"),
    (b"[" * 100_000, 400, "not_json"),                           # deep nesting
    (b'{"type": "zen:event-type:ticket.created", "id": NaN}', 400, "not_json"),  # not RFC 8259
])
def test_signed_but_bad_bodies_get_400(client, clock, runtime, body, status, reason):
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    assert (response.status_code, response.json["error"]) == (status, reason)
    assert runtime.inbox.list() == []


def test_a_payload_naming_its_ticket_is_stored_even_if_the_worker_cannot_read_the_rest(
        client, clock, runtime):
    """Intake checks identity only; the worker parks what it cannot parse, kept for a retry."""
    from bridge.storage.inbox import FAILED

    odd = {**CREATED, "detail": {**CREATED["detail"], "tags": 42}}
    assert post_zendesk(client, clock, odd).status_code == 200
    runtime.new_worker().drain()
    [event] = runtime.inbox.list()
    assert event.status == FAILED and "tags" in event.last_error


@pytest.mark.parametrize("payload", [
    {"webhookEvent": "jira:issue_updated"},
    {"webhookEvent": "jira:issue_created", "issue": {"key": "ENG-1"}},
    {"webhookEvent": "jira:version_released", "version": "1.0"},
])
def test_jira_events_that_name_no_issue_or_version_get_400(client, clock, runtime, payload):
    response = post_jira(client, clock, payload)
    assert (response.status_code, response.json["error"]) == (400, "unparseable")
    assert runtime.inbox.list() == []


def test_oversized_body_gets_413(tmp_path, clock):
    from bridge.http.app import create_app
    from bridge.runtime import build_runtime
    settings = make_settings(f"sqlite:///{tmp_path / 'b.db'}", server={"max_body_bytes": 2048})
    runtime = build_runtime(settings, clock=clock)
    client = create_app(runtime).test_client()
    body = body_of({**CREATED, "padding": "x" * 4096})
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    assert (response.status_code, response.json["error"]) == (413, "too_large")


@pytest.mark.parametrize("padding, status", [(100, 200), (4096, 413)])
def test_the_limit_holds_without_a_content_length(tmp_path, clock, padding, status):
    """A chunked upload has no Content-Length: the body is read up to the limit, never past it."""
    import io

    from bridge.http.app import create_app
    from bridge.runtime import build_runtime
    settings = make_settings(f"sqlite:///{tmp_path / 'b.db'}", server={"max_body_bytes": 2048})
    runtime = build_runtime(settings, clock=clock)
    client = create_app(runtime).test_client()
    body = body_of({**CREATED, "padding": "x" * padding})
    response = client.post("/webhooks/zendesk", input_stream=io.BytesIO(body),
                           headers={**zendesk_headers(body, clock()), "Transfer-Encoding": "chunked"})
    assert response.status_code == status
    assert len(runtime.inbox.list()) == (status == 200)


def test_default_body_limit_is_one_mebibyte(client, clock):
    body = body_of({**CREATED, "padding": "x" * (1024 * 1024)})
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()))
    assert response.status_code == 413


@pytest.mark.parametrize("content_type",
                         ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_wrong_content_type_gets_415(client, clock, content_type):
    response = post_zendesk(client, clock, CREATED, **{"Content-Type": content_type})
    assert (response.status_code, response.json["error"]) == (415, "unsupported_media_type")


def test_get_is_not_allowed(client):
    response = client.get("/webhooks/zendesk")
    assert response.status_code == 405 and response.json["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


def test_a_bug_in_intake_answers_500_in_json_and_logs_no_payload(client, clock, runtime, monkeypatch, caplog):
    """Not reachable from client input (tests/test_webhook_fuzz.py); if the bridge itself fails,
    the answer is still JSON, and the log line carries the error type, not its message."""
    def broken(delivery):
        raise RuntimeError(f"cannot store {delivery.body}")

    monkeypatch.setattr(runtime.intake, "store", broken)
    with caplog.at_level("INFO"):
        response = post_zendesk(client, clock, {**CREATED, "subject": "zen:ticket:1 private words"})
    assert (response.status_code, response.json["error"]) == (500, "internal_server_error")
    assert "webhook.failed" in caplog.text
    assert not any("private words" in str(vars(record)) for record in caplog.records)


def test_signed_jira_event_is_stored(client, clock, runtime):
    response = post_jira(client, clock, RESOLVED)
    assert response.status_code == 200
    [event] = runtime.inbox.list()
    assert (event.source, event.delivery_key, event.event_type) == ("jira", "wh-1", "jira:issue_updated")


def test_jira_redelivery_with_the_same_identifier_is_stored_once(client, clock, runtime):
    statuses = [post_jira(client, clock, RESOLVED).json["status"] for _ in range(3)]
    assert statuses == ["accepted", "duplicate", "duplicate"]
    assert len(runtime.inbox.list()) == 1


def test_jira_without_identifier_deduplicates_on_the_body(client, clock, runtime):
    for _ in range(2):
        assert post_jira(client, clock, RESOLVED, **{"X-Atlassian-Webhook-Identifier": None}).status_code == 200
    assert len(runtime.inbox.list()) == 1


def test_jira_url_token_instead_of_a_signature(client, clock, runtime):
    response = post_jira(client, clock, RESOLVED, query=f"?token={JIRA_URL_TOKEN}", **{"X-Hub-Signature": None})
    assert response.status_code == 200


@pytest.mark.parametrize("query, headers, reason", [
    ("", {"X-Hub-Signature": None}, "missing_signature"),
    ("?token=wrong", {"X-Hub-Signature": None}, "bad_token"),
    ("", {"X-Hub-Signature": "sha256=" + "0" * 64}, "bad_signature"),
    ("", {"X-Hub-Signature": "sha1=abc"}, "bad_signature"),
    (f"?token={JIRA_URL_TOKEN}", {"X-Hub-Signature": "sha256=" + "0" * 64}, "bad_signature"),
])
def test_jira_bad_authentication_is_refused(client, clock, runtime, query, headers, reason):
    response = post_jira(client, clock, RESOLVED, query=query, **headers)
    assert (response.status_code, response.json["error"]) == (401, reason)
    assert runtime.inbox.list() == []


def test_jira_unknown_event_is_stored_and_non_json_refused(client, clock, runtime):
    assert post_jira(client, clock, {"webhookEvent": "sprint_started"}).status_code == 200
    body = b"{oops"
    response = client.post("/webhooks/jira", data=body, headers=jira_headers(body))
    assert (response.status_code, response.json["error"]) == (400, "not_json")


def test_rejections_are_counted_by_reason(client, clock):
    post_zendesk(client, clock, CREATED, **{"X-Zendesk-Webhook-Signature": None})
    post_jira(client, clock, RESOLVED, **{"X-Hub-Signature": None})
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_webhook_events_rejected_total{reason="missing_signature",source="zendesk"} 1.0' in metrics
    assert 'bridge_webhook_events_rejected_total{reason="missing_signature",source="jira"} 1.0' in metrics


def _nested(payload: dict, levels: int) -> bytes:
    """`payload` with a custom field value nested `levels` deep in all (the payload's own two
    levels included), as text: json.dumps itself cannot write 1,020 levels."""
    text = json.dumps({**payload, "detail": {**payload["detail"], "custom": "PLACEHOLDER"}})
    return text.replace('"PLACEHOLDER"', "[" * (levels - 2) + "]" * (levels - 2)).encode()


@pytest.mark.parametrize("levels", [101, 1020])
def test_a_signed_body_nested_deeper_than_the_limit_gets_400_and_is_not_stored(client, clock, runtime, levels):
    response = post_zendesk(client, clock, _nested(CREATED, levels))
    assert (response.status_code, response.json["error"]) == (400, "too_deep")
    assert "100 levels" in response.json["message"]
    assert runtime.inbox.list() == []


def test_a_body_nested_as_deep_as_the_limit_is_accepted(client, clock, runtime):
    assert post_zendesk(client, clock, _nested(CREATED, 100)).status_code == 200
