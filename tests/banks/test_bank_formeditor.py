"""The form editor: every type written through the page's own fields, the switch to the bank
format and back without loss, messages at their fields, and the coverage of the readings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bankfiles import BANK, write_questions
from formpage import errors_at, form_fields, new_form, page_html, post_form, replace, version_count
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from studyapp.banks import models, services
from studyapp.banks.content import question_to_doc
from studyapp.banks.formeditor import checks, mapping
from studyapp.banks.formeditor import services as editor
from studyapp.banks.loader import load_bank_text, load_banks, load_readings
from studyapp.banks.starters import TYPES
from studyapp.banks.sync import sync_banks

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).parent / "data" / "sample-reading.md"


@pytest.fixture
def bank(town_bank):
    return town_bank


# --- the mapping, without the web ---


CHOICE_TYPES = ("single", "multiple")


@pytest.mark.parametrize("kind", TYPES)
def test_form_yaml_form_is_equal_for_every_type(kind, session, bank):
    fields = editor.new_question_form(bank, kind, "sample ¶2")
    assert ("keep_order" in fields) == (kind in CHOICE_TYPES)
    for keep_order in ("1", []) if kind in CHOICE_TYPES else ([],):
        if kind in CHOICE_TYPES:
            fields["keep_order"] = keep_order
        mapped = mapping.form_to_doc(fields)
        checked = checks.check_doc(mapped.doc, "town", "sample", _readings(), mapped.issues)
        assert checked.question is not None, checked.issues
        assert ("shuffle: false" in checked.yaml) == bool(keep_order)
        assert checked.question.spec.get("shuffle", True) is not bool(keep_order)
        again = mapping.doc_to_form(question_to_doc(checked.question))
        assert _normal(again) == _normal(fields)


def test_an_explicit_shuffle_true_is_kept_as_written():
    doc = {"id": "x", "type": "single", "choices": {"A": "a", "B": "b"}, "answer": "A"}
    fields = mapping.doc_to_form({**doc, "shuffle": True})
    assert fields["keep_order"] == [] and '"shuffle": true' in fields["extra"]
    assert mapping.form_to_doc(fields).doc["shuffle"] is True
    # Ticking the box wins over the kept `true`.
    assert mapping.form_to_doc({**fields, "keep_order": "1"}).doc["shuffle"] is False


def _readings():
    return load_readings(ROOT / "questions" / "readings.yaml")[0] | {
        "sample": load_readings_sample()
    }


def load_readings_sample():
    from studyapp.banks.schema import Reading

    return Reading("sample", "A Short Sample Reading", "Test Author", "2026-01", 3)


def _normal(fields):
    return {k: v if isinstance(v, list) else str(v) for k, v in fields.items()}


def test_every_question_of_the_real_banks_goes_yaml_form_yaml_unchanged():
    readings, _ = load_readings(ROOT / "questions" / "readings.yaml")
    seen = set()
    for result in load_banks(ROOT / "questions", readings):
        assert result.bank is not None, result.errors
        for question in result.bank.questions:
            seen.add(question.type)
            mapped = mapping.form_to_doc(mapping.doc_to_form(question_to_doc(question)))
            checked = checks.check_doc(
                mapped.doc, result.bank.id, result.bank.source_default, readings, mapped.issues
            )
            assert checked.yaml == services.question_yaml(question), question.id
            assert checked.question == question, question.id
    assert len(seen) >= 5


def test_keys_the_form_has_no_field_for_travel_unchanged():
    doc = {**mapping.doc_to_form({"id": "x", "type": "short", "answers": ["a"]})}
    assert doc["extra"] == ""
    fields = mapping.doc_to_form({"id": "x", "type": "short", "answers": ["a"], "shuffle": False})
    assert mapping.form_to_doc(fields).doc["shuffle"] is False


def test_suggested_ids_come_from_the_source_and_a_counter():
    assert mapping.suggested_id("aras ¶6-7", "town", set()) == "aras-p6-1"
    assert mapping.suggested_id("aras ¶6", "town", {"aras-p6-1"}) == "aras-p6-2"
    assert mapping.suggested_id(None, "town", set()) == "town-1"


# --- through the pages, posting what the page posts ---


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_is_written_through_the_form_and_saved(instructor_client, bank, session, kind):
    url, fields = new_form(instructor_client, bank, kind)
    fields = replace(fields, "prompt", _prompt(kind))
    response = post_form(instructor_client, url, fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    key = dict((k, v) for k, v in fields)["qid"]
    assert key == "sample-p1-1"
    session.expire_all()
    question = session.scalar(select(models.Question).where(models.Question.key == key))
    content = services.current_version(question).content
    assert content["type"] == kind and content["prompt"] == _prompt(kind)
    assert "web" in instructor_client.get(f"/teach/banks/{bank.id}").get_data(as_text=True)


def _prompt(kind):
    if kind == "blanks":
        return "The deal was signed in [[city]] in [[year]]."
    return f"A {kind} question **in Markdown**."


@pytest.mark.parametrize("kind", TYPES)
def test_switching_to_the_yaml_tab_and_back_loses_nothing(instructor_client, bank, kind):
    url, fields = new_form(instructor_client, bank, kind)
    fields = replace(fields, "explanation", "Line one.\r\nLine two.")
    if kind in CHOICE_TYPES:
        # Tick "keep the written order" and take the fields from the page that shows it.
        previewed = post_form(instructor_client, url, [*fields, ["keep_order", "1"]], "preview")
        fields = form_fields(previewed.get_data(as_text=True))
        assert ["keep_order", "1"] in fields
    yaml_page = post_form(instructor_client, url, fields, "yaml").get_data(as_text=True)
    yaml_fields = form_fields(yaml_page, "question-form")
    assert "Line two." in dict(yaml_fields)["text"]
    assert ("shuffle: false" in dict(yaml_fields)["text"]) == (kind in CHOICE_TYPES)
    back = post_form(instructor_client, url, yaml_fields, "from_yaml")
    again = form_fields(back.get_data(as_text=True))
    drop = {"csrf_token"}
    expected = [f for f in fields if f[0] not in drop]
    expected = replace(expected, "explanation", "Line one.\nLine two.")
    assert [f for f in again if f[0] not in drop] == expected


def test_an_edit_shows_the_stored_question_and_saves_a_new_version(
    instructor_client, bank, session
):
    url = f"/teach/banks/{bank.id}/form/trade"
    fields = form_fields(page_html(instructor_client, url))
    assert ["choice_text", "Salt"] in fields and ["answer", "A"] in fields
    fields = replace(fields, "choice_feedback", "", "Iron came later.")
    assert post_form(instructor_client, url, fields).status_code == 302
    session.expire_all()
    question = session.scalar(select(models.Question).where(models.Question.key == "trade"))
    assert question.current_number == 2
    assert services.current_version(question).content["feedback"] == {"B": "Iron came later."}


def test_keep_the_written_order_is_saved_and_shown_again(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "multiple")
    fields = replace(fields, "answer", "A")
    assert post_form(instructor_client, url, [*fields, ["keep_order", "1"]]).status_code == 302
    session.expire_all()
    question = session.scalar(select(models.Question).where(models.Question.key == "sample-p1-1"))
    assert services.current_version(question).content["shuffle"] is False
    edit = form_fields(page_html(instructor_client, f"/teach/banks/{bank.id}/form/sample-p1-1"))
    assert ["keep_order", "1"] in edit
    # Unticked (the box is simply not posted), the key goes and the choices shuffle again.
    unticked = [f for f in edit if f[0] != "keep_order"]
    edit_url = f"/teach/banks/{bank.id}/form/sample-p1-1"
    assert post_form(instructor_client, edit_url, unticked).status_code == 302
    session.expire_all()
    assert "shuffle" not in services.current_version(question).content


def test_reordered_choices_carry_their_mark_and_feedback(instructor_client, bank, session):
    url, fields = new_form(instructor_client, bank, "single")
    texts = [v for k, v in fields if k == "choice_text"]
    # After "move down" on the first row the page relabels the rows A, B, C in their new
    # order: the first option is now B, and the mark (a radio with the row's key) says B.
    fields = replace(fields, "choice_text", texts[1], texts[0], texts[2])
    fields = replace(fields, "choice_feedback", "Why B is tempting but wrong.", "", "")
    fields = replace(fields, "answer", "B")
    assert post_form(instructor_client, url, fields).status_code == 302
    content = services.current_version(
        session.scalar(select(models.Question).where(models.Question.key == "sample-p1-1"))
    ).content
    assert content["choices"] == {"A": texts[1], "B": texts[0], "C": texts[2]}
    assert content["answer"] == "B" and content["feedback"] == {"A": "Why B is tempting but wrong."}
    assert sorted(content["choices"]) == list(content["choices"])


# --- preview, warnings, trial answers and the cited paragraph ---


def test_checker_warnings_show_at_their_field(instructor_client, bank):
    url, fields = new_form(instructor_client, bank, "multiple")
    fields = replace(fields, "answer", "A", "B", "C")
    response = post_form(instructor_client, url, fields, "preview")
    assert "picking them all" in errors_at(response.get_data(as_text=True), "answer")


def test_check_previews_and_grades_a_trial_answer_with_the_real_grader(instructor_client, bank):
    url, fields = new_form(instructor_client, bank, "short")
    fields = replace(fields, "accepted", "salt")
    fields = replace(fields, "pattern", r"(sea )?salt")
    check = f"/teach/banks/{bank.id}/form/check"
    right = instructor_client.post(
        check, data=MultiDict(map(tuple, replace(fields, "trial", "Sea Salt!")))
    ).json
    assert right["trial"]["correct"] is True and right["issues"] == []
    assert 'class="question"' in right["html"] and "salt" not in right["html"].split("<details")[0]
    wrong = instructor_client.post(
        check, data=MultiDict(map(tuple, replace(fields, "trial", "iron")))
    ).json
    assert wrong["trial"]["correct"] is False


def test_the_cited_paragraph_is_shown_once_the_text_is_loaded(instructor_client, bank, session):
    from studyapp.banks import readings

    readings.load_reading_text(session, "sample", SAMPLE.read_bytes())
    session.commit()
    url, fields = new_form(instructor_client, bank, "truefalse")
    html = post_form(instructor_client, url, replace(fields, "paragraphs", "2"), "preview")
    text = readings.paragraph_texts(session, "sample", (2,))[0][1]
    assert text[:40] in html.get_data(as_text=True)


def test_the_form_pages_are_for_instructors_only(student_client, client, bank):
    for url in (f"/teach/banks/{bank.id}/form/new", f"/teach/banks/{bank.id}/form/trade"):
        assert student_client.get(url).status_code == 403
        assert client.get(url).status_code in (302, 401)
    assert student_client.post(f"/teach/banks/{bank.id}/form/check").status_code == 403


def test_unknown_banks_and_questions_answer_404(instructor_client, bank):
    assert instructor_client.get("/teach/banks/9999/form/new").status_code == 404
    assert instructor_client.get(f"/teach/banks/{bank.id}/form/nope").status_code == 404


def test_the_form_needs_its_csrf_token(make_app, tmp_path):
    from tests import factories
    from tests.conftest import login

    # Only this app: a second one on PostgreSQL would wait on the first one's open session.
    app = make_app(WTF_CSRF_ENABLED=True)
    session = app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    root = write_questions(tmp_path / "csrf-questions")
    sync_banks(session, root)
    session.commit()
    bank_id = session.scalar(select(models.Bank.id).where(models.Bank.slug == "town"))
    session.close()
    c = app.test_client()
    login(c, teacher.email)
    assert c.post(f"/teach/banks/{bank_id}/form/new", data={"type": "single"}).status_code == 400


# --- coverage of the readings ---


def test_the_bank_page_counts_questions_per_paragraph(instructor_client, bank):
    html = instructor_client.get(f"/teach/banks/{bank.id}").get_data(as_text=True)
    table = html.split('class="coverage', 1)[1]
    assert re.search(r"¶1</th>\s*<td>1</td>\s*<td>single 1</td>", table)
    assert re.search(r'class="untested"[^>]*>\s*<th scope="row">¶3</th>\s*<td>0</td>', table)
    assert f"/teach/banks/{bank.id}/form/new?source=sample+%C2%B63" in table


def test_a_coverage_link_opens_a_new_question_citing_that_paragraph(
    instructor_client, session, bank, instructor
):
    services.save_question(session, bank, _tf("tagged", 2) + "tags: [harbour, trade]\n", instructor)
    session.commit()
    html = instructor_client.get(f"/teach/banks/{bank.id}").get_data(as_text=True)
    link = re.search(r'href="([^"]*/form/new\?source=sample\+%C2%B63)"', html).group(1)
    page = instructor_client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<option value="sample" selected>', page)
    assert re.search(r'id="paragraphs"[^>]*value="¶3"', page)
    # Tags already used in the bank are offered while typing one.
    datalist = page.split('<datalist id="bank-tags">', 1)[1].split("</datalist>", 1)[0]
    assert '<option value="harbour">' in datalist and '<option value="trade">' in datalist


def test_coverage_counts_in_a_constant_number_of_queries(app, session, bank, instructor):
    def queries(n):
        for i in range(n):
            services.save_question(session, bank, _tf(f"extra-{n}-{i}", 1 + i % 3), instructor)
        session.flush()
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            coverage = editor.bank_coverage(session, bank)
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        return len(statements), coverage

    few, _ = queries(3)
    many, coverage = queries(30)
    assert few == many == 2
    assert [p.total for p in coverage[0].paragraphs] == [12, 12, 11]


def _tf(qid, paragraph):
    return (
        f"id: {qid}\ntype: truefalse\nprompt: Is it {qid}?\nsource: ¶{paragraph}\n"
        "explanation: Because.\nanswer: true\n"
    )


def test_questions_citing_only_a_paragraph_of_the_bank_s_reading_go_through_the_form():
    """The town bank's questions cite `¶1` and take the reading from the bank's `source`."""
    result = load_bank_text(BANK, "town.yaml", _readings())
    assert result.bank is not None and len(result.bank.questions) == 2, result.errors
    for question in result.bank.questions:
        fields = mapping.doc_to_form(question_to_doc(question))
        mapped = mapping.form_to_doc(fields)
        checked = checks.check_doc(mapped.doc, "town", "sample", _readings(), mapped.issues)
        assert checked.question == question, question.id
        assert checked.yaml == services.question_yaml(question), question.id


def test_a_bank_another_instructors_quiz_uses_cannot_be_changed_in_the_form(
    app, session, bank, course
):
    from studyapp.quizzes import services as quizzes
    from tests import factories
    from tests.conftest import login

    quiz = quizzes.create_quiz(session, course, "Uses the town bank")
    quizzes.add_fixed_item(session, quiz, "town", "trade", 1)
    other = factories.make_instructor(session)
    factories.make_course(session, other)
    session.commit()
    outsider = app.test_client()
    login(outsider, other.email)
    before = version_count(session)
    assert outsider.get(f"/teach/banks/{bank.id}/form/new").status_code == 403
    response = outsider.get(f"/teach/banks/{bank.id}/form/trade")
    assert response.status_code == 403 and "classes you do not teach" in response.get_data(True)
    fields = editor.new_question_form(bank, "truefalse", None)
    posted = outsider.post(f"/teach/banks/{bank.id}/form/new", data={**fields, "tag": []})
    assert posted.status_code == 403 and version_count(session) == before
