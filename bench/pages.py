"""What the load clients read off the app's pages: the form token and the attempt's questions.

Kept apart from the HTTP clients (and their aiohttp) so the tests can check it against the
real attempt page: a template change that the bench would misread fails a test, not a run.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass
class Question:
    """One question of the attempt page: where it is, its revision, and the choices offered."""

    position: int
    revision: int
    kind: str
    values: list[str] = field(default_factory=list)


#: The three tags the bench reads, and their attributes. A regular expression rather than
#: html.parser: the load client shares the 2 cores with the server it measures, and parsing
#: every attempt page tag by tag cost it more CPU than the server spent rendering the page.
_TAG = re.compile(r"<(section|fieldset|input)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


@dataclass
class PageParser:
    """The CSRF token and, on the attempt page, each question's section and inputs."""

    csrf: str = ""
    questions: list[Question] = field(default_factory=list)

    def feed(self, page: str) -> None:
        """Note sections, fieldsets and inputs in page order; the order is the nesting."""
        for match in _TAG.finditer(page):
            attrs = {k: html.unescape(v) for k, v in _ATTR.findall(match.group(2))}
            self.tag(match.group(1).lower(), attrs)

    def tag(self, tag: str, a: dict[str, str]) -> None:
        """Take one start tag: what the page means, apart from how its tags were found."""
        if tag == "section" and "attempt-question" in a.get("class", "").split():
            self.questions.append(Question(int(a["data-position"]), int(a["data-revision"]), ""))
        elif tag == "fieldset" and self.questions and "question" in a.get("class", "").split():
            self.questions[-1].kind = a.get("data-type", "")
        elif tag == "input" and a.get("name") == "csrf_token" and not self.csrf:
            self.csrf = a.get("value", "")
        elif tag == "input" and self.questions and a.get("type") in ("radio", "checkbox"):
            question = self.questions[-1]
            if a.get("name") == f"q{question.position}":
                question.values.append(a.get("value", ""))


def parse_page(page: str) -> PageParser:
    """Parse a page once and hand back what it found."""
    parser = PageParser()
    parser.feed(page)
    return parser
