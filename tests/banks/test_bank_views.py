"""Banks in the browser: editing with preview, downloads, round trip, uploads and readings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from bankfiles import BANK, write_questions
from sqlalchemy import select

from studyapp.banks import models, services
from studyapp.banks.starters import TYPES, starter
from studyapp.banks.sync import sync_banks
from studyapp.core.errors import DomainError
from studyapp.core.uploads import decode_text_upload

SAMPLE = Path(__file__).parent / "data" / "sample-reading.md"


@pytest.fixture
def qdir(app, tmp_path):
    root = write_questions(tmp_path / "questions")
    app.config["QUESTIONS_DIR"] = str(root)
    return root


@pytest.fixture
def synced(session, qdir):
    sync_banks(session, qdir)
    session.commit()
    return session.scalar(select(models.Bank).where(models.Bank.slug == "town"))


def _new_bank(client) -> int:
    response = client.post(
        "/teach/banks/new", data={"slug": "web-bank", "title": "Web bank", "source": "sample"}
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_bank_list_shows_banks_and_file_issues(instructor_client, qdir, session):
    (qdir / "broken.yaml").write_text(
        BANK.replace("id: town", "id: broken").replace("answer: A", "answer: Z")
    )
    assert instructor_client.post("/teach/banks/sync").status_code == 302
    page = instructor_client.get("/teach/banks").get_data(as_text=True)
    assert "The river town" in page
    assert "broken.yaml:" in page and "question &#39;trade&#39;" in page


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_can_be_written_in_the_browser(instructor_client, synced, kind):
    text = starter(kind, "sample", qid=f"new-{kind}")
    preview = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json
    assert preview["issues"] == [] and 'class="question"' in preview["html"]
    response = instructor_client.post(
        f"/teach/banks/{synced.id}/questions/new", data={"text": text}
    )
    assert response.status_code == 302


def test_preview_never_shows_the_key_outside_the_instructor_details(instructor_client, synced):
    text = starter("short", "sample", qid="secret").replace(
        "[first accepted answer, another accepted answer]", "[zanzibarite]"
    )
    html = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json[
        "html"
    ]
    assert "zanzibarite" not in html


def test_invalid_question_is_not_saved_and_lines_are_the_editors(
    instructor_client, synced, session
):
    text = starter("single", "sample", qid="bad").replace("answer: A", "answer: Q")
    page = instructor_client.post(f"/teach/banks/{synced.id}/questions/new", data={"text": text})
    body = page.get_data(as_text=True)
    line = text.splitlines().index("answer: Q") + 1
    assert f"line {line}:" in body and "Q" in body
    assert session.scalar(select(models.Question).where(models.Question.key == "bad")) is None


def test_edit_creates_a_version_and_id_cannot_change(instructor_client, synced, session):
    url = f"/teach/banks/{synced.id}/questions/trade/edit"
    page = instructor_client.get(url).get_data(as_text=True)
    assert "id: trade" in page
    text = services.question_yaml(services.bank_content(synced).questions[0])
    assert (
        instructor_client.post(url, data={"text": text.replace("Salt", "Rock salt")}).status_code
        == 302
    )
    renamed = instructor_client.post(url, data={"text": text.replace("id: trade", "id: trade2")})
    assert b"the id cannot change" in renamed.data
    session.expire_all()
    trade = services.get_question(session, services.get_bank(session, synced.id), "trade")
    assert trade.current_number == 2


def test_markdown_in_prompts_is_sanitized(instructor_client, synced):
    text = starter("single", "sample", qid="xss").replace(
        "Which of these ...?", "<script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    )
    html = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json[
        "html"
    ]
    assert (
        "<script>" not in html
        and 'href="javascript' not in html
        and "<strong>bold</strong>" in html
    )


def test_bank_written_in_the_browser_round_trips_through_a_file(
    instructor_client, session, qdir, synced
):
    bank_id = _new_bank(instructor_client)
    for kind in TYPES:
        text = starter(kind, "sample", qid=f"q-{kind}")
        assert (
            instructor_client.post(
                f"/teach/banks/{bank_id}/questions/new", data={"text": text}
            ).status_code
            == 302
        )
    download = instructor_client.get(f"/teach/banks/{bank_id}/download.yaml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="web-bank.yaml"'
    (qdir / "web-bank.yaml").write_bytes(download.data)
    session.expire_all()
    before = {
        q.key: services.current_version(q).content
        for q in services.get_bank(session, bank_id).questions
    }
    report = sync_banks(session, qdir)
    assert report.errors == [] and report.new_versions == 0 and report.created == 0
    session.expire_all()
    after = {
        q.key: services.current_version(q).content
        for q in services.get_bank(session, bank_id).questions
    }
    assert after == before
    assert instructor_client.get(f"/teach/banks/{bank_id}/download.yaml").data == download.data


def test_retire_and_restore_a_question(instructor_client, synced, session):
    instructor_client.post(f"/teach/banks/{synced.id}/questions/trade/retire")
    session.expire_all()
    assert services.get_question(session, services.get_bank(session, synced.id), "trade").retired_at
    instructor_client.post(f"/teach/banks/{synced.id}/questions/trade/restore")
    session.expire_all()
    assert (
        services.get_question(session, services.get_bank(session, synced.id), "trade").retired_at
        is None
    )


def test_upload_a_bank_file(instructor_client, synced, session):
    text = BANK.replace("id: town", "id: uploaded")
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(text.encode()), "up.yaml")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    assert session.scalar(select(models.Bank).where(models.Bank.slug == "uploaded")) is not None


def test_upload_with_errors_names_the_line_and_imports_nothing(instructor_client, synced, session):
    text = BANK.replace("id: town", "id: uploaded").replace("answer: A", "answer: E")
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(text.encode()), "up.yaml")},
        content_type="multipart/form-data",
    )
    assert b"up.yaml:" in page.data and b"Nothing was imported" in page.data
    assert session.scalar(select(models.Bank).where(models.Bank.slug == "uploaded")) is None


def test_upload_cannot_overwrite_a_file_bank(instructor_client, synced):
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(BANK.encode()), "town.yaml")},
        content_type="multipart/form-data",
    )
    assert b"edit that file instead" in page.data


def test_reading_text_upload_checks_paragraph_numbers(instructor_client, synced, session):
    page = instructor_client.post(
        "/teach/readings",
        data={"reading": "sample", "file": (io.BytesIO(b"one\n\ntwo\n"), "r.md")},
        content_type="multipart/form-data",
    )
    assert "but &#39;sample&#39; has ¶1-¶3".encode() in page.data
    response = instructor_client.post(
        "/teach/readings",
        data={"reading": "sample", "file": (io.BytesIO(SAMPLE.read_bytes()), "r.md")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    reading = session.get(models.Reading, "sample")
    session.refresh(reading)
    assert [p.number for p in reading.paragraphs] == [1, 2, 3]
    assert reading.paragraphs[1].text.startswith(
        "The second paragraph says that the bridge was rebuilt twice, once"
    )


def test_preview_shows_the_cited_paragraph_once_the_reading_is_loaded(instructor_client, synced):
    text = starter("single", "sample", qid="cites").replace("sample ¶1", "sample ¶2")
    before = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json
    assert "bridge was rebuilt" not in before["html"]
    instructor_client.post(
        "/teach/readings",
        data={"reading": "sample", "file": (io.BytesIO(SAMPLE.read_bytes()), "r.md")},
        content_type="multipart/form-data",
    )
    after = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json
    assert "¶2</strong> The second paragraph says that the bridge was rebuilt" in after["html"]


def test_students_cannot_see_bank_pages_or_previews(student_client, synced):
    assert student_client.get("/teach/banks").status_code == 403
    text = starter("single", "sample")
    assert (
        student_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).status_code
        == 403
    )


def test_preview_json_for_invalid_yaml(instructor_client, synced):
    data = instructor_client.post(
        f"/teach/banks/{synced.id}/preview", data={"text": "id: [unclosed"}
    ).json
    assert data["html"] == "" and data["issues"]
    json.dumps(data)


def test_non_utf8_upload_is_refused_with_the_byte(instructor_client, synced):
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(b"id: x\ntitle: Caf\xe9\n"), "b.yaml")},
        content_type="multipart/form-data",
    )
    assert b"not UTF-8 text (byte 17" in page.data


def test_oversized_upload_is_refused_before_decoding():
    with pytest.raises(DomainError, match="larger than 2048 KB"):
        decode_text_upload(b"x" * (2 * 1024 * 1024 + 1), 2 * 1024 * 1024)


def test_download_as_gift_lists_what_gift_cannot_carry(instructor_client, synced, session):
    bank_id = synced.id
    text = starter("ordering", "sample", qid="order-me")
    instructor_client.post(f"/teach/banks/{bank_id}/questions/new", data={"text": text})
    gift = instructor_client.get(f"/teach/banks/{bank_id}/download.gift")
    body = gift.get_data(as_text=True)
    assert gift.headers["Content-Disposition"] == 'attachment; filename="town.gift.txt"'
    assert "::trade::" in body and "=Salt" in body
    assert body.startswith("// not exported as is:") and "order-me" in body.splitlines()[0]


def test_gift_import_makes_a_bank_and_reports_what_was_dropped(instructor_client, synced, session):
    gift = (
        "::Capital::What is the capital of Turkey? {=Ankara ~Istanbul#The largest city, not the "
        "capital ~Izmir}\n\n"
        "::Description:: Only a description.\n\n"
        "::Year::In which year was the S-400 deal reported? {#2017:1}\n"
    )
    page = instructor_client.post(
        "/teach/banks/import",
        data={
            "file": (io.BytesIO(gift.encode()), "moodle.gift"),
            "bank_id": "from-moodle",
            "title": "From Moodle",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = page.get_data(as_text=True)
    assert "Imported &#39;From Moodle&#39;." in body
    assert "escription" in body  # the skipped description item is reported, not silently lost
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "from-moodle"))
    assert {q.key for q in bank.questions} == {"capital", "year"}


def test_gift_import_needs_a_bank_id_and_title(instructor_client, synced):
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(b"::Q:: 2+2? {=4 ~5}\n"), "m.gift")},
        content_type="multipart/form-data",
    )
    assert b"needs a bank id and a title" in page.data


def test_gift_import_of_nothing_still_lists_each_question_reason(instructor_client, synced):
    gift = "::Broken::Unclosed {=yes ~no\n\n::Words::Only a description.\n"
    page = instructor_client.post(
        "/teach/banks/import",
        data={
            "file": (io.BytesIO(gift.encode()), "moodle.gift"),
            "bank_id": "nothing",
            "title": "Nothing",
        },
        content_type="multipart/form-data",
    )
    body = page.get_data(as_text=True)
    assert "Nothing was imported" in body
    assert "question 1 &#39;Broken&#39; (line 1): &#39;{&#39; is never closed" in body
    assert "question 2 &#39;Words&#39; (line 3): a description" in body


def test_moodle_xml_import_of_nothing_still_lists_each_question_reason(instructor_client, synced):
    xml = (
        '<?xml version="1.0"?><quiz>'
        '<question type="calculated"><name><text>Speed</text></name>'
        '<questiontext format="html"><text>{a} km?</text></questiontext></question>'
        '<question type="description"><name><text>Intro</text></name>'
        '<questiontext format="html"><text>Read this.</text></questiontext></question></quiz>'
    )
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(xml.encode()), "moodle.xml"), "bank_id": "nothing"},
        content_type="multipart/form-data",
    )
    body = page.get_data(as_text=True)
    assert "no question that can be imported" in body
    assert "question 1 &#39;Speed&#39;: calculated questions" in body
    assert "question 2 &#39;Intro&#39;: a description" in body


def test_download_as_moodle_xml_and_back_through_the_import_page(
    instructor_client, synced, session
):
    xml = instructor_client.get(f"/teach/banks/{synced.id}/download.xml")
    assert xml.headers["Content-Disposition"] == 'attachment; filename="town.moodle.xml"'
    assert xml.mimetype == "application/xml"
    page = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(xml.data), "town.moodle.xml"), "bank_id": "town-again"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported &#39;" in page.get_data(as_text=True)
    again = session.scalar(select(models.Bank).where(models.Bank.slug == "town-again"))
    assert sorted(q.key for q in again.questions) == sorted(q.key for q in synced.questions)


def test_bank_page_says_which_points_gift_would_lose(instructor_client, synced):
    bank_id = synced.id
    text = starter("truefalse", "sample", qid="heavy").replace("points: 1", "points: 3")
    if "points: 3" not in text:
        text = text.replace("type: truefalse", "type: truefalse\npoints: 3", 1)
    instructor_client.post(f"/teach/banks/{bank_id}/questions/new", data={"text": text})
    page = instructor_client.get(f"/teach/banks/{bank_id}").get_data(as_text=True)
    assert "GIFT cannot carry points" in page and "heavy (3 points)" in page
    assert "Download as Moodle XML" in page


def test_guessability_warnings_reach_the_bank_pages_after_a_sync(instructor_client, qdir):
    (qdir / "town.yaml").write_text(BANK.replace("id: trade", "id: salt-trade"))
    assert instructor_client.post("/teach/banks/sync").status_code == 302
    index = instructor_client.get("/teach/banks").get_data(as_text=True)
    assert "0 error(s), 1 warning(s) in the bank files" in index
    line = BANK.splitlines().index("  - id: trade") + 1
    warning = (
        f"town.yaml:{line}: warning: question &#39;salt-trade&#39;: the id contains "
        "&#39;salt&#39;, which is in the key"
    )
    assert warning in index
    bank = instructor_client.get(f"/teach/banks/{_bank_id(instructor_client, 'town')}")
    assert warning in bank.get_data(as_text=True)


def _bank_id(client, slug: str) -> int:
    from studyapp.db import get_session

    with client.application.app_context():
        return get_session().scalar(select(models.Bank.id).where(models.Bank.slug == slug))


def test_editor_preview_lists_the_question_s_guessability_warnings(instructor_client, synced):
    text = starter("short", "sample", qid="grain-price").replace(
        "[first accepted answer, another accepted answer]", "[Salt]"
    )
    text = text.replace("Name the ...", "What cost as much as salt?")
    preview = instructor_client.post(f"/teach/banks/{synced.id}/preview", data={"text": text}).json
    assert preview["issues"] == []
    assert preview["warnings"] == [
        "question 'trade': warning: the answer 'Salt' is shown in the prompt of this question",
        "line 1: warning: the prompt contains the accepted answer 'Salt'",
        "line 1: warning: the answer 'Salt' is shown in the options of question 'trade'",
    ]


def test_a_browser_bank_page_lists_its_warnings_at_lines_of_its_bank_file(
    instructor_client, synced
):
    bank_id = _new_bank(instructor_client)
    text = starter("short", "sample", qid="karlov-name").replace(
        "[first accepted answer, another accepted answer]", "[Andrei Karlov]"
    )
    saved = instructor_client.post(f"/teach/banks/{bank_id}/questions/new", data={"text": text})
    assert saved.status_code == 302
    page = instructor_client.get(f"/teach/banks/{bank_id}").get_data(as_text=True)
    assert "Warnings for this bank" in page
    file_text = instructor_client.get(f"/teach/banks/{bank_id}/download.yaml").get_data(
        as_text=True
    )
    line = file_text.splitlines().index("  - id: karlov-name") + 1
    assert (
        f"web-bank.yaml:{line}: warning: question &#39;karlov-name&#39;: the id contains "
        "&#39;karlov&#39;" in page
    )
