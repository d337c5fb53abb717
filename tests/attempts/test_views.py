"""Taking a quiz over HTTP: what a student receives, saving with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from studyapp.attempts import services
from studyapp.core.clock import utcnow
from studyapp.quizzes.models import ReviewContent, ReviewTiming
from tests import factories, pages
from tests.conftest import count_statements, login

SECRETS = ("SECRET-EXPLANATION", "SECRET-FEEDBACK", "SECRET-MODEL-ANSWER", "zanzibar-salt", "Twice")


@pytest.fixture
def quiz(session, course):
    quiz = factories.make_quiz(session, course, review_timing=ReviewTiming.NEVER, layout="one_page")
    session.commit()
    return quiz


def _start(client, quiz) -> str:
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302, response.data
    return response.headers["Location"]


def _positions(page: str) -> dict[str, int]:
    return {
        m[2]: int(m[1])
        for m in re.finditer(
            r'name="positions" value="(\d+)">\s*<fieldset class="question" data-type="(\w+)"', page
        )
    }


def test_start_page_and_home_list_the_quiz(student_client, quiz):
    home = student_client.get("/").get_data(as_text=True)
    assert quiz.title in home and "To do" in home
    page = student_client.get(f"/quizzes/{quiz.id}")
    assert page.status_code == 200 and b"Start the quiz" in page.data


def test_nothing_a_student_receives_holds_the_key(student_client, quiz):
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    positions = _positions(page)
    saved = student_client.post(
        f"{url}/save",
        data={"position": positions["short"], f"q{positions['short']}": "x", "revision": 0},
    )
    confirm = student_client.get(f"{url}/submit").get_data(as_text=True)
    submitted = student_client.post(f"{url}/submit", follow_redirects=True).get_data(as_text=True)
    home = student_client.get("/").get_data(as_text=True)
    for body in (page, saved.get_data(as_text=True), confirm, submitted, home):
        for secret in SECRETS:
            assert secret not in body
    assert "does not release results" in submitted


def test_form_post_saves_without_javascript_and_a_reload_shows_it(session, student_client, quiz):
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    pos = _positions(page)
    single, multiple = f"q{pos['single']}", f"q{pos['multiple']}"
    data = {
        "positions": list(pos.values()),
        single: pages.choice_value(page, single, "The river town"),
        multiple: [pages.choice_value(page, multiple, t) for t in ("Salt", "Grain")],
        f"q{pos['short']}": "salt",
        f"{single}-flag": ["0", "1"],
    }
    assert student_client.post(url, data=data).status_code == 302
    again = student_client.get(url).get_data(as_text=True)
    assert pages.checked(again, single) == {"The river town"}
    assert pages.checked(again, multiple) == {"Salt", "Grain"}
    assert 'value="salt"' in again
    # Stored by key, whatever positions this attempt showed the choices in.
    attempt = services.get_attempt(session, int(url.rsplit("/", 1)[1]))
    responses = {row.version.type: row.response for row in attempt.questions}
    assert responses["single"] == "A" and responses["multiple"] == ["A", "B"]


def test_autosave_reports_revision_and_other_tab(student_client, quiz):
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    pos = _positions(page)["single"]
    river, hill = (
        pages.choice_value(page, f"q{pos}", t) for t in ("The river town", "The hill town")
    )
    first = student_client.post(
        f"{url}/save", data={"position": pos, f"q{pos}": river, "revision": 0}
    ).json
    second = student_client.post(
        f"{url}/save", data={"position": pos, f"q{pos}": hill, "revision": 0}
    ).json
    assert first["ok"] and not first["overwrote_other"]
    assert second["revision"] == 2 and second["overwrote_other"]
    assert set(second) == {"ok", "revision", "saved_at", "overwrote_other"}


def _single_values(client, url) -> tuple[int, list[str], dict[str, str]]:
    """The single-choice question's position, the values its choices post, and their labels."""
    page = client.get(url).get_data(as_text=True)
    pos = _positions(page)["single"]
    found = pages.choices(page, f"q{pos}")
    return pos, sorted(found.values()), {v: label for label, v in found.items()}


def test_a_journal_replay_never_overwrites_a_newer_answer_from_another_device(student_client, quiz):
    url = _start(student_client, quiz)
    pos, (a, b, *_), labels = _single_values(student_client, url)
    # Another device saves b over revision 0 while this one typed a offline over it.
    other = student_client.post(f"{url}/save", data={"position": pos, f"q{pos}": b, "revision": 0})
    assert other.json["revision"] == 1
    replay = student_client.post(
        f"{url}/save", data={"position": pos, f"q{pos}": a, "revision": 0, "journal": "1"}
    )
    assert replay.status_code == 409
    assert replay.json["stale"] and replay.json["revision"] == 1
    page = student_client.get(url).get_data(as_text=True)
    assert pages.checked(page, f"q{pos}") == {labels[b]}


def test_a_journal_replay_lands_on_its_revision_and_a_resend_is_a_no_op(student_client, quiz):
    url = _start(student_client, quiz)
    pos, (a, *_), _ = _single_values(student_client, url)
    data = {"position": pos, f"q{pos}": a, "revision": 0, "journal": "1"}
    first = student_client.post(f"{url}/save", data=data)
    assert first.status_code == 200 and first.json["revision"] == 1
    # Its reply was lost, so the journal sends it again: acknowledged, nothing changes.
    again = student_client.post(f"{url}/save", data=data)
    assert again.status_code == 200 and again.json["revision"] == 1


def test_a_replay_goes_over_the_browser_own_send_whose_reply_was_lost(student_client, quiz):
    url = _start(student_client, quiz)
    pos, (a, b, c, *_), _ = _single_values(student_client, url)
    # a arrived (revision 1) but the browser never heard back; the student then chose c.
    lost = student_client.post(f"{url}/save", data={"position": pos, f"q{pos}": a, "revision": 0})
    assert lost.json["revision"] == 1
    replay = {"position": pos, f"q{pos}": c, "revision": 0, "journal": "1", f"was{pos}": a}
    saved = student_client.post(f"{url}/save", data=replay)
    assert saved.status_code == 200 and saved.json["revision"] == 2
    # Had another device saved b instead, the replay would be refused.
    student_client.post(f"{url}/save", data={"position": pos, f"q{pos}": b, "revision": 2})
    refused = student_client.post(f"{url}/save", data={**replay, "revision": 2})
    assert refused.status_code == 409 and refused.json["stale"]


def test_autosave_refuses_unknown_question_and_closed_attempt(student_client, quiz):
    url = _start(student_client, quiz)
    assert student_client.post(f"{url}/save", data={"position": 99, "q99": "A"}).status_code == 404
    student_client.post(f"{url}/submit")
    late = student_client.post(f"{url}/save", data={"position": 0, "q0": "A"})
    assert late.status_code == 409 and late.json["closed"]


def _take_counting(app, client, quiz) -> tuple[list[int], int]:
    """Statements of each autosave of an attempt, and of its submit."""
    url = _start(client, quiz)
    positions = _positions(client.get(url).get_data(as_text=True))
    answers = {"single": "A", "multiple": ["A", "B"], "numeric": "2", "short": "salt"}
    saves = []
    for kind, position in positions.items():
        with count_statements(app) as statements:
            reply = client.post(
                f"{url}/save", data={"position": position, f"q{position}": answers[kind]}
            )
        assert reply.json["ok"], reply.json
        saves.append(len(statements))
    with count_statements(app) as statements:
        assert client.post(f"{url}/submit").status_code == 302
    return saves, len(statements)


def test_save_and_submit_statements_do_not_grow_with_the_quiz(app, session, course, student_client):
    # A save reads and writes one row whatever the quiz; a submit grades every answer and
    # feeds study mode in batches. First attempts create the cards, second ones move them.
    small, large = (
        factories.make_quiz(session, course, keys=keys, layout="one_page", attempts_allowed=2)
        for keys in (("capital",), ("goods", "rebuilt", "river"))
    )
    session.commit()
    counts = [_take_counting(app, student_client, quiz) for quiz in (small, large, small, large)]
    every_save = {n for saves, _ in counts for n in saves}
    assert len(every_save) == 1 and every_save.pop() <= 4, counts
    first_submits = {submit for _, submit in counts[:2]}
    later_submits = {submit for _, submit in counts[2:]}
    assert len(first_submits) == 1 and len(later_submits) == 1, counts
    # Login check, the attempt, the claim, its rows with their versions, two grade writes;
    # study: the cards, the exam dates (no exam ahead: no look-up of banks), one batch of
    # cards, one of reviews; the LMS outbox check.
    assert first_submits.pop() == 11 and later_submits.pop() == 11, counts


def test_someone_elses_attempt_is_not_found(app, session, course, quiz, student_client):
    url = _start(student_client, quiz)
    other = factories.make_user(session)
    factories.make_enrollment(session, course, other)
    session.commit()
    intruder = app.test_client()
    login(intruder, other.email)
    assert intruder.get(url).status_code == 404
    assert intruder.post(f"{url}/save", data={"position": 0, "q0": "A"}).status_code == 404
    assert intruder.post(f"{url}/submit").status_code == 404
    assert intruder.get(f"{url}/review").status_code == 404


def test_quiz_of_another_class_or_draft_is_not_found(student_client, session, instructor):
    other_course = factories.make_course(session, instructor)
    other = factories.make_quiz(session, other_course, keys=("capital",))
    session.commit()
    assert student_client.get(f"/quizzes/{other.id}").status_code == 404
    assert student_client.post(f"/quizzes/{other.id}/start").status_code == 404


def test_double_submit_grades_once_and_says_so(student_client, quiz, session):
    url = _start(student_client, quiz)
    first = student_client.post(f"{url}/submit", follow_redirects=True)
    second = student_client.post(f"{url}/submit", follow_redirects=True)
    assert b"Your attempt was submitted." in first.data
    assert b"This attempt was already submitted." in second.data


def test_full_review_shows_key_explanation_and_cited_paragraph(session, course, student_client):
    from pathlib import Path

    from studyapp.banks.readings import load_reading_text

    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        review_timing=ReviewTiming.IMMEDIATELY,
        review_content=ReviewContent.FULL,
    )
    sample = Path(__file__).parents[1] / "banks" / "data" / "sample-reading.md"
    load_reading_text(session, "sample", sample.read_bytes())
    session.commit()
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    hill = pages.choice_value(page, "q0", "The hill town")
    student_client.post(url, data={"positions": [0], "q0": hill})
    review = student_client.post(f"{url}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Score: <strong>0 / 1</strong>" in review
    assert "SECRET-EXPLANATION" in review and "SECRET-FEEDBACK" in review
    assert "¶1</strong> The first paragraph says that the river town traded salt" in review


def test_expired_attempt_page_goes_to_review(app, session, course, student, student_client):
    quiz = factories.make_quiz(session, course, keys=("capital",), time_limit_minutes=5)
    attempt = services.start_attempt(session, quiz, student, utcnow() - timedelta(minutes=10))
    session.commit()
    response = student_client.get(f"/attempts/{attempt.id}")
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/review")


def _flag_box(page: str, position: int) -> str:
    return re.search(rf'<input type="checkbox" name="q{position}-flag"[^>]*>', page)[0]


def _hidden_flag(page: str, position: int) -> str:
    return re.search(rf'<input type="hidden" name="q{position}-flag" value="([^"]*)">', page)[1]


def test_a_flag_ticked_on_the_page_survives_autosave_reload_and_the_confirm_page(
    student_client, quiz
):
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    pos = _positions(page)["short"]
    # What the script sends for a ticked box: the hidden field's 0, then the box's 1.
    hidden, box = _hidden_flag(page, pos), re.search(r'value="(\d)"', _flag_box(page, pos))[1]
    assert (hidden, box) == ("0", "1")
    fields = [("position", str(pos)), ("revision", "0"), (f"q{pos}", "salt")]
    fields += [(f"q{pos}-flag", hidden), (f"q{pos}-flag", box)]
    assert student_client.post(f"{url}/save", data=MultiDict(fields)).json["ok"]
    again = student_client.get(url).get_data(as_text=True)
    assert " checked" in _flag_box(again, pos)
    confirm = student_client.get(f"{url}/submit").get_data(as_text=True)
    assert re.search(rf"Flagged: <a [^>]*page={pos + 1}\">{pos + 1}</a>", confirm)
    # Unticking sends the hidden 0 alone, and the flag goes.
    fields = [("position", str(pos)), ("revision", "1"), (f"q{pos}", "salt")]
    student_client.post(f"{url}/save", data=MultiDict([*fields, (f"q{pos}-flag", "0")]))
    assert " checked" not in _flag_box(student_client.get(url).get_data(as_text=True), pos)


def test_a_flag_ticked_without_javascript_survives_reload_and_the_confirm_page(
    student_client, quiz
):
    url = _start(student_client, quiz)
    page = student_client.get(url).get_data(as_text=True)
    pos = _positions(page)
    # The plain form sends every question's hidden 0, and a 1 after it for ticked boxes.
    fields = [("positions", str(p)) for p in pos.values()]
    for p in pos.values():
        fields.append((f"q{p}-flag", _hidden_flag(page, p)))
        if p == pos["single"]:
            fields.append((f"q{p}-flag", "1"))
    fields.append(("go", "submit"))
    response = student_client.post(url, data=MultiDict(fields))
    assert response.headers["Location"].endswith("/submit")
    confirm = student_client.get(response.headers["Location"]).get_data(as_text=True)
    single = pos["single"]
    assert re.search(rf"Flagged: <a [^>]*page={single + 1}\">{single + 1}</a></p>", confirm)
    again = student_client.get(url).get_data(as_text=True)
    assert " checked" in _flag_box(again, single)
    assert all(" checked" not in _flag_box(again, p) for p in pos.values() if p != single)
