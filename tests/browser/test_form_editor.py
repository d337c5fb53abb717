"""An instructor writes one question of each type through the form only (reordering rows by
keyboard), previews it, saves it and finds it in the bank; clicks and keystrokes are counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.banks.sync import sync_banks
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser


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


def _write(page: Page, c: Counter, kind: str) -> str:
    prompt = f"Browser {kind} question: what does the reading say?"
    if kind == "blanks":
        prompt = "The deal was signed in [[city]] in [[year]]."
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


def test_one_question_of_each_type_through_the_form(live_server, page: Page, a11y, capsys):
    app = live_server.app
    session = app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    sync_banks(session, Path(app.config["QUESTIONS_DIR"]))
    session.commit()
    session.close()

    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.get_by_role("link", name="Question banks").click()
    page.get_by_role("link", name="The S-400 purchase", exact=False).first.click()
    bank_url = page.url
    figures = {}
    for kind in (
        "single",
        "multiple",
        "truefalse",
        "short",
        "numeric",
        "ordering",
        "matching",
        "blanks",
        "essay",
    ):
        c = Counter(page)
        page.goto(bank_url)
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
        figures[kind] = (c.clicks, c.keys)
    with capsys.disabled():
        print("\nclicks, keystrokes per question:", figures)
    assert all(clicks <= 20 for clicks, _ in figures.values())
