"""The answer journal in Chromium: answers typed offline survive a reload and a closed browser,
arrive once the network returns, never overwrite a newer answer from another device, and a
deadline passing offline is left to the server's grace rule."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import select

from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.attempts.services import GRACE
from studyapp.core.clock import utcnow
from studyapp.quizzes.models import ReviewTiming
from tests import factories
from tests.browser.fixtures import AccessibilityLog, log_in

pytestmark = pytest.mark.browser

KEYS = ("capital", "goods", "rebuilt")
JOURNAL_KEYS = "Object.keys(localStorage).filter((k) => k.startsWith('studyapp.journal.'))"


@pytest.fixture
def world(live_server):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    course = factories.make_course(session, name="Exam class")
    student = factories.make_user(session, name="Selin Student")
    factories.make_enrollment(session, course, student)
    factories.make_bank(session)
    session.commit()
    yield session, course, student
    session.close()


def _start(page: Page, base: str, student, quiz) -> str:
    log_in(page, base, student.email, factories.PASSWORD)
    page.goto(f"{base}/quizzes/{quiz.id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("#attempt-form[data-ready]", state="attached")
    return page.url


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#attempt-form[data-ready]", state="attached")


def _cut_network(context, page: Page) -> None:
    context.set_offline(True)
    # The page learns of it a moment later; answer only once it has.
    page.wait_for_function("!navigator.onLine")


def _answer_three(page: Page) -> None:
    page.get_by_label("The river town").check()
    page.get_by_label("Salt").check()
    page.get_by_label("Grain").check()
    page.get_by_label("Your answer").fill("2")
    page.get_by_label("Your answer").blur()


def _responses(session, quiz) -> dict[int, object]:
    session.expire_all()
    attempt = session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id))
    rows = session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id))
    return {row.position: row.response for row in rows}


def _expected(page: Page) -> dict[int, object]:
    """What the three answers are, by the positions this attempt shows them at."""
    positions = {}
    for section in page.locator(".attempt-question").all():
        text = section.inner_text()
        key = "capital" if "salt?" in text else "goods" if "goods" in text else "rebuilt"
        positions[key] = int(section.get_attribute("data-position"))
    return {positions["capital"]: "A", positions["goods"]: ["A", "B"], positions["rebuilt"]: "2"}


def _quiz(session, course, **settings):
    quiz = factories.make_quiz(session, course, keys=KEYS, layout="one_page", **settings)
    session.commit()
    return quiz


def test_answers_typed_offline_survive_a_reload_and_arrive_when_the_network_returns(
    live_server, page: Page, a11y, world
):
    session, course, student = world
    quiz = _quiz(session, course)
    url = _start(page, live_server.url, student, quiz)
    _cut_network(page.context, page)
    _answer_three(page)
    expect(page.locator("#save-status")).to_contain_text("Offline — 3 answers waiting")
    expected = _expected(page)
    assert set(_responses(session, quiz).values()) == {None}
    with pytest.raises(PlaywrightError):
        page.reload()  # offline: the browser cannot load the page
    page.context.set_offline(False)
    _open(page, url)
    expect(page.get_by_label("The river town")).to_be_checked()
    expect(page.get_by_label("Your answer")).to_have_value("2")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert _responses(session, quiz) == expected
    assert page.evaluate(JOURNAL_KEYS) == []


def test_answers_typed_offline_survive_a_closed_browser(
    live_server, browser_type, browser_type_launch_args, tmp_path, world
):
    session, course, student = world
    quiz = _quiz(session, course)
    profile = tmp_path / "profile"
    log = AccessibilityLog()

    context = browser_type.launch_persistent_context(str(profile), **browser_type_launch_args)
    page = context.new_page()
    log.watch(page)
    url = _start(page, live_server.url, student, quiz)
    _cut_network(context, page)
    _answer_three(page)
    expect(page.locator("#save-status")).to_contain_text("Offline — 3 answers waiting")
    expected = _expected(page)
    # The tab crashes while the network is still down. Closing the context first would end
    # Playwright's emulated offline state while the page still lives, and the page would send
    # its answers in that moment, which no dead tab can do.
    with page.expect_event("crash"), contextlib.suppress(PlaywrightError):
        page.goto("chrome://crash")  # Chromium's own way to crash a tab's renderer
    context.close()
    assert set(_responses(session, quiz).values()) == {None}

    context = browser_type.launch_persistent_context(str(profile), **browser_type_launch_args)
    try:
        page = context.new_page()
        log.watch(page)
        log_in(page, live_server.url, student.email, factories.PASSWORD)
        _open(page, url)
        # Two browser starts on a busy machine: allow the page more than the usual 5 s.
        expect(page.get_by_label("Salt")).to_be_checked(timeout=15_000)
        expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=15_000)
        assert _responses(session, quiz) == expected
    finally:
        context.close()
    assert not log.violations, log.violations


def test_a_journal_answer_never_overwrites_a_newer_one_from_another_device(
    live_server, page: Page, a11y, browser, world
):
    session, course, student = world
    quiz = _quiz(session, course, review_timing=ReviewTiming.IMMEDIATELY)
    url = _start(page, live_server.url, student, quiz)
    _cut_network(page.context, page)
    page.get_by_label("The hill town").check()
    expect(page.locator("#save-status")).to_contain_text("Offline — 1 answer waiting")

    other = browser.new_context()
    try:
        phone = other.new_page()
        log_in(phone, live_server.url, student.email, factories.PASSWORD)
        _open(phone, url)
        phone.get_by_label("The river town").check()
        expect(phone.locator("#save-status")).to_contain_text("All answers saved")
    finally:
        other.close()

    page.context.set_offline(False)
    capital = page.locator(".attempt-question", has_text="Which town traded salt?")
    expect(capital.locator(".question-status")).to_contain_text("A newer answer")
    assert "A" in _responses(session, quiz).values()
    assert "B" not in _responses(session, quiz).values()
    assert page.evaluate(JOURNAL_KEYS) == []
    # Submitting leaves nothing in the journal, even an answer queued at the last moment.
    page.evaluate(
        "localStorage.setItem(`studyapp.journal.${document.getElementById('attempt-form')"
        ".dataset.attempt}.0`, JSON.stringify({position: '0', seq: 1, revision: '9', fields: []}))"
    )
    page.get_by_role("button", name="Finish and submit…").click()
    page.get_by_role("button", name="Submit now").click()
    expect(page.get_by_role("heading", name=re.compile("attempt 1"))).to_be_visible()
    assert page.evaluate(JOURNAL_KEYS) == []


def test_an_answer_whose_reply_was_lost_does_not_block_the_next_one(
    live_server, page: Page, a11y, world
):
    session, course, student = world
    quiz = _quiz(session, course)
    url = _start(page, live_server.url, student, quiz)
    lost: list[str] = []

    def lose_the_reply(route):
        route.fetch()  # the save reaches the server and is stored...
        lost.append(route.request.url)
        route.abort("internetdisconnected")  # ...but the page never hears back

    save = re.compile(r".*/attempts/\d+/save$")
    page.route(save, lose_the_reply)
    page.get_by_label("The river town").check()
    expect(page.locator("#save-status")).to_contain_text("Retrying")
    _cut_network(page.context, page)
    page.unroute(save)
    page.get_by_label("The sea town").check()
    expect(page.locator("#save-status")).to_contain_text("Offline — 1 answer waiting")
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    capital = page.locator(".attempt-question", has_text="Which town traded salt?")
    expect(capital.locator(".question-status")).to_contain_text("Saved at")
    assert lost and "C" in _responses(session, quiz).values()
    _open(page, url)
    expect(page.get_by_label("The sea town")).to_be_checked()


def test_a_deadline_passing_offline_is_said_and_the_server_grace_rule_decides(
    live_server, page: Page, a11y, world
):
    session, course, student = world
    closes_at = utcnow() + timedelta(seconds=10)
    quiz = _quiz(session, course, closes_at=closes_at, review_timing=ReviewTiming.IMMEDIATELY)
    _start(page, live_server.url, student, quiz)
    page.get_by_label("The river town").check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    _cut_network(page.context, page)
    page.get_by_label("Salt").check()
    expect(page.locator("#timer-warning")).to_contain_text(
        "The time ran out with 1 answer waiting", timeout=20_000
    )
    expect(page.locator("#timer-warning")).to_contain_text("grace period")
    # Reconnect only past the server's grace period, by the clock the server reads (browser and
    # server share this machine's).
    past_grace = (closes_at + GRACE).timestamp() * 1000
    page.wait_for_function("(t) => Date.now() > t", arg=past_grace, polling=100, timeout=15_000)
    page.context.set_offline(False)
    expect(page.get_by_text("when the time was up")).to_be_visible(timeout=15_000)
    answers = _responses(session, quiz)
    assert "A" in answers.values()  # saved in time
    assert ["A"] not in answers.values()  # arrived after the grace period: refused
    assert page.evaluate(JOURNAL_KEYS) == []


def test_answers_are_still_sent_where_the_browser_storage_refuses_writes(
    live_server, page: Page, a11y, world
):
    session, course, student = world
    quiz = _quiz(session, course)
    page.add_init_script(
        "Storage.prototype.setItem = function () {"
        " throw new DOMException('full', 'QuotaExceededError'); };"
    )
    _start(page, live_server.url, student, quiz)
    _answer_three(page)
    expect(page.locator(".question-status", has_text="Saved at")).to_have_count(3)
    assert _responses(session, quiz) == _expected(page)
