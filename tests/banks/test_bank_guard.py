"""Until banks have owners: no instructor changes a bank another instructor's quiz uses."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from studyapp.banks import models
from studyapp.banks.sync import upsert_readings
from studyapp.quizzes import services as quizzes
from tests import factories
from tests.conftest import login

SHARED = factories.QUIZ_BANK.replace("id: quizbank", "id: shared")
ONE_LEFT = """id: shared
title: Cut down
questions:
  - id: capital
    type: single
    prompt: Which town?
    explanation: Cut.
    choices: {A: One, B: Two}
    answer: B
"""
GIFT_ONE = "::Capital::Which town? {=Two ~One}\n"


@pytest.fixture
def shared(app, session, instructor, course):
    """A bank every instructor shares (imported before banks had owners), used by a quiz of
    the instructor's class. Owned banks follow their owners instead (test_bank_owners.py)."""
    upsert_readings(session, factories.READINGS)
    session.commit()
    client = app.test_client()
    login(client, instructor.email)
    client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(SHARED.encode()), "shared.yaml")},
        content_type="multipart/form-data",
    )
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "shared"))
    bank.owner_id = None
    quiz = quizzes.create_quiz(session, course, "Uses the shared bank")
    quizzes.add_fixed_item(session, quiz, "shared", "capital", 1)
    session.commit()
    return bank


@pytest.fixture
def outsider(app, session):
    """An instructor who teaches a class of their own, not the one whose quiz uses the bank."""
    other = factories.make_instructor(session)
    factories.make_course(session, other)
    session.commit()
    client = app.test_client()
    login(client, other.email)
    return client


def _upload(client, text: str, name: str, **fields):
    return client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(text.encode()), name), **fields},
        content_type="multipart/form-data",
    )


def _state(session, bank_id):
    session.expire_all()
    bank = session.get(models.Bank, bank_id)
    return sorted((q.key, q.current_number, q.retired_at is None) for q in bank.questions)


def test_every_bank_changing_route_refuses_an_outsider(session, shared, outsider):
    before = _state(session, shared.id)
    edit = f"/teach/banks/{shared.id}/questions/capital/edit"
    snippet = "id: capital\ntype: single\nprompt: Hijacked?\nchoices: {A: x, B: y}\nanswer: B\n"
    replies = {
        "editor page": outsider.get(edit),
        "editor save": outsider.post(edit, data={"text": snippet}),
        "new question": outsider.post(
            f"/teach/banks/{shared.id}/questions/new",
            data={"text": snippet.replace("capital", "x")},
        ),
        "retire": outsider.post(f"/teach/banks/{shared.id}/questions/capital/retire"),
        "restore": outsider.post(f"/teach/banks/{shared.id}/questions/capital/restore"),
        "import": _upload(outsider, ONE_LEFT, "shared.yaml"),
        "GIFT import": _upload(outsider, GIFT_ONE, "x.gift", bank_id="shared", title="Cut"),
    }
    for route, reply in replies.items():
        assert reply.status_code == 403, route
        assert "used by quizzes of classes you do not teach" in reply.get_data(as_text=True), route
    assert _state(session, shared.id) == before
    json_reply = outsider.post(
        f"/teach/banks/{shared.id}/questions/capital/retire",
        headers={"Accept": "application/json"},
    )
    assert json_reply.status_code == 403 and "do not teach" in json_reply.get_json()["error"]


def test_the_teacher_of_every_quiz_using_it_may_still_change_it(session, shared, instructor_client):
    reply = instructor_client.post(f"/teach/banks/{shared.id}/questions/capital/retire")
    assert reply.status_code == 302
    assert ("capital", 1, False) in _state(session, shared.id)
    assert _upload(instructor_client, ONE_LEFT, "shared.yaml").status_code == 302


def test_a_bank_no_other_class_uses_stays_open_to_every_instructor(session, outsider):
    assert _upload(outsider, ONE_LEFT, "shared.yaml").status_code == 302
    assert _upload(outsider, GIFT_ONE, "x.gift", bank_id="shared", title="Cut").status_code == 302
