"""Factories that build valid objects with sensible defaults; each flushes and returns."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from studyapp.auth import services as auth
from studyapp.auth.models import Role, User
from studyapp.classes import services as classes
from studyapp.classes.models import Course, Enrollment

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
