"""Customer text in Data Center wiki markup: the escaper, checked against the simulator's copy of
Jira's renderer (links, images, escapes, entities)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.jira.simulator.wiki_render import render_wiki
from connectors.jira.wiki import wiki_literal

HOSTILE = [
    "[phish|https://evil.example/login]",
    "!https://evil.example/px.png!",
    "!https://evil.example/px.png|width=1!",
    "see https://evil.example/login now",
    "mailto:boss@evil.example",
    "[~admin] and [^secret.pdf] and [#anchor]",
    "\\[phish|https://evil.example/login]",  # a typed backslash must not cancel the escape
    "\\\\[phish|https://evil.example/login]",
    "{noformat}x{noformat} {code}y{code} {{mono}} {color:red}red{color}",
    "*bold* _italic_ -strike- +under+ ^sup^ ~sub~ ??cite??",
    "h1. Heading\n  bq. quote\nH2. upper\n* bullet\n# number\n- dash\n||head||\n|cell|\n----",
    "(x) (!) :) :D :P ;) (y)",
    "&#91;typed entity&#93; &amp; &copy;",
    "line\\\\break",
]


def shown(wiki: str) -> str:
    """The text a person sees in Jira: the rendered HTML without tags, entities resolved."""
    return html.unescape(render_wiki(wiki).replace("<br/>\n", "\n"))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_typed_with_no_link_or_image(text):
    rendered = render_wiki(wiki_literal(text))
    assert "<a " not in rendered and "<img" not in rendered
    assert shown(wiki_literal(text)) == text


def test_the_simulated_renderer_is_strict_enough_to_catch_unescaped_markup():
    assert '<a href="https://evil.example/login"' in render_wiki("[phish|https://evil.example/login]")
    assert '<img src="https://evil.example/px.png"' in render_wiki("!https://evil.example/px.png!")
    assert '<a href="https://evil.example/login"' in render_wiki("see https://evil.example/login")
    assert ">phish</a>" not in render_wiki("\\[phish|https://evil.example/login\\]")
    assert "<img" not in render_wiki("\\!https://evil.example/px.png\\!")
    assert "<img" not in render_wiki("wow!!! really!") and "<img" not in render_wiki("a!b!c")


def test_line_start_markup_is_broken_but_plain_text_untouched():
    assert wiki_literal("h1. Title") == "&#104;1. Title"
    assert wiki_literal("  bq. Quote") == "  &#98;q. Quote"
    assert wiki_literal("Order 1234 arrived broken") == "Order 1234 arrived broken"
    assert wiki_literal("a-b") == "a\\-b"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=80))
def test_any_text_renders_as_typed_and_never_as_a_link_or_image(text):
    rendered = render_wiki(wiki_literal(text))
    assert "<a " not in rendered and "<img" not in rendered
    assert shown(wiki_literal(text)) == text
