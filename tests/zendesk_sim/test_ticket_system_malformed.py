"""A Zendesk that answers a batch with one malformed ticket: the rest of the batch is still read."""

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.ticket_system import ZendeskTicketSystem
from tests.zendesk_sim.conftest import _QuietHandler

GOOD = {"id": 1, "subject": "Charged twice", "status": "open", "requester_id": 7, "tags": ["billing"]}
MALFORMED = {"id": 2, "subject": "Broken", "group_id": "not-a-number"}


@Request.application
def _zendesk(request: Request) -> Response:
    if request.path.endswith("/tickets/show_many.json"):
        body = {"tickets": [MALFORMED, GOOD]}
    elif request.path.endswith("/users/show_many.json"):
        body = {"users": [{"id": 7, "email": "ann@example.com"}]}
    else:
        body = {"tickets": [MALFORMED, GOOD], "after_cursor": "c2", "end_of_stream": True}
    return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def zendesk():
    server = make_server("127.0.0.1", 0, _zendesk, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield ZendeskTicketSystem(ZendeskClient(f"http://127.0.0.1:{server.server_port}", "a@example.com", "t", timeout=2))
    server.shutdown()
    server.server_close()


def test_show_many_skips_a_malformed_ticket_and_reads_the_rest(zendesk):
    [ticket] = zendesk.fetch_tickets([1, 2])
    assert (ticket.id, ticket.tags, ticket.requester_email) == (1, ("billing",), "ann@example.com")


def test_incremental_export_skips_a_malformed_ticket_and_reads_the_rest(zendesk):
    changes = zendesk.changed_tickets("c1")
    assert [ticket.id for ticket in changes.tickets] == [1]
