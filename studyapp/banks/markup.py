"""Texts from Moodle (HTML, Moodle auto-format, plain, Markdown) as safe Markdown.

Moodle stores question texts as HTML and marks them `[html]` in GIFT (`format="html"` in
its XML). studyapp renders Markdown and removes raw HTML, so HTML left as written would
show students `<p>French</p>`. The HTML is read instead (never rendered, never run):
paragraphs, line breaks, bold, italics, lists, headings, links and code become their
Markdown forms; scripts, styles and unknown tags are dropped, keeping their text only
where it is meant to be read; every other character is escaped so it shows as written.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Characters Markdown would read as syntax when they come from plain text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_BLOCKS = {"p", "div", "table", "tr", "blockquote", "section", "article", "figure"}
_HEADINGS = {f"h{n}": "#" * n for n in range(1, 7)}
_SILENT = {"script", "style", "head", "title", "noscript", "template", "iframe", "object"}
_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_LIST_ITEM = re.compile(r" *(?:-|\d+\.) ")
_SAFE_LINK = re.compile(r"(?:https?|mailto):", re.I)
# A web address as Moodle's auto-format links it; a final full stop or comma stays text.
_URL = re.compile(r"(https?://[^\s<>\"']*[^\s<>\"'.,;:!?)])", re.I)


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows exactly as written."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # A line starting `1.`, `-` or `+` would become a list item.
    return re.sub(r"(?m)^(\s*)(\d+)\.(\s)|^(\s*)([-+])(\s)", _escape_list, escaped)


def _escape_list(match: re.Match[str]) -> str:
    if match[2] is not None:
        return f"{match[1]}{match[2]}\\.{match[3]}"
    return f"{match[4]}\\{match[5]}{match[6]}"


def looks_like_html(text: str) -> bool:
    """True when a text holds a tag or an entity, as Moodle's auto-format would render."""
    return _TAG.search(text) is not None


class _Converter(HTMLParser):
    """Collect Markdown while walking the HTML; nothing is ever evaluated."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.silent = 0
        self.lists: list[list[int | None]] = []  # per open list: its next number, or None
        self.links: list[str | None] = []
        self.dropped: set[str] = set()
        self.pre = 0

    def _block(self) -> None:
        self.out.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self.silent += 1
            self.dropped.add(tag)
        elif tag in _BLOCKS or tag in _HEADINGS:
            self._block()
            if tag in _HEADINGS:
                self.out.append(_HEADINGS[tag] + " ")
        elif tag == "br":
            self.out.append("  \n" if not self.pre else "\n")
        elif tag in ("ul", "ol"):
            self._block()
            self.lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            counter = self.lists[-1] if self.lists else [None]
            mark = "-" if counter[0] is None else f"{counter[0]}."
            if counter[0] is not None:
                counter[0] += 1
            self.out.append("\n" + "   " * depth + mark + " ")
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if _SAFE_LINK.match(href) else None)
            if href and not _SAFE_LINK.match(href):
                self.dropped.add("a link that is not http, https or mailto")
            self.out.append("[" if self.links[-1] else "")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.dropped.add("image")
            self.out.append(f"[image: {escape_markdown(alt)}]" if alt else "[image]")
        elif tag == "pre":
            self._block()
            self.out.append("```\n")
            self.pre += 1
        elif tag == "td" or tag == "th":
            self.out.append(" ")
        elif tag not in (
            "span",
            "font",
            "u",
            "sub",
            "sup",
            "small",
            "big",
            "hr",
            "tbody",
            "thead",
            "html",
            "body",
            "label",
        ):
            self.dropped.add(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT:
            self.silent = max(self.silent - 1, 0)
        elif tag in _BLOCKS or tag in _HEADINGS:
            self._block()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._block()
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            self.out.append(f"](<{href}>)" if href else "")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```")
            self._block()

    def handle_data(self, data: str) -> None:
        if self.silent:
            return
        if self.pre:
            self.out.append(data.replace("```", "'''"))
            return
        # HTML collapses runs of whitespace, line breaks included.
        self.out.append(escape_markdown(re.sub(r"[ \t\r\n\f]+", " ", data)))


def html_to_markdown(text: str) -> tuple[str, tuple[str, ...]]:
    """HTML as Markdown, and what of it could not be kept (images, scripts, odd tags)."""
    converter = _Converter()
    converter.feed(text)
    converter.close()
    lines = []
    fenced = False
    for line in "".join(converter.out).split("\n"):
        if line.strip() == "```":
            fenced = not fenced
            lines.append("```")
            continue
        if fenced:  # <pre> text is kept exactly, indentation included
            lines.append(line)
            continue
        # Keep our list indentation and the two spaces of a line break; trim the rest.
        end = "  " if line.endswith("  ") and line.strip() else ""
        lines.append((line.rstrip() if _LIST_ITEM.match(line) else line.strip()) + end)
    markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return markdown, tuple(sorted(converter.dropped))


def auto_format_to_markdown(text: str) -> str:
    """Moodle auto-format text without tags as Markdown that shows what Moodle shows.

    Moodle turns each line break into `<br>` and each web address into a link, and shows
    every other character as written, so `*` and `_` are escaped (never emphasis), a line
    break becomes a hard break and a blank line stays a paragraph break.
    """
    lines = []
    for line in text.split("\n"):
        # HTML collapses the spaces around a line break, so indentation never shows.
        pieces = _URL.split(line.strip(" \t"))
        # split() with one group: even pieces are text, odd pieces the addresses.
        lines.append(
            "".join(escape_markdown(p) if i % 2 == 0 else f"<{p}>" for i, p in enumerate(pieces))
        )
    out = lines[:1]
    for before, line in zip(lines, lines[1:], strict=False):
        out.append(("\n" if not before.strip() or not line.strip() else "  \n") + line)
    return "".join(out)


def to_markdown(text: str, fmt: str | None) -> tuple[str, tuple[str, ...]]:
    """A Moodle text of format `fmt` (html, moodle, markdown, plain; None: moodle)."""
    if fmt == "markdown":
        return text, ()
    if fmt == "plain":
        return escape_markdown(text), ()
    if fmt == "html" or looks_like_html(text):
        if fmt != "html":
            # Moodle's auto-format keeps line breaks as breaks.
            text = text.replace("\n", "<br>")
        return html_to_markdown(text)
    return auto_format_to_markdown(text), ()


def converts_html(text: str, fmt: str | None) -> bool:
    """True when `to_markdown` reads this text as HTML (so its tags are read, not shown)."""
    return fmt == "html" or (fmt in (None, "moodle") and looks_like_html(text))


def plain_text(text: str, fmt: str | None) -> str:
    """A short Moodle text (a choice, an answer) as plain words: tags read, not shown."""
    if fmt in ("html", None, "moodle") and looks_like_html(text):
        markdown, _ = html_to_markdown(text)
        return re.sub(r"\\(.)", r"\1", markdown.replace("**", "")).strip()
    return html.unescape(text) if fmt == "html" else text
