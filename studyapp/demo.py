"""A demo class to explore the app with: one instructor and a class of students."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth import services as auth
from studyapp.auth.models import Role, User
from studyapp.banks.models import Bank
from studyapp.classes import services as classes
from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import ReviewContent, ReviewTiming
from studyapp.study.models import CourseBank

DEMO_DOMAIN = "demo.studyapp.test"
FIRST = [
    "Ayla",
    "Boris",
    "Cem",
    "Dana",
    "Emre",
    "Farida",
    "Goran",
    "Hande",
    "Ilya",
    "Jale",
    "Kerem",
    "Lena",
    "Mert",
    "Nadia",
    "Oleg",
    "Pinar",
    "Ruslan",
    "Selin",
    "Timur",
    "Umut",
    "Vera",
    "Yusuf",
    "Zeynep",
    "Arda",
    "Bahar",
    "Deniz",
    "Elif",
    "Kirill",
    "Mira",
    "Sasha",
]
LAST = [
    "Aksoy",
    "Belov",
    "Celik",
    "Demir",
    "Egorov",
    "Fidan",
    "Gul",
    "Hasanov",
    "Ivanova",
    "Kaya",
    "Lebedev",
    "Morozov",
    "Nazarov",
    "Ozturk",
    "Petrova",
    "Sahin",
    "Tas",
    "Usmanov",
    "Volkova",
    "Yildiz",
    "Zaitsev",
    "Arslan",
    "Bulut",
    "Dogan",
    "Erdem",
    "Karimov",
    "Orlova",
    "Sokolov",
    "Tekin",
    "Yilmaz",
]


@dataclass(frozen=True)
class Credential:
    role: str
    name: str
    email: str
    password: str


def _password() -> str:
    return "-".join(secrets.token_hex(2) for _ in range(3))


def _upsert(session: Session, email: str, name: str, role: Role, password: str) -> User:
    user = auth.get_user_by_email(session, email)
    if user is None:
        return auth.create_user(session, email=email, name=name, role=role, password=password)
    auth.set_password(session, user, password)
    return user


def seed_demo(session: Session, students: int = 30) -> tuple[Course, list[Credential]]:
    """Create (or refresh) the demo class; every run prints new random passwords."""
    creds: list[Credential] = []
    password = _password()
    teacher = _upsert(
        session, f"instructor@{DEMO_DOMAIN}", "Demo Instructor", Role.INSTRUCTOR, password
    )
    creds.append(Credential("instructor", teacher.name, teacher.email, password))
    taught = classes.list_courses_taught(session, teacher)
    course = (
        taught[0]
        if taught
        else classes.create_course(
            session, teacher, name="Turkey and Russia (demo)", term="Demo term"
        )
    )
    for i in range(students):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
        password = _password()
        student = _upsert(
            session, f"student{i + 1:02d}@{DEMO_DOMAIN}", name, Role.STUDENT, password
        )
        classes.enroll(session, course, student)
        creds.append(Credential("student", student.name, student.email, password))
    _demo_quiz(session, course)
    _demo_study_banks(session, course)
    return course, creds


def _demo_study_banks(session: Session, course: Course) -> None:
    """Open the loaded banks for study, except the one the demo quiz draws from.

    A bank a quiz can still draw from stays out of study until the quiz's review shows
    its answers, so opening it would show nothing.
    """
    opened = set(
        session.scalars(select(CourseBank.bank_id).where(CourseBank.course_id == course.id))
    )
    for bank in session.scalars(
        select(Bank).where(Bank.slug != "s400-costs", Bank.retired_at.is_(None))
    ):
        if bank.id not in opened:
            session.add(CourseBank(course_id=course.id, bank_id=bank.id))
    session.flush()


def _demo_quiz(session: Session, course: Course) -> None:
    """A published, timed quiz drawn from the S-400 bank, if the banks are loaded."""
    if quizzes.list_quizzes(session, course.id):
        return
    bank = session.scalar(select(Bank).where(Bank.slug == "s400-costs"))
    if bank is None:
        return
    quiz = quizzes.create_quiz(session, course, "The S-400 and its costs (demo)")
    quizzes.update_settings(
        session,
        quiz,
        {
            "description": "Eight questions drawn from the S-400 bank. 20 minutes, two attempts.",
            "time_limit_minutes": 20,
            "attempts_allowed": 2,
            "review_timing": ReviewTiming.IMMEDIATELY,
            "review_content": ReviewContent.FULL,
        },
    )
    quizzes.add_draw_item(session, quiz, bank.slug, None, 8, 1.0)
    quizzes.publish(session, quiz, utcnow())
