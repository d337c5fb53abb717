"""Factories that build valid objects with sensible defaults; each flushes and returns."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth import services as auth
from studyapp.auth.models import Role, User
from studyapp.banks.models import Bank, Origin
from studyapp.banks.schema import Reading
from studyapp.classes import services as classes
from studyapp.classes.models import Course, Enrollment
from studyapp.quizzes.models import Quiz

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: Role = Role.STUDENT,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    **kwargs,
) -> User:
    n = next(_seq)
    return auth.create_user(
        session,
        email=email or f"{role.value}{n}@school.test",
        name=name or f"{role.value.title()} {n}",
        role=role,
        password=password,
        **kwargs,
    )


def make_instructor(session: Session, **kwargs) -> User:
    return make_user(session, role=Role.INSTRUCTOR, **kwargs)


def make_course(session: Session, instructor: User | None = None, **kwargs) -> Course:
    instructor = instructor or make_instructor(session)
    return classes.create_course(
        session,
        instructor,
        name=kwargs.get("name", f"Class {next(_seq)}"),
        term=kwargs.get("term", "Fall"),
    )


def make_enrollment(session: Session, course: Course, student: User | None = None) -> Enrollment:
    return classes.enroll(session, course, student or make_user(session))


READINGS = {"sample": Reading("sample", "A Short Sample Reading", "Test Author", "2026-01", 3)}

QUIZ_BANK = """id: quizbank
title: Quiz bank
source: sample
questions:
  - id: capital
    type: single
    prompt: Which town traded salt?
    tags: [trade]
    source: ¶1
    explanation: The SECRET-EXPLANATION is that paragraph one says so.
    choices:
      A: The river town
      B: The hill town
      C: The sea town
    answer: A
    feedback:
      B: SECRET-FEEDBACK about the hill town.
  - id: goods
    type: multiple
    prompt: Which goods were traded?
    tags: [trade]
    source: ¶1
    explanation: Salt and grain.
    choices:
      A: Salt
      B: Grain
      C: Iron
    answer: [A, B]
  - id: rebuilt
    type: numeric
    prompt: How many times was the bridge rebuilt?
    source: ¶2
    explanation: Twice.
    answer: 2
  - id: river
    type: short
    prompt: What did the town trade for grain?
    source: ¶1
    explanation: Salt.
    answers: [zanzibar-salt]
  - id: essay
    type: essay
    prompt: Explain what shaped the town.
    points: 4
    source: ¶3
    explanation: Trade.
    model_answer: SECRET-MODEL-ANSWER about trade.
    rubric:
      - criterion: Names trade
        points: 4
"""


def make_bank(session: Session, text: str = QUIZ_BANK) -> Bank:
    """Load a bank from text into the database (readings included)."""
    from studyapp.banks.loader import load_bank_text
    from studyapp.banks.sync import upsert_bank, upsert_readings

    upsert_readings(session, READINGS)
    result = load_bank_text(text, "test-bank.yaml", READINGS)
    assert result.bank is not None, [str(e) for e in result.errors]
    upsert_bank(session, result.bank, Origin.FILE, path="test-bank.yaml")
    return session.scalar(select(Bank).where(Bank.slug == result.bank.id))


def make_quiz(
    session: Session,
    course: Course,
    keys: tuple[str, ...] = ("capital", "goods", "rebuilt", "river", "essay"),
    publish: bool = True,
    **settings,
) -> Quiz:
    """A quiz of fixed questions from the quiz bank, published unless asked otherwise."""
    from studyapp.core.clock import utcnow
    from studyapp.quizzes import services as quizzes

    bank = session.scalar(select(Bank).where(Bank.slug == "quizbank")) or make_bank(session)
    quiz = quizzes.create_quiz(session, course, settings.pop("title", "Quiz"))
    quizzes.update_settings(session, quiz, settings)
    for key in keys:
        question = next(q for q in bank.questions if q.key == key)
        quizzes.add_fixed_item(session, quiz, bank.slug, key, points=question_points(question))
    if publish:
        quizzes.publish(session, quiz, utcnow())
    return quiz


def question_points(question) -> float:
    return float(question.versions[-1].content["points"])
