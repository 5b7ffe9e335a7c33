"""Thin Zendesk Support API client over zenpy: calls, returns plain data, raises ZendeskError.

No policy lives here: no retries, no sleeping on 429 (the error carries Retry-After), no chunking
except for show_many, whose 100-ids-per-call limit is a property of the endpoint, not a policy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from ipaddress import ip_address
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, CustomField, Ticket, Trigger, User
from zenpy.lib.exception import APIException, ZenpyException

from connectors.observed import RequestObserver, observe_requests
from connectors.zendesk.errors import ZendeskError, error_code
from connectors.zendesk.transport import build_session

SHOW_MANY_LIMIT = 100
# The incremental exports' own limit (10 requests a minute; 30 with the High Volume API add-on),
# separate from the account's: a 429 with Retry-After beyond it.
EXPORT_REQUESTS_PER_MINUTE = 10
# Host that zenpy puts in its URLs when the configured address is not a Zendesk-style https host;
# the transport adapter never resolves it.
PLACEHOLDER_SUBDOMAIN = "simulator"
PLACEHOLDER_DOMAIN = "zendesk.invalid"


class IncrementalPage(NamedTuple):
    tickets: list[dict]
    next_cursor: str | None
    end_of_stream: bool


def zenpy_host_for(url: str) -> tuple[str, str]:
    """(subdomain, domain) that zenpy should put in its URLs for the configured base URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    labels = host.split(".")
    if parts.scheme == "https" and parts.port is None and len(labels) >= 3 and not _is_ip(host):
        return labels[0], ".".join(labels[1:])
    return PLACEHOLDER_SUBDOMAIN, PLACEHOLDER_DOMAIN


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _status_of(response: requests.Response | None) -> int | None:
    return None if response is None else response.status_code


def _code_of(response: requests.Response | None) -> str | None:
    return None if response is None else error_code(response.text)


@contextlib.contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Turn zenpy and requests failures into ZendeskError."""
    try:
        yield
    except ZendeskError:
        raise
    except APIException as exc:
        raise ZendeskError(f"{action}: {exc}", status=_status_of(exc.response),
                           code=_code_of(exc.response)) from exc
    except requests.Timeout as exc:
        raise ZendeskError(f"{action}: timed out", status=None) from exc
    except requests.RequestException as exc:
        raise ZendeskError(f"{action}: {exc}", status=_status_of(exc.response),
                           code=_code_of(exc.response)) from exc
    except ZenpyException as exc:
        raise ZendeskError(f"{action}: {exc}", status=None) from exc


def custom_field_list(custom_fields: dict[int, Any] | Iterable[dict]) -> list[dict]:
    """Accept {field_id: value} or Zendesk's [{"id", "value"}] and return the latter."""
    if isinstance(custom_fields, dict):
        return [{"id": int(field_id), "value": value} for field_id, value in custom_fields.items()]
    return [dict(field) for field in custom_fields]


def ticket_payload(changes: dict) -> dict:
    """A Zendesk `ticket` body from a changes dict (custom_fields may be a {id: value} mapping)."""
    payload = {key: value for key, value in changes.items() if value is not None}
    if "custom_fields" in payload:
        payload["custom_fields"] = custom_field_list(payload["custom_fields"])
    return payload


class ZendeskClient:
    def __init__(self, url: str, email: str, api_token: str, timeout: float = 10,
                 observer: RequestObserver | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        subdomain, domain = zenpy_host_for(self.url)
        self._api_base = f"https://{subdomain}.{domain}/api/v2"
        self.session = build_session(self.url, f"{subdomain}.{domain}")
        observe_requests(self.session, "zendesk", observer)
        self._zenpy = Zenpy(
            subdomain=subdomain,
            domain=domain,
            email=email,
            token=api_token,
            session=self.session,
            timeout=timeout,
            # The 429 hook in the transport raises first; a zero budget makes zenpy's own
            # retry-after loop raise instead of sleeping should a 429 ever reach it.
            ratelimit_budget=0,
            disable_cache=True,
        )

    # account -----------------------------------------------------------------------------

    def current_user(self) -> dict:
        """The user the credentials authenticate (GET /users/me): a cheap check that they work."""
        with translate_errors("current_user"):
            return self._zenpy.users.me().to_dict()

    def ticket_fields(self) -> list[dict]:
        """Every ticket field of the account, system and custom (zenpy follows the pages)."""
        with translate_errors("list ticket fields"):
            return [field.to_dict() for field in self._zenpy.ticket_fields()]

    def organization_fields(self) -> list[dict]:
        """Every custom organization field of the account (zenpy follows the pages)."""
        with translate_errors("list organization fields"):
            return [field.to_dict() for field in self._zenpy.organization_fields()]

    def create_ticket_field(self, title: str, field_type: str) -> dict:
        """A custom ticket field (POST /ticket_fields)."""
        return self.call("POST", "ticket_fields.json",
                         json={"ticket_field": {"title": title, "type": field_type}})["ticket_field"]

    # tickets -----------------------------------------------------------------------------

    def get_ticket(self, ticket_id: int) -> dict:
        with translate_errors("get_ticket"):
            return self._zenpy.tickets(id=ticket_id).to_dict()

    def show_many(self, ticket_ids: Iterable[int]) -> list[dict]:
        return self._in_chunks("tickets/show_many.json", "tickets", ticket_ids)

    def show_many_users(self, user_ids: Iterable[int]) -> list[dict]:
        return self._in_chunks("users/show_many.json", "users", user_ids)

    def show_many_organizations(self, organization_ids: Iterable[int]) -> list[dict]:
        return self._in_chunks("organizations/show_many.json", "organizations", organization_ids)

    def show_many_with_metrics(self, ticket_ids: Iterable[int]) -> tuple[list[dict], list[dict]]:
        """The tickets (each with its `satisfaction_rating`) and their ticket metrics, side-loaded
        (`include=metric_sets`): one call per 100 tickets."""
        tickets: list[dict] = []
        metric_sets: list[dict] = []
        for body in self._chunk_bodies("tickets/show_many.json", ticket_ids, {"include": "metric_sets"}):
            tickets.extend(body.get("tickets") or [])
            metric_sets.extend(body.get("metric_sets") or [])
        return tickets, metric_sets

    def _in_chunks(self, path: str, key: str, ids: Iterable[int]) -> list[dict]:
        return [item for body in self._chunk_bodies(path, ids) for item in body.get(key) or []]

    def _chunk_bodies(self, path: str, ids: Iterable[int], params: dict | None = None) -> Iterator[dict]:
        """show_many endpoints take at most 100 ids per call. Read as plain JSON: building zenpy's
        objects costs about a millisecond per item, which bulk work feels."""
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), SHOW_MANY_LIMIT):
            chunk = ",".join(str(item) for item in unique[start : start + SHOW_MANY_LIMIT])
            yield self.call("GET", path, params={"ids": chunk, **(params or {})})

    def create_ticket(
        self,
        subject: str,
        body: str,
        requester_name: str | None = None,
        requester_email: str | None = None,
        tags: Iterable[str] = (),
        custom_fields: dict[int, Any] | Iterable[dict] | None = None,
        via_followup_source_id: int | None = None,
        public: bool = True,
    ) -> dict:
        attributes: dict[str, Any] = {"subject": subject, "comment": Comment(body=body, public=public),
                                      "tags": list(tags)}
        if requester_email:
            # Passed to the constructor: assigning `ticket.requester` afterwards also sends requester_id: null.
            attributes["requester"] = User(name=requester_name or requester_email, email=requester_email)
        if custom_fields is not None:
            attributes["custom_fields"] = [CustomField(**field) for field in custom_field_list(custom_fields)]
        if via_followup_source_id is not None:
            attributes["via_followup_source_id"] = via_followup_source_id
        ticket = Ticket(**attributes)
        with translate_errors("create_ticket"):
            return self._zenpy.tickets.create(ticket).ticket.to_dict()

    def update_ticket(self, ticket_id: int, changes: dict) -> dict:
        """PUT /tickets/{id} with a changes dict (status, tags, additional_tags, comment, ...)."""
        ticket = Ticket(id=ticket_id, **ticket_payload(changes))
        with translate_errors("update_ticket"):
            return self._zenpy.tickets.update(ticket).ticket.to_dict()

    def add_comment(self, ticket_id: int, body: str, public: bool) -> dict:
        return self.update_ticket(ticket_id, {"comment": {"body": body, "public": public}})

    def list_comments(self, ticket_id: int) -> list[dict]:
        with translate_errors("list_comments"):
            return [comment.to_dict() for comment in self._zenpy.tickets.comments(ticket_id)]

    # bulk jobs -----------------------------------------------------------------------------

    def update_many_same(self, ticket_ids: Iterable[int], changes: dict) -> str:
        """One change for many tickets: PUT /tickets/update_many.json?ids=... (zenpy lacks this form)."""
        ids = ",".join(str(ticket_id) for ticket_id in ticket_ids)
        body = self.call("PUT", "tickets/update_many.json", params={"ids": ids},
                         json={"ticket": ticket_payload(changes)})
        return str(body["job_status"]["id"])

    def update_many_individual(self, updates: Iterable[dict]) -> str:
        """Individual changes per ticket: PUT /tickets/update_many.json with `tickets: [...]`."""
        tickets = [Ticket(**ticket_payload(update)) for update in updates]
        with translate_errors("update_many_individual"):
            return str(self._zenpy.tickets.update(tickets).id)

    def create_many(self, tickets: Iterable[dict]) -> str:
        """Create up to 100 tickets in one background job: POST /tickets/create_many.json."""
        body = self.call("POST", "tickets/create_many.json",
                         json={"tickets": [ticket_payload(ticket) for ticket in tickets]})
        return str(body["job_status"]["id"])

    def job_status(self, job_id: str) -> dict:
        """status, progress, total and results, as Zendesk sends them (their shapes differ by job
        type: ZendeskTicketSystem's bulk_job reads them)."""
        # Plain JSON: zenpy's JobStatusResult adds every key it knows as null (`success: null` on
        # a created ticket's result), which blurs the shapes apart.
        return self.call("GET", f"job_statuses/{quote(job_id, safe='')}.json")["job_status"]

    def job_statuses(self, job_ids: Iterable[str]) -> list[dict]:
        """Several jobs in one call per 100 ids (GET /job_statuses/show_many.json), as job_status."""
        unique = list(dict.fromkeys(job_ids))
        jobs: list[dict] = []
        for start in range(0, len(unique), SHOW_MANY_LIMIT):
            body = self.call("GET", "job_statuses/show_many.json",
                             params={"ids": ",".join(unique[start : start + SHOW_MANY_LIMIT])})
            jobs.extend(body.get("job_statuses") or [])
        return jobs

    # reading many ------------------------------------------------------------------------------

    def search_tickets(self, query: str) -> Iterator[dict]:
        """Every ticket the search returns, following next_page; `query` is Zendesk search syntax
        (users or organizations it finds, `type:user`, are not tickets: left out)."""
        with translate_errors("search_tickets"):
            for result in self._zenpy.search(query):
                if isinstance(result, Ticket):
                    yield result.to_dict()

    def tickets_by_external_id(self, external_id: str) -> list[dict]:
        """GET /tickets.json?external_id=...: the tickets carrying it (read at once, not searched)."""
        with translate_errors("tickets_by_external_id"):
            return [ticket.to_dict() for ticket in self._zenpy.tickets(external_id=external_id)]

    def search(self, query: str) -> Iterator[dict]:
        """Every result (ticket, user or organization, by the query's `type:`), following
        next_page: GET /search.json, at most 1,000 results per query."""
        with translate_errors("search"):
            for result in self._zenpy.search(query):
                yield result.to_dict()

    def search_users(self, query: str) -> Iterator[dict]:
        """Every user GET /users/search.json finds (up to 10,000), 100 per page (zenpy lacks it)."""
        params: dict | None = {"query": query, "per_page": str(SHOW_MANY_LIMIT)}
        path = "users/search.json"
        while True:
            body = self.call("GET", path, params=params)
            yield from body.get("users") or []
            next_page = body.get("next_page")
            if not next_page:
                return
            path, params = self._relative(next_page), None

    def _relative(self, url: str) -> str:
        """A next_page URL as a path under the API base, whatever host Zendesk wrote in it."""
        return url.split("/api/v2/", 1)[1]

    def incremental_tickets(self, cursor: str | None = None, start_time: int | None = None,
                            per_page: int | None = None) -> IncrementalPage:
        """One page of the cursor-based incremental ticket export (start with start_time, go on with cursor)."""
        if (cursor is None) == (start_time is None):
            raise ValueError("pass exactly one of cursor or start_time")
        params = {"cursor": cursor} if cursor is not None else {"start_time": str(start_time)}
        if per_page is not None:
            params["per_page"] = str(per_page)
        body = self.call("GET", "incremental/tickets/cursor.json", params=params)
        return IncrementalPage(body["tickets"], body.get("after_cursor"), bool(body.get("end_of_stream")))

    # triggers and ticket fields ----------------------------------------------------------------

    def list_triggers(self) -> list[dict]:
        with translate_errors("list_triggers"):
            return [trigger.to_dict() for trigger in self._zenpy.triggers()]

    def create_trigger(self, title: str, conditions: dict, actions: list[dict], active: bool = True) -> dict:
        trigger = Trigger(title=title, conditions=conditions, actions=actions, active=active)
        with translate_errors("create_trigger"):
            return self._zenpy.triggers.create(trigger).to_dict()

    # plain JSON requests through zenpy's session (its transport, auth and 429 hook) ------------------
    # Help Center articles (not in the Support OpenAPI file: see simulator/help_center.py) ---------------

    def create_article(self, section_id: int, article: dict) -> dict:
        """POST /help_center/sections/{id}/articles: title, body, locale, draft, label_names,
        permission_group_id and user_segment_id (null: everyone)."""
        return self.call("POST", f"help_center/sections/{int(section_id)}/articles.json",
                         json={"article": article, "notify_subscribers": False})["article"]

    def articles_labelled(self, label: str) -> list[dict]:
        """Articles carrying `label` (List Articles' label_names filter, first page: a label names one article)."""
        return self.call("GET", "help_center/articles.json", params={"label_names": label}).get("articles") or []

    def update_article_translation(self, article_id: int, locale: str, translation: dict) -> dict:
        """PUT /help_center/articles/{id}/translations/{locale}: an article's title, body and draft."""
        path = f"help_center/articles/{int(article_id)}/translations/{quote(locale, safe='')}.json"
        return self.call("PUT", path, json={"translation": translation})["translation"]

    # raw requests through zenpy's session ------------------------------------------------------

    def call(self, method: str, path: str, params: dict | None = None, json: dict | None = None) -> dict:
        with translate_errors(f"{method} {path}"):
            response = self.session.request(method, f"{self._api_base}/{path}", params=params,
                                            json=json, timeout=self.timeout)
        if not 200 <= response.status_code < 300:
            raise ZendeskError(f"{method} {path}: {response.text[:300]}", status=response.status_code,
                               code=_code_of(response))
        if response.status_code == 204:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise ZendeskError(f"{method} {path}: response is not JSON", status=response.status_code) from exc
