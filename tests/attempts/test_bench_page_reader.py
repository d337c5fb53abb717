"""The load benchmarks find the real attempt page's tags with a regular expression
(bench/pages.py): the tags and attributes found must be those a full HTML parser finds, or a
template change would make the exam bench post answers the page never offered."""

from __future__ import annotations

from html.parser import HTMLParser

from bench.pages import PageParser, parse_page
from studyapp.quizzes.models import ReviewTiming
from tests import factories


class FullParser(HTMLParser):
    """The reference: every tag found by the standard library's parser, read as the bench does."""

    def __init__(self) -> None:
        super().__init__()
        self.found = PageParser()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.tag(tag, {k: v or "" for k, v in attrs})


def _full(page: str) -> PageParser:
    parser = FullParser()
    parser.feed(page)
    return parser.found


def test_the_bench_reads_the_attempt_page_as_a_full_parser_does(session, course, student_client):
    quiz = factories.make_quiz(session, course, review_timing=ReviewTiming.NEVER, layout="one_page")
    session.commit()
    started = student_client.post(f"/quizzes/{quiz.id}/start")
    page = student_client.get(started.location).get_data(as_text=True)
    read, reference = parse_page(page), _full(page)
    assert read.questions == reference.questions
    kinds = {q.kind: q for q in read.questions}
    assert set(kinds) == {"single", "multiple", "numeric", "short", "essay"}
    assert len(kinds["single"].values) == 3 and len(kinds["multiple"].values) == 3
    assert kinds["numeric"].values == []


def test_the_bench_reads_the_form_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    page = app.test_client().get("/login").get_data(as_text=True)
    token = parse_page(page).csrf
    assert token and token == _full(page).csrf
