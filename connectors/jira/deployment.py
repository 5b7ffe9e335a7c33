"""What differs between Jira Cloud and Jira Data Center/Server, as one small strategy object each.

Cloud: REST API v3 (rich text is ADF), basic auth with email + API token, users by `accountId`,
search at `/rest/api/3/search/jql` paginated by `nextPageToken`.
Data Center/Server: REST API v2 (wiki markup), a personal access token as Bearer (or basic auth when
a user name is given), users by `name`, search at `/rest/api/2/search` paginated by `startAt`/`total`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jira import JIRA

from connectors.jira.adf import text_to_adf
from connectors.jira.wiki import wiki_literal

SEARCH_PAGE_SIZE = 100


@dataclass(frozen=True)
class CloudDeployment:
    name: str = "cloud"
    deployment_type: str = "Cloud"
    api_version: str = "3"

    def auth_arguments(self, user_or_email: str | None, api_token: str) -> dict[str, Any]:
        if not user_or_email:
            raise ValueError("Jira Cloud needs the account's email address with the API token")
        return {"basic_auth": (user_or_email, api_token)}

    def rich_text(self, text: str) -> Any:
        return text_to_adf(text)

    def literal_text(self, text: str) -> str:
        """ADF keeps every text literal: nothing to escape."""
        return text

    def user_reference(self, user: str) -> dict[str, str]:
        return {"accountId": user}

    def search_pages(self, jira: JIRA, jql: str, fields: list[str], page_size: int) -> Iterator[list[dict]]:
        token: str | None = None
        while True:
            page = jira.enhanced_search_issues(
                jql, nextPageToken=token, maxResults=page_size, fields=list(fields), json_result=True
            )
            yield page.get("issues", [])
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return


@dataclass(frozen=True)
class DataCenterDeployment:
    name: str = "server"
    deployment_type: str = "Server"
    api_version: str = "2"

    def auth_arguments(self, user_or_email: str | None, api_token: str) -> dict[str, Any]:
        if user_or_email:
            return {"basic_auth": (user_or_email, api_token)}
        return {"token_auth": api_token}

    def rich_text(self, text: str) -> Any:
        return text

    def literal_text(self, text: str) -> str:
        """Descriptions and comments are wiki markup: customer text must not become markup."""
        return wiki_literal(text)

    def user_reference(self, user: str) -> dict[str, str]:
        return {"name": user}

    def search_pages(self, jira: JIRA, jql: str, fields: list[str], page_size: int) -> Iterator[list[dict]]:
        start_at = 0
        while True:
            page = jira.search_issues(
                jql, startAt=start_at, maxResults=page_size, fields=list(fields), json_result=True
            )
            issues = page.get("issues", [])
            yield issues
            start_at += len(issues)
            if not issues or start_at >= int(page.get("total", 0)):
                return


DEPLOYMENTS: dict[str, CloudDeployment | DataCenterDeployment] = {
    "cloud": CloudDeployment(), "server": DataCenterDeployment(),
}


def deployment_named(name: str) -> CloudDeployment | DataCenterDeployment:
    try:
        return DEPLOYMENTS[name]
    except KeyError:
        raise ValueError(f"unknown Jira deployment {name!r}; expected one of {sorted(DEPLOYMENTS)}") from None
