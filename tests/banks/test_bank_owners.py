"""Bank owners: a browser bank is its maker's and its shared classes' instructors'; others see
it only when it is shared site-wide, and then only use it. Every bank route is walked."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from studyapp.banks import models, ownership, services
from studyapp.banks.starters import starter
from studyapp.classes.models import CourseInstructor
from studyapp.quizzes import services as quizzes
from tests import factories
from tests.conftest import login

PRIVATE = """id: private-bank
title: Private bank
source: sample
questions:
  - id: secret-question
    type: single
    prompt: Which town traded salt?
    source: ¶1
    explanation: Paragraph one.
    choices:
      A: The river town
      B: The hill town
    answer: A
"""


@pytest.fixture
def world(app, session):
    """An owner with a browser bank, a co-instructor of a shared class, and a stranger."""
    factories.make_bank(session)  # a file bank everyone shares
    owner = factories.make_instructor(session)
    co = factories.make_instructor(session)
    stranger = factories.make_instructor(session)
    shared_class = factories.make_course(session, owner)
    session.add(CourseInstructor(course_id=shared_class.id, user_id=co.id))
    stranger_class = factories.make_course(session, stranger)
    bank = services.create_bank(
        session,
        slug="private-bank",
        title="Private bank",
        description="",
        source="sample",
        owner=owner,
    )
    question = services.save_question(
        session, bank, starter("single", "sample", qid="secret-question"), owner
    )
    quiz = quizzes.create_quiz(session, stranger_class, "Stranger's quiz")
    session.commit()
    return {
        "owner": owner,
        "co": co,
        "stranger": stranger,
        "bank": bank,
        "question": question,
        "shared_class": shared_class,
        "quiz": quiz,
    }


def _client(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _bank_urls(app, bank_id: int, key: str) -> list[tuple[str, str]]:
    """Every banks.* route that names a bank, as (method, url)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("banks.") or "bank_id" not in rule.arguments:
            continue
        known = {"bank_id": bank_id, "key": key}
        values = {
            arg: known[arg] if arg in known else next(iter(rule._converters[arg].items))
            for arg in rule.arguments
        }
        method = "GET" if "GET" in rule.methods else "POST"
        urls.append((method, rule.build(values)[1]))
    return urls


def test_a_stranger_gets_not_found_on_every_route_of_an_unshared_bank(app, world):
    client = _client(app, world["stranger"])
    urls = _bank_urls(app, world["bank"].id, "secret-question")
    assert len(urls) >= 7  # show, download, new, edit, retire, preview, sharing
    for method, url in urls:
        assert client.open(url, method=method).status_code == 404, url
    assert "Private bank" not in client.get("/teach/banks").get_data(as_text=True)


def test_a_stranger_cannot_pick_draw_or_open_for_study_an_unshared_bank(app, session, world):
    client = _client(app, world["stranger"])
    quiz_id, qid = world["quiz"].id, world["question"].id
    picker = client.get(f"/teach/quizzes/{quiz_id}/picker").get_data(as_text=True)
    assert "secret-question" not in picker and "Private bank" not in picker
    assert client.get(f"/teach/quizzes/{quiz_id}/picker/{qid}/preview").status_code == 404
    assert "private-bank" not in client.get(f"/teach/quizzes/{quiz_id}").get_data(as_text=True)
    client.post(f"/teach/quizzes/{quiz_id}/picker/add", data={"question_id": [qid], "points": "1"})
    client.post(
        f"/teach/quizzes/{quiz_id}/items/fixed",
        data={"question": "private-bank/secret-question", "points": "1"},
    )
    client.post(
        f"/teach/quizzes/{quiz_id}/items/draw",
        data={"bank": "private-bank", "count": "1", "points": "1"},
    )
    session.expire_all()
    assert quizzes.get_quiz(session, quiz_id).items == []
    course_id = world["quiz"].course_id
    response = client.post(f"/teach/classes/{course_id}/study-banks", data={"bank": "private-bank"})
    assert response.status_code == 404
    progress = client.get(f"/teach/classes/{course_id}/progress").get_data(as_text=True)
    assert "Private bank" not in progress


def test_a_stranger_cannot_import_over_a_bank_of_others(app, session, world):
    client = _client(app, world["stranger"])
    response = client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(PRIVATE.encode()), "private.yaml")},
        content_type="multipart/form-data",
    )
    assert "taken by a bank of other instructors" in response.get_data(as_text=True)
    session.expire_all()
    bank = services.get_bank(session, world["bank"].id)
    assert [q.key for q in bank.questions] == ["secret-question"]
    assert bank.owner_id == world["owner"].id


def test_the_maker_and_the_co_instructors_of_a_shared_class_own_the_bank(app, session, world):
    owner, co = _client(app, world["owner"]), _client(app, world["co"])
    bank_id = world["bank"].id
    assert co.get(f"/teach/banks/{bank_id}").status_code == 404
    response = owner.post(
        f"/teach/banks/{bank_id}/sharing", data={"course_id": [world["shared_class"].id]}
    )
    assert response.status_code == 302
    for client in (owner, co):
        assert client.get(f"/teach/banks/{bank_id}").status_code == 200
        assert (
            client.get(f"/teach/banks/{bank_id}/questions/secret-question/edit").status_code == 200
        )
        assert client.get(f"/teach/banks/{bank_id}/download.yaml").status_code == 200
    assert co.post(f"/teach/banks/{bank_id}/questions/secret-question/retire").status_code == 302
    session.expire_all()
    assert services.get_bank(session, bank_id).questions[0].retired_at is not None
    # The stranger still sees nothing.
    assert _client(app, world["stranger"]).get(f"/teach/banks/{bank_id}").status_code == 404


def test_a_bank_shared_site_wide_is_seen_and_used_by_all_but_changed_by_owners(app, session, world):
    owner = _client(app, world["owner"])
    bank_id = world["bank"].id
    owner.post(f"/teach/banks/{bank_id}/sharing", data={"site_wide": "y"})
    stranger = _client(app, world["stranger"])
    assert stranger.get(f"/teach/banks/{bank_id}").status_code == 200
    assert stranger.get(f"/teach/banks/{bank_id}/download.gift").status_code == 200
    for method, url in _bank_urls(app, bank_id, "secret-question"):
        if "download" in url or url == f"/teach/banks/{bank_id}":
            continue
        assert stranger.open(url, method=method).status_code == 403, url
    quiz_id = world["quiz"].id
    assert "secret-question" in stranger.get(f"/teach/quizzes/{quiz_id}/picker").get_data(
        as_text=True
    )
    qid = world["question"].id
    stranger.post(
        f"/teach/quizzes/{quiz_id}/picker/add", data={"question_id": [qid], "points": "1"}
    )
    session.expire_all()
    assert [i.question_id for i in quizzes.get_quiz(session, quiz_id).items] == [qid]


def test_file_banks_are_shared_by_every_instructor(app, session, world):
    file_bank = session.scalar(select(models.Bank).where(models.Bank.slug == "quizbank"))
    stranger = _client(app, world["stranger"])
    assert stranger.get(f"/teach/banks/{file_bank.id}").status_code == 200
    assert stranger.get(f"/teach/banks/{file_bank.id}/questions/capital/edit").status_code == 200
    assert file_bank.id in ownership.visible_bank_ids(session, world["stranger"])
    assert world["bank"].id not in ownership.visible_bank_ids(session, world["stranger"])
    assert ownership.sharing_options(session, file_bank, world["owner"]) is None


def test_only_an_owner_may_share_and_only_with_classes_they_teach(app, session, world):
    owner = _client(app, world["owner"])
    bank_id = world["bank"].id
    other_class = world["quiz"].course_id  # the stranger's class
    assert (
        owner.post(f"/teach/banks/{bank_id}/sharing", data={"course_id": [other_class]}).status_code
        == 404
    )
    session.expire_all()
    assert services.get_bank(session, bank_id).shares == []
