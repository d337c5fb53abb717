"""Markdown for prompts and explanations: rendered without raw HTML, then sanitized."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" escapes raw HTML instead of passing it through; nh3 then removes anything
# unsafe that Markdown itself can produce (javascript: links, odd attributes).
_md = MarkdownIt("js-default").enable("table")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "del",
    "sup",
    "sub",
}


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for user-written Markdown."""
    return _render(text or "")


# A pure function of the text, and the same prompts and choices are rendered for every
# student of a class: a page of an exam renders its texts once per worker, not per request.
@lru_cache(maxsize=4096)
def _render(text: str) -> Markup:
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above
