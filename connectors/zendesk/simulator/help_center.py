"""Help Center sections and articles of the simulated account.

The Help Center API is not in the vendor's Support OpenAPI file (/work/shared/vendor/zendesk);
shapes follow Zendesk's public reference, developer.zendesk.com/api-reference/help_center/
help-center-api/ (Sections, Articles, Translations): an article is created in a section with a
title, body, locale, `permission_group_id` (required) and `user_segment_id` (required, null for
everyone), `draft` and `label_names`; `PUT /articles/{id}` changes metadata only (labels,
section, promotion); title, body and draft change through `PUT /articles/{id}/translations/{locale}`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import datetime

from connectors.zendesk.simulator.errors import ApiError, not_found, record_invalid
from connectors.zendesk.simulator.store import iso

ARTICLE_METADATA = ("label_names", "section_id", "promoted", "position", "comments_disabled",
                    "user_segment_id", "permission_group_id", "author_id")
TRANSLATION_TEXT = ("title", "body", "draft", "outdated")


class HelpCenter:
    def __init__(self, lock: threading.RLock, clock: Callable[[], datetime], author_id: int,
                 locale: str = "en-us"):
        self.lock, self.clock, self.author_id, self.default_locale = lock, clock, author_id, locale
        self.enabled = True  # accounts without Help Center answer 404 on every Help Center path
        self.sections: dict[int, dict] = {}
        self.permission_groups: set[int] = set()
        self.articles: dict[int, dict] = {}
        self._ids = itertools.count(360_000_001)

    def require_enabled(self) -> None:
        if not self.enabled:
            raise ApiError(404, "RecordNotFound", "Help Center not enabled for this account")

    def add_permission_group(self, group_id: int | None = None) -> int:
        with self.lock:
            group_id = group_id or next(self._ids)
            self.permission_groups.add(group_id)
            return group_id

    def create_section(self, name: str, section_id: int | None = None, category_id: int = 1,
                       locale: str | None = None) -> dict:
        with self.lock:
            section_id = section_id or next(self._ids)
            now = iso(self.clock())
            self.sections[section_id] = {"id": section_id, "name": name, "category_id": category_id,
                                         "locale": locale or self.default_locale, "source_locale": self.default_locale,
                                         "description": "", "position": 0, "outdated": False,
                                         "created_at": now, "updated_at": now}
            return dict(self.sections[section_id])

    def section(self, section_id: int) -> dict:
        with self.lock:
            if section_id not in self.sections:
                raise not_found("Section")
            return dict(self.sections[section_id])

    def create_article(self, section_id: int, data: dict, base_url: str, locale: str | None = None) -> dict:
        with self.lock:
            self.section(section_id)
            title, body = data.get("title"), data.get("body")
            if not isinstance(title, str) or not title.strip():
                raise record_invalid("title", "Title cannot be blank")
            if body is not None and not isinstance(body, str):
                raise record_invalid("body", "Body must be a string")
            group = data.get("permission_group_id")
            if group not in self.permission_groups:
                raise record_invalid("permission_group_id", "Permission group is missing or unknown")
            if "user_segment_id" not in data:
                raise record_invalid("user_segment_id", "User segment must be given (null for everyone)")
            labels = data.get("label_names") or []
            if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
                raise record_invalid("label_names", "Labels must be a list of strings")
            article_id = next(self._ids)
            locale = str(data.get("locale") or locale or self.default_locale)
            now = iso(self.clock())
            self.articles[article_id] = {
                "id": article_id, "url": f"{base_url}/api/v2/help_center/{locale}/articles/{article_id}.json",
                "html_url": f"{base_url}/hc/{locale}/articles/{article_id}", "author_id": self.author_id,
                "comments_disabled": bool(data.get("comments_disabled", False)),
                "draft": bool(data.get("draft", False)),
                "promoted": bool(data.get("promoted", False)), "position": 0, "vote_sum": 0, "vote_count": 0,
                "section_id": section_id, "created_at": now, "updated_at": now, "edited_at": now,
                "title": title, "name": title, "body": body or "", "locale": locale, "source_locale": locale,
                "outdated": False, "outdated_locales": [], "permission_group_id": group,
                "user_segment_id": data.get("user_segment_id"), "label_names": list(labels),
            }
            return dict(self.articles[article_id])

    def article(self, article_id: int) -> dict:
        with self.lock:
            if article_id not in self.articles:
                raise not_found("Article")
            return dict(self.articles[article_id])

    def articles_with_labels(self, labels: list[str]) -> list[dict]:
        """List Articles' `label_names` filter: articles carrying at least one of the labels."""
        with self.lock:
            wanted = set(labels)
            return [dict(article) for article in self.articles.values()
                    if not wanted or wanted & set(article["label_names"])]

    def update_article(self, article_id: int, data: dict) -> dict:
        with self.lock:
            article = self.articles.get(article_id)
            if article is None:
                raise not_found("Article")
            if "section_id" in data:
                self.section(data["section_id"])
            article.update({key: data[key] for key in ARTICLE_METADATA if key in data})
            article["updated_at"] = iso(self.clock())
            return dict(article)

    def update_translation(self, article_id: int, locale: str, data: dict) -> dict:
        with self.lock:
            article = self.articles.get(article_id)
            if article is None or article["locale"] != locale:
                raise not_found("Translation")
            for key in ("title", "body"):
                if key in data and not isinstance(data[key], str):
                    raise record_invalid(key, f"{key.capitalize()} must be a string")
            article.update({key: data[key] for key in TRANSLATION_TEXT if key in data})
            article["name"] = article["title"]
            article["updated_at"] = article["edited_at"] = iso(self.clock())
            return self.translation(article)

    @staticmethod
    def translation(article: dict) -> dict:
        return {"id": article["id"], "source_id": article["id"], "source_type": "Article",
                "locale": article["locale"], "title": article["title"], "body": article["body"],
                "draft": article["draft"], "outdated": article["outdated"], "html_url": article["html_url"],
                "created_at": article["created_at"], "updated_at": article["updated_at"]}
