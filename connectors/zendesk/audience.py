"""The domain's AudienceSource port over ZendeskClient: the customers a user or organization
search finds (a proactive notice's audience), and the tickets carrying given external ids (its
read-back)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bridge.domain.audience import ORGANIZATION, search_type
from bridge.domain.ports import Customer
from connectors.remote import remote_errors
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError


def as_int(value: object) -> int | None:
    """An id as Zendesk sends it in an API body: a positive integer, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _tags(data: dict) -> frozenset[str]:
    tags = data.get("tags")
    return frozenset(str(tag).lower() for tag in tags) if isinstance(tags, list) else frozenset()


def customer(user: dict, organization_tags: dict[int, frozenset[str]]) -> Customer | None:
    """A user as the audience sees it; None for one without an id."""
    user_id = as_int(user.get("id"))
    if user_id is None:
        return None
    organization_id = as_int(user.get("organization_id"))
    email = user.get("email")
    return Customer(id=user_id, name=str(user.get("name") or ""), email=email if isinstance(email, str) else None,
                    role=str(user.get("role") or "end-user"), active=user.get("active") is not False,
                    suspended=user.get("suspended") is True, tags=_tags(user), organization_id=organization_id,
                    organization_tags=organization_tags.get(organization_id, frozenset())
                    if organization_id is not None else frozenset())


class ZendeskAudience:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def find_customers(self, query: str) -> list[Customer]:
        with remote_errors("Zendesk", ZendeskError):
            if search_type(query) == ORGANIZATION:
                organizations = list(self.client.search(query))
                tags = {org["id"]: _tags(org) for org in organizations if as_int(org.get("id"))}
                users = [user for organization_id in tags
                         for user in self.client.search_users(f"organization:{organization_id}")]
            else:
                users = list(self.client.search_users(query))
                tags = self._organization_tags(as_int(user.get("organization_id")) for user in users)
        found = {}
        for user in users:
            person = customer(user, tags)
            if person is not None:
                found[person.id] = person
        return [found[user_id] for user_id in sorted(found)]

    def _organization_tags(self, ids: Iterable[int | None]) -> dict[int, frozenset[str]]:
        wanted = sorted({organization_id for organization_id in ids if organization_id is not None})
        if not wanted:
            return {}
        return {org["id"]: _tags(org) for org in self.client.show_many_organizations(wanted) if as_int(org.get("id"))}

    def tickets_by_external_id(self, external_ids: Sequence[str]) -> dict[str, int]:
        found = {}
        with remote_errors("Zendesk", ZendeskError):
            for external_id in external_ids:
                ids = sorted(i for t in self.client.tickets_by_external_id(external_id) if (i := as_int(t.get("id"))))
                if ids:
                    found[external_id] = ids[0]
        return found
