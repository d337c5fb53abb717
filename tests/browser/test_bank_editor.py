"""An instructor writes a question in the browser with the live preview, then saves it."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.banks.sync import sync_banks
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser


def test_write_a_question_with_live_preview(live_server, page: Page, a11y):
    app = live_server.app
    session = app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    sync_banks(session, Path(app.config["QUESTIONS_DIR"]))
    session.commit()
    session.close()

    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.get_by_role("link", name="Question banks").click()
    page.get_by_role("link", name="The S-400 purchase", exact=False).first.click()
    page.get_by_label("New question of type").select_option("single")
    page.get_by_role("button", name="Write in the bank format (YAML)").click()

    editor = page.get_by_label("Question (bank format)")
    expect(page.locator("#preview fieldset.question")).to_be_visible()
    text = (
        editor.input_value()
        .replace("new-question", "browser-written")
        .replace("Which of these ...?", "Which system did Turkey buy from Russia?")
    )
    editor.fill(text.replace("First option", "The S-400"))
    expect(page.locator("#preview")).to_contain_text("Which system did Turkey buy from Russia?")
    expect(page.locator("#preview")).to_contain_text("The S-400")
    # An id that names its answer: the preview warns beside the question, at its line.
    named = text.replace("browser-written", "browser-triumf")
    editor.fill(named.replace("First option", "The S-400 Triumf"))
    expect(page.locator("#preview-warnings")).to_contain_text(
        "line 1: warning: the id contains 'triumf'"
    )

    editor.fill(text.replace("answer: A", "answer: Z"))
    expect(page.locator("#preview-issues")).to_contain_text("'Z' is not one of the choices")

    editor.fill(text)
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Saved question 'browser-written' (version 1).")).to_be_visible()
    expect(page.locator("#q-browser-written")).to_contain_text("web")
