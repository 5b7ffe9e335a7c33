"""Text inside Jira Data Center/Server wiki markup shown exactly as typed, never as markup.

Data Center renders descriptions and comments as wiki markup, so a customer's subject
`[phish|https://evil.example/login]` or `!https://evil.example/px.png!` would become a live link or
an external image in engineering's Jira. What is escaped, after Atlassian's renderer
(com.atlassian.renderer.v2.components.BackslashEscapeRendererComponent and its neighbours):

- `! [ ] ^ ~ + ? % { } ( ) * _ - | @ #` get a backslash: the renderer's own escape set. That covers
  links and mentions `[..]`, images `!..!`, macros `{noformat}` `{code}` `{color}`, monospace
  `{{..}}`, tables `|` `||`, phrase formatting `* _ - + ^ ~ ??`, lists `*` `#` `-`, rules `----`,
  and emoticons such as `(x)` or `:)`.
- A backslash has no escape of its own (`\\\\` is a line break, and a backslash before an escape
  cancels it), so it becomes the entity `&#92;`; `&` becomes `&amp;` so that a typed entity stays
  text. The renderer keeps entities (its own escapes produce them), so both show as typed.
- `:` becomes `&#58;`, so a typed URL is not turned into a link (`https://...`, `mailto:`) and
  `:D` / `:P` stay text.
- `h1.` .. `h6.` and `bq.` at a line start (headings, block quotes) get their first letter as an
  entity.

The summary needs none of this: Jira renders it as plain text (it is not a renderable field).
"""

from __future__ import annotations

import re

_BACKSLASH_ESCAPED = frozenset("![]^~+?%{}()*_-|@#")
_ENTITIES = {"&": "&amp;", "\\": "&#92;", ":": "&#58;"}
_LINE_START_MARKUP = re.compile(r"^([ \t]*)([hH][1-6]\.|[bB][qQ]\.)", re.MULTILINE)


def wiki_literal(text: str) -> str:
    """`text` as wiki markup that renders as exactly `text`."""
    escaped = "".join(_ENTITIES.get(char) or (f"\\{char}" if char in _BACKSLASH_ESCAPED else char)
                      for char in text)
    return _LINE_START_MARKUP.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2)[0])};{m.group(2)[1:]}", escaped)
