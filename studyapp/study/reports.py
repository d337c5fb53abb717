"""A class's study picture for its instructors: who knows which topic, what they miss."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.classes.models import Course, Enrollment, EnrollmentStatus
from studyapp.study import progress
from studyapp.study.scope import course_bank_ids


@dataclass(frozen=True)
class ClassReport:
    students: list[User]
    banks: list[bank_models.Bank]
    tags: list[str]
    #: (tag, student id) -> mastery 0..1 at the class's horizon (exam date, else tomorrow)
    matrix: dict[tuple[str, int], float]
    tag_means: dict[str, float]
    missed: list[tuple[bank_models.Question, int, int]]
    #: bank id -> predicted recall on the exam date (None without an exam date)
    exam_recall: dict[int, float | None]


def class_report(session: Session, course: Course, now: datetime) -> ClassReport:
    """Everything the class progress page shows, in a fixed number of queries."""
    students = list(
        session.scalars(
            select(User)
            .join(Enrollment)
            .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.ACTIVE)
            .order_by(User.name)
        )
    )
    bank_ids = course_bank_ids(session, [course.id], with_quizzes=True)[course.id]
    banks = list(
        session.scalars(
            select(bank_models.Bank)
            .where(bank_models.Bank.id.in_(bank_ids))
            .order_by(bank_models.Bank.title)
        )
    )
    questions = progress.bank_questions(session, bank_ids)
    by_tag: dict[str, list[int]] = defaultdict(list)
    by_bank: dict[int, list[int]] = defaultdict(list)
    for qid, bid, tags in questions:
        by_bank[bid].append(qid)
        for tag in tags:
            by_tag[tag].append(qid)
    ids = [s.id for s in students]
    cards = progress.user_cards(session, ids)
    right = progress.latest_right(session, ids)
    at = progress.horizon(now, course.exam_at)
    matrix = {
        (tag, uid): progress.predicted_recall(cards, [uid], qids, at, right)
        for tag, qids in by_tag.items()
        for uid in ids
    }
    tag_means = {
        tag: (sum(matrix[(tag, uid)] for uid in ids) / len(ids) if ids else 0.0) for tag in by_tag
    }
    tags = sorted(by_tag, key=lambda t: tag_means[t])
    exam = course.exam_at if course.exam_at and course.exam_at > now else None
    exam_recall = {
        b.id: (progress.predicted_recall(cards, ids, by_bank[b.id], exam, right) if exam else None)
        for b in banks
    }
    return ClassReport(
        students,
        banks,
        tags,
        matrix,
        tag_means,
        progress.most_missed(session, ids, bank_ids),
        exam_recall,
    )
