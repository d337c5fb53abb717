"""Bad input in the question editors: each posted as the page posts it gets a message at its
field and changes nothing; a stale version (someone saved in between) shows both versions."""

from __future__ import annotations

import pytest
from formpage import errors_at, form_fields, new_form, page_html, post_form, replace, version_count
from sqlalchemy import select

from studyapp.banks import models, services
from studyapp.banks.formeditor import mapping


@pytest.fixture
def bank(town_bank):
    return town_bank


def _refused(client, url, fields, field, words, status=422):
    response = post_form(client, url, fields)
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:1500]
    assert words in errors_at(html, field), errors_at(html, field)
    return html


def test_missing_key_is_refused_at_the_answer(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "single")
    before = version_count(session)
    _refused(instructor_client, url, [f for f in fields if f[0] != "answer"], "answer", "answer")
    assert version_count(session) == before


def test_duplicate_choices_are_refused_at_the_row(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "single")
    fields = replace(fields, "choice_text", "Salt", "salt.", "Iron")
    before = version_count(session)
    _refused(instructor_client, url, fields, "choices-1", "same text as choice A")
    assert version_count(session) == before


def test_unreadable_tolerance_is_refused_at_the_tolerance(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "numeric")
    html = _refused(
        instructor_client, url, replace(fields, "tolerance", "a few"), "tolerance", "number"
    )
    assert 'value="a few"' in html  # what was typed stays in the field
    assert version_count(session) == 2


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("salt(", "not a valid regular expression"),
        ("(s+)+alt", "a repeat inside a repeat"),
        ("(s|ss)+alt", "alternatives inside a repeat"),
    ],
)
def test_bad_patterns_are_refused_at_the_pattern(instructor_client, bank, session, pattern, words):
    url, fields = new_form(instructor_client, bank, "short")
    _refused(instructor_client, url, replace(fields, "pattern", pattern), "pattern", words)
    assert version_count(session) == 2


def test_a_blank_name_used_twice_is_refused(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "blanks")
    rows = replace(fields, "blank_name", "city", "city")
    rows = replace(rows, "blank_answers", "Sochi", "Astana")
    _refused(instructor_client, url, rows, "blanks-1", "used twice")
    twice = replace(fields, "prompt", "In [[city]], then [[city]] again, in [[year]].")
    _refused(instructor_client, url, twice, "prompt", "more than once")
    assert version_count(session) == 2


def test_ten_thousand_choices_are_refused_above_the_limit(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "single")
    keys = [f"{chr(65 + i // 400 % 26)}{i % 400}" for i in range(10_000)]
    fields = replace(fields, "choice_key", *keys)
    fields = replace(fields, "choice_text", *[f"Option {i}" for i in range(10_000)])
    fields = replace(fields, "choice_feedback", *[""] * 10_000)
    _refused(instructor_client, url, fields, "choices", f"at most {mapping.MAX_ROWS} rows")
    assert version_count(session) == 2


# --- a stale version: someone else saved in between ---


def _trade(session):
    session.expire_all()
    return session.scalar(select(models.Question).where(models.Question.key == "trade"))


def test_a_stale_version_in_the_form_shows_both_and_saves_neither(instructor_client, bank, session):
    url = f"/teach/banks/{bank.id}/form/trade"
    opened = form_fields(page_html(instructor_client, url))
    assert ["base_version", "1"] in opened
    mine = replace(opened, "choice_text", "Salt", "Iron ore")
    theirs = replace(opened, "choice_text", "Sea salt", "Iron")
    assert post_form(instructor_client, url, theirs).status_code == 302
    before = version_count(session)
    response = post_form(instructor_client, url, mine)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    top = html.split('id="form-editor"', 1)[0]
    assert "Version 2 was saved while you were editing" in top and "Sea salt" in top
    assert 'value="Iron ore"' in html
    assert version_count(session) == before and _trade(session).current_number == 2
    # Saving again from the page that showed both replaces theirs knowingly.
    assert post_form(instructor_client, url, form_fields(html)).status_code == 302
    content = services.current_version(_trade(session)).content
    assert content["choices"]["B"] == "Iron ore"


def _yaml_editor(client, bank):
    url = f"/teach/banks/{bank.id}/questions/trade/edit"
    return url, form_fields(page_html(client, url), "question-form")


def test_a_stale_version_in_the_yaml_tab_shows_both_and_saves_neither(
    instructor_client, bank, session
):
    url, opened = _yaml_editor(instructor_client, bank)
    assert ["base_version", "1"] in opened
    text = dict(opened)["text"]
    theirs = replace(opened, "text", text.replace("B: Iron", "B: Cast iron"))
    mine = replace(opened, "text", text.replace("B: Iron", "B: Iron ore"))
    assert instructor_client.post(url, data=dict(theirs)).status_code == 302
    before = version_count(session)
    response = instructor_client.post(url, data=dict(mine))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    top = html.split('id="question-form"', 1)[0]
    assert "Version 2 was saved while you were editing" in top
    assert "B: Cast iron" in top.split('id="their-version"', 1)[1]
    shown = form_fields(html, "question-form")
    assert "B: Iron ore" in dict(shown)["text"] and ["base_version", "2"] in shown
    assert version_count(session) == before and _trade(session).current_number == 2
    assert instructor_client.post(url, data=dict(shown)).status_code == 302
    content = services.current_version(_trade(session)).content
    assert (_trade(session).current_number, content["choices"]["B"]) == (3, "Iron ore")


def test_the_form_s_advanced_tab_keeps_the_version_it_opened(instructor_client, bank, session):
    form_url = f"/teach/banks/{bank.id}/form/trade"
    opened = form_fields(page_html(instructor_client, form_url))
    yaml_page = post_form(instructor_client, form_url, opened, "yaml").get_data(as_text=True)
    fields = form_fields(yaml_page, "question-form")
    assert ["base_version", "1"] in fields
    _, theirs = _yaml_editor(instructor_client, bank)
    theirs = replace(theirs, "text", dict(theirs)["text"].replace("A: Salt", "A: Rock salt"))
    yaml_url = f"/teach/banks/{bank.id}/questions/trade/edit"
    assert instructor_client.post(yaml_url, data=dict(theirs)).status_code == 302
    response = instructor_client.post(yaml_url, data=dict(fields))
    assert response.status_code == 409 and "A: Rock salt" in response.get_data(as_text=True)
    assert _trade(session).current_number == 2
