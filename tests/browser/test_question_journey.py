"""The instructor's journey from writing to a student's screen, in one test: one question of
each type written through the form only (rows moved by keyboard), previewed and saved; found
in the quiz's picker by a word of the prompt, previewed there in place, three added at once;
the quiz published; and a student, in a browser of their own, gets those three.

Clicks and keystrokes per question are counted, and the journey's wall time is printed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.banks.sync import sync_banks
from studyapp.quizzes import services as quizzes
from tests import factories
from tests.browser.fixtures import log_in, make_class

pytestmark = pytest.mark.browser

KINDS = ("single", "multiple", "truefalse", "short", "numeric", "ordering", "matching", "blanks")
KINDS += ("essay",)
# Written in the order the single question's rows end up in; the box keeps it for students.
WRITTEN_ORDER = ["The S-400", "The Patriot", "The HQ-9", "The F-35"]
FOR_THE_STUDENT = ("single", "truefalse", "short")


class Counter:
    """Drives the page and counts what an instructor does: clicks, and keys (each typed
    character, and each key pressed on a focused button)."""

    def __init__(self, page: Page):
        self.page = page
        self.clicks = 0
        self.keys = 0

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def type(self, locator, text: str) -> None:
        locator.fill(text)
        self.clicks += 1  # into the field
        self.keys += len(text)

    def press(self, locator, key: str = "Enter") -> None:
        locator.focus()
        locator.press(key)
        self.keys += 1


def _rows(page: Page, group: str):
    return page.locator(f'[data-rows="{group}"] [data-row-list] > [data-row]')


def _prompt(kind: str) -> str:
    if kind == "blanks":
        return "On this journey the deal was signed in [[city]] in [[year]]."
    return f"Journey {kind} question: what does the reading say?"


def _write(page: Page, c: Counter, kind: str) -> str:
    prompt = _prompt(kind)
    c.type(page.get_by_label("Prompt (Markdown)"), prompt)
    if kind in ("single", "multiple"):
        texts = ["The S-400", "The Patriot", "The F-35"]
        for i, text in enumerate(texts):
            c.type(_rows(page, "choices").nth(i).locator('input[name="choice_text"]'), text)
        c.click(page.get_by_role("button", name="Add choice"))
        c.type(_rows(page, "choices").nth(3).locator('input[name="choice_text"]'), "The HQ-9")
        # Move the new choice D up one place with the keyboard; the rows are relabelled A-D.
        c.press(_rows(page, "choices").nth(3).get_by_role("button", name="Move up"))
        expect(_rows(page, "choices").nth(2).locator('input[name="choice_text"]')).to_have_value(
            "The HQ-9"
        )
        c.click(_rows(page, "choices").nth(2).get_by_label("Choice C is correct"))
        c.type(
            _rows(page, "choices").nth(1).locator('input[name="choice_feedback"]'),
            "That one is American.",
        )
        if kind == "single":
            c.click(page.get_by_label("Keep the choices in the written order"))
    elif kind == "truefalse":
        c.click(page.locator("#form-editor").get_by_label("False", exact=True))
    elif kind == "short":
        c.type(_rows(page, "accepted").nth(0).locator("input"), "Ankara")
        c.type(_rows(page, "accepted").nth(1).locator("input"), "the capital")
        c.type(page.get_by_label("Answer to try"), "ANKARA!")
        c.click(page.get_by_role("button", name="Try it"))
        expect(page.locator("#trial-result")).to_contain_text("right")
    elif kind == "numeric":
        c.type(page.get_by_label("Correct answer (a number)"), "2500000000")
        c.type(page.get_by_label("Tolerance", exact=False), "100000000")
    elif kind == "ordering":
        for i, text in enumerate(["Purchase agreed", "First delivery", "Sanctions"]):
            c.type(_rows(page, "items").nth(i).locator("input"), text)
        c.press(_rows(page, "items").nth(2).get_by_role("button", name="Move up"))
        c.press(_rows(page, "items").nth(1).get_by_role("button", name="Move down"))
        expect(_rows(page, "items").nth(2).locator("input")).to_have_value("Sanctions")
    elif kind == "matching":
        c.type(_rows(page, "pairs").nth(0).locator('input[name="pair_left"]'), "Erdogan")
        c.type(_rows(page, "pairs").nth(0).locator('input[name="pair_right"]'), "president")
        c.click(page.get_by_role("button", name="Add extra option"))
        c.type(_rows(page, "distractors").nth(0).locator("input"), "general")
    elif kind == "blanks":
        expect(_rows(page, "blanks")).to_have_count(2)
        c.type(_rows(page, "blanks").nth(0).locator("textarea"), "Moscow")
    elif kind == "essay":
        c.type(page.get_by_label("Model answer", exact=False), "The purchase strained NATO ties.")
        c.type(_rows(page, "rubric").nth(0).locator('input[name="rubric_criterion"]'), "Names NATO")
    c.click(page.get_by_role("button", name="Preview"))
    shown = prompt.split("[[")[0]
    expect(page.locator("#preview fieldset.question")).to_contain_text(shown)
    return prompt


@pytest.fixture
def world(live_server):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher, course, student = make_class(session)
    sync_banks(session, Path(live_server.app.config["QUESTIONS_DIR"]))
    quiz = quizzes.create_quiz(session, course, "Written and picked")
    quizzes.update_settings(session, quiz, {"layout": "one_page"})
    session.commit()
    yield teacher, student, quiz
    session.close()


def test_instructor_writes_nine_types_picks_three_and_a_student_gets_them(
    live_server, page: Page, browser, browser_context_args, a11y, world, capsys
):
    teacher, student, quiz = world
    started = time.perf_counter()
    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.get_by_role("link", name="Question banks").click()
    page.get_by_role("link", name="The S-400 purchase", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The S-400 purchase")
    figures, keys = {}, {}
    for kind in KINDS:
        # Each save lands back on the bank page, where the next question starts.
        c = Counter(page)
        c.click(page.get_by_label("New question of type"))
        page.get_by_label("New question of type").select_option(kind)
        c.clicks += 1  # picking the type
        c.click(page.get_by_role("button", name="Write question"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(kind)
        qid = page.get_by_label("Id").input_value()
        prompt = _write(page, c, kind)
        c.click(page.get_by_role("button", name="Save question"))
        expect(page.get_by_text(f"Saved question '{qid}' (version 1).")).to_be_visible()
        expect(page.locator(f"#q-{qid}")).to_contain_text(prompt[:40])
        expect(page.locator(f"#q-{qid}")).to_contain_text(kind)
        figures[kind], keys[kind] = (c.clicks, c.keys), qid
    written = time.perf_counter() - started

    # The picker finds all nine by a word every prompt has, whatever its case.
    page.goto(f"{live_server.url}/teach/quizzes/{quiz.id}")
    page.get_by_role("link", name="Find questions in the banks").click()
    page.get_by_label("Words of the prompt or choices").fill("JOURNEY")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="9 question(s) found")).to_be_visible()
    # The preview opens in place, by keyboard, as the student will see the question.
    row = page.locator("tr").filter(has_text=_prompt("single"))
    row.locator("details.picker-preview summary").focus()
    page.keyboard.press("Enter")
    expect(row.locator(".preview-card")).to_contain_text("The Patriot")
    for kind in FOR_THE_STUDENT:
        page.get_by_role("checkbox", name=_prompt(kind)).check()
    page.get_by_label("Points each").fill("2")
    page.get_by_role("button", name="Add selected questions").click()
    expect(page.get_by_text("Added 3 question(s).")).to_be_visible()
    for kind in FOR_THE_STUDENT:
        expect(page.get_by_text(f"s400-costs/{keys[kind]}")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: students can see it.")).to_be_visible()

    context = browser.new_context(**browser_context_args)
    try:
        student_page = context.new_page()
        a11y.watch(student_page)
        log_in(student_page, live_server.url, student.email, factories.PASSWORD)
        student_page.goto(f"{live_server.url}/quizzes/{quiz.id}")
        student_page.on("dialog", lambda dialog: dialog.accept())
        student_page.get_by_role("button", name="Start the quiz").click()
        expect(student_page.locator("#attempt-form[data-ready]")).to_be_attached()
        expect(student_page.locator(".attempt-question")).to_have_count(3)
        for kind in FOR_THE_STUDENT:
            expect(student_page.get_by_text(_prompt(kind))).to_be_visible()
        single = student_page.locator(".attempt-question").filter(has_text=_prompt("single"))
        expect(single.locator("li label")).to_have_text(WRITTEN_ORDER)
    finally:
        context.close()
    total = time.perf_counter() - started

    clicks = sum(n for n, _ in figures.values()) / len(figures)
    with capsys.disabled():
        print("\nclicks, keystrokes per question:", figures)
        print(f"clicks per question {clicks:.1f}; written in {written:.0f} s, all {total:.0f} s")
    assert all(n <= 20 for n, _ in figures.values())
