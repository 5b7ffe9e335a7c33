"""Help Center endpoints (see help_center.py for the reference they follow): sections, articles
created in a section, shown, listed by label, their metadata and their translation updated.
Each path is also served under a locale (`/help_center/{locale}/...`), as Zendesk does."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.routing import api_route, base_url, json_body, simulator

PAGE_SIZE = 100
help_center_routes = Blueprint("zendesk_sim_help_center", __name__)


def _help_center():
    help_center = simulator().help_center
    help_center.require_enabled()
    return help_center


def _routes(rule: str, methods: list[str]):
    """`rule` under /help_center and under /help_center/<locale>."""
    def register(view):
        api_route(help_center_routes, f"/help_center{rule}", methods)(view)
        localized = f"{view.__name__}_localized"
        help_center_routes.add_url_rule(f"/api/v2/help_center/<locale>{rule}", endpoint=localized,
                                        view_func=view, methods=methods)
        help_center_routes.add_url_rule(f"/api/v2/help_center/<locale>{rule}.json", endpoint=f"{localized}_json",
                                        view_func=view, methods=methods)
        return view
    return register


def _object(body: dict, key: str) -> dict:
    value = body.get(key)
    if not isinstance(value, dict):
        raise ApiError(400, "InvalidValue", f"{key} must be an object")
    return value


@_routes("/sections", ["GET"])
def list_sections(locale: str | None = None):
    sections = list(_help_center().sections.values())
    return jsonify({"sections": sections, "count": len(sections), "next_page": None, "previous_page": None})


@_routes("/sections/<int:section_id>", ["GET"])
def show_section(section_id: int, locale: str | None = None):
    return jsonify({"section": _help_center().section(section_id)})


@_routes("/sections/<int:section_id>/articles", ["POST"])
def create_article(section_id: int, locale: str | None = None):
    article = _help_center().create_article(section_id, _object(json_body(), "article"), base_url(), locale)
    return jsonify({"article": article}), 201


@_routes("/articles", ["GET"])
def list_articles(locale: str | None = None):
    labels = [label for label in request.args.get("label_names", "").split(",") if label]
    articles = _help_center().articles_with_labels(labels)[:PAGE_SIZE]
    return jsonify({"articles": articles, "count": len(articles), "page": 1, "page_count": 1,
                    "per_page": PAGE_SIZE, "next_page": None, "previous_page": None,
                    "sort_by": "position", "sort_order": "asc"})


@_routes("/articles/<int:article_id>", ["GET"])
def show_article(article_id: int, locale: str | None = None):
    return jsonify({"article": _help_center().article(article_id)})


@_routes("/articles/<int:article_id>", ["PUT"])
def update_article(article_id: int, locale: str | None = None):
    return jsonify({"article": _help_center().update_article(article_id, _object(json_body(), "article"))})


@_routes("/articles/<int:article_id>/translations/<translation_locale>", ["PUT"])
def update_translation(article_id: int, translation_locale: str, locale: str | None = None):
    translation = _help_center().update_translation(article_id, translation_locale,
                                                    _object(json_body(), "translation"))
    return jsonify({"translation": translation})
