"""The stylesheet the dashboard's pages and the report share (pages.css): one owner, rendered inline
by both (no stylesheet request: the pages' Content-Security-Policy allows inline styles only)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from markupsafe import Markup


@cache
def page_style() -> Markup:
    """pages.css, safe to put between <style> tags as is (it has no '</')."""
    text = files("bridge.problems").joinpath("pages.css").read_text(encoding="utf-8")
    assert "</" not in text, "pages.css must not close its <style> element"
    return Markup(text)
