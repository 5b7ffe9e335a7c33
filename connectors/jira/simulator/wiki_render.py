"""Jira Data Center's wiki renderer, as far as links and images go: what `renderedFields` shows.

Faithful to Atlassian's renderer (com.atlassian.renderer.v2) where it decides whether text becomes
a link or an image: `[text|url]` and `[url]` (WikiLinkTransformer: a `[` or `]` right after a
backslash is text, a space right after `[` or a line break inside ends the attempt), `!url!` and
`!url|params!` (the embedded-resource pattern: at least 5 characters, not after a letter, digit or
backslash, not followed by one), bare `http(s)://`, `ftp://`, `mailto:` URLs, backslash escapes of
`-#*_+?^~|%{}[]()!@` (a backslash after a backslash escapes nothing), and entities kept as typed.
Other markup (bold, headings, macros...) is left as text: the simulator needs no more.
"""

from __future__ import annotations

import html
import re

_ESCAPE = re.compile(r"(?<!\\)\\([-#*_+?^~|%{}\[\]()!@])")
_IMAGE = re.compile(r"(?<![^\W_])(?<!\\)!([^\s!](?:(?!!)[^\n]*?[^\s!])?)(?<!\\)!(?![^\W_])")
_URL = re.compile(r"(?<![\w/])(?:(?:https?|ftp)://|mailto:)[^\s<>\"'\[\]|!\\]+")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TOKEN = "\x00{}\x00"


def render_wiki(wiki: str) -> str:
    """The HTML Jira shows for `wiki` (links and images rendered; everything else as text)."""
    rendered: list[str] = []

    def token(markup: str) -> str:
        rendered.append(markup)
        return _TOKEN.format(len(rendered) - 1)

    text = _links(wiki, lambda body: token(_link_html(body)))
    text = _IMAGE.sub(lambda m: token(_image_html(m.group(1))) if _is_image(m.group(1)) else m.group(0), text)
    text = _URL.sub(lambda m: token(_anchor(m.group(0), m.group(0))), text)
    text = _ESCAPE.sub(lambda m: token(f"&#{ord(m.group(1))};"), text)
    text = _escape_html(text)
    return re.sub("\x00([0-9]+)\x00", lambda m: rendered[int(m.group(1))], text).replace("\n", "<br/>\n")


def _links(wiki: str, render) -> str:
    """WikiLinkTransformer: each `[body]` not escaped by a backslash becomes render(body)."""
    result: list[str] = []
    link: list[str] = []
    previous = ""
    for char in wiki:
        if char == "[":
            if link and previous == "\\":
                link.append(char)
            elif link:
                result += link
                link = [char]
            elif previous == "\\":
                result.append(char)
            else:
                link = [char]
        elif char == "]" and link:
            if previous == "\\":
                link.append(char)
            else:
                result.append("".join(link) + char if len(link) == 1 else render("".join(link[1:])))
                link = []
        elif link and (char == "\n" or (char.isspace() and previous == "[")):
            result += [*link, char]
            link = []
        elif link:
            link.append(char)
        else:
            result.append(char)
        previous = char
    return "".join(result + link)


def _link_html(body: str) -> str:
    text, _, url = body.rpartition("|") if "|" in body else ("", "", body)
    url = url.strip()
    if url.startswith("~"):
        return f'<a class="user-hover" rel="{html.escape(url[1:])}">{html.escape(url[1:])}</a>'
    return _anchor(url, text or url)


def _anchor(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}" class="external-link" rel="nofollow">{_escape_html(text)}</a>'


def _is_image(body: str) -> bool:
    return len(body) >= 5 and not body.startswith(")")


def _image_html(body: str) -> str:
    source = body.split("|", 1)[0]
    return f'<span class="image-wrap"><img src="{html.escape(source)}" style="border: 0px solid black" /></span>'


def _escape_html(text: str) -> str:
    """HTML-escaped, but entities already in the text (the renderer's own, or typed) kept."""
    parts, last = [], 0
    for entity in _ENTITY.finditer(text):
        parts += [html.escape(text[last:entity.start()], quote=False), entity.group(0)]
        last = entity.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)
