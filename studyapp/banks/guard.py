"""Who may change a bank.

A bank with an owner (written in the browser or imported) is changed by its owners only:
its maker and the instructors of the classes it is shared with (banks/ownership.py); they
chose whom to share it with. A bank every instructor shares (a file bank, or one from before
owners existed) has no owner to decide, and its questions (their keys included) are what
the quizzes built from it grade against. So an instructor may change such a bank (edit,
retire or restore a question, replace it by an import) only when every quiz that uses it
belongs to a class they teach: nobody changes the key of another instructor's quiz.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.banks import models, ownership
from studyapp.classes.models import Course, CourseInstructor
from studyapp.core.errors import Forbidden
from studyapp.quizzes.models import Quiz, QuizItem


def foreign_classes(session: Session, bank_id: int, user: User) -> list[str]:
    """Names of the classes this user does not teach whose quizzes use the bank."""
    drawn = select(QuizItem.quiz_id).where(QuizItem.bank_id == bank_id)
    fixed = (
        select(QuizItem.quiz_id)
        .join(models.Question, models.Question.id == QuizItem.question_id)
        .where(models.Question.bank_id == bank_id)
    )
    taught = select(CourseInstructor.course_id).where(CourseInstructor.user_id == user.id)
    return list(
        session.scalars(
            select(Course.name)
            .join(Quiz, Quiz.course_id == Course.id)
            .where(Quiz.id.in_(drawn.union(fixed)), Course.id.not_in(taught))
            .distinct()
            .order_by(Course.name)
        )
    )


def check_bank_changeable(session: Session, bank_id: int, user: User) -> None:
    """Raise Forbidden unless ``user`` owns the bank, or, for a bank every instructor shares,
    when a quiz of a class the user does not teach uses it."""
    bank = session.get(models.Bank, bank_id)
    if bank is not None and not ownership.is_shared_by_everyone(bank):
        if not ownership.is_owner(session, bank, user):
            raise Forbidden(
                "This bank is shared with you to use in quizzes; only its owners change it."
            )
        return
    others = foreign_classes(session, bank_id, user)
    if others:
        raise Forbidden(
            "This bank is used by quizzes of classes you do not teach "
            f"({len(others)} class(es)), so it cannot be changed from your account. "
            "Copy it to a new bank id to make your own version."
        )
