"""The domain's KnowledgeBase port over Zendesk's Help Center: articles in one configured section."""

from __future__ import annotations

from bridge.domain.ports import Article, NewArticle
from connectors.remote import remote_errors
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError


def article_of(data: dict) -> Article:
    return Article(id=int(data["id"]), url=str(data.get("html_url") or data.get("url") or ""),
                   draft=bool(data.get("draft")))


class ZendeskHelpCenter:
    def __init__(self, client: ZendeskClient, section_id: int, permission_group_id: int,
                 user_segment_id: int | None, locale: str):
        self.client, self.section_id, self.locale = client, section_id, locale
        self.permission_group_id, self.user_segment_id = permission_group_id, user_segment_id

    def find_article(self, label: str) -> Article | None:
        with remote_errors("Zendesk", ZendeskError):
            found = [a for a in self.client.articles_labelled(label) if label in (a.get("label_names") or ())]
        return article_of(min(found, key=lambda a: int(a["id"]))) if found else None

    def create_article(self, article: NewArticle) -> Article:
        with remote_errors("Zendesk", ZendeskError):
            return article_of(self.client.create_article(self.section_id, {
                "title": article.title, "body": article.body, "locale": self.locale, "draft": article.draft,
                "label_names": [article.label], "permission_group_id": self.permission_group_id,
                "user_segment_id": self.user_segment_id}))

    def rewrite_article(self, article_id: int, title: str, body: str) -> None:
        with remote_errors("Zendesk", ZendeskError):
            self.client.update_article_translation(article_id, self.locale, {"title": title, "body": body})
