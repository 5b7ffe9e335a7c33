"""Plain text <-> Atlassian Document Format (ADF), the rich-text shape of Jira Cloud's REST API v3."""

from __future__ import annotations

from typing import Any


def text_to_adf(text: str) -> dict[str, Any]:
    """One ADF paragraph per line; an empty line becomes an empty paragraph."""
    paragraphs = []
    for line in text.split("\n"):
        content = [{"type": "text", "text": line}] if line else []
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_to_text(document: Any) -> str:
    """The text of an ADF document (or a plain string, returned as is); block nodes become lines."""
    if document is None or isinstance(document, str):
        return document or ""
    if not isinstance(document, dict):
        raise ValueError("an ADF document must be a JSON object")
    if document.get("type") == "doc":
        return "\n".join(_inline_text(block) for block in document.get("content", []))
    return _inline_text(document)


def _inline_text(node: dict[str, Any]) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    return "".join(_inline_text(child) for child in node.get("content", []))


def is_adf_document(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc"
