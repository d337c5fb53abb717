"""What a random draw can pick for a quiz once its fixed items and earlier draws over the
same bank are left out: counted before a draw is added (the picker) and beside each draw
(the quiz page), so no attempt gets a question twice without the instructor knowing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from studyapp.banks import models as bank_models
from studyapp.quizzes.drawing import available_for_draw
from studyapp.quizzes.models import Quiz, QuizItem
from studyapp.quizzes.picker import PickerFilters, quiz_question_ids


@dataclass(frozen=True)
class DrawCount:
    """How many questions a draw over a bank (and tag) may pick for this quiz."""

    matching: int
    fixed_in_quiz: int
    in_other_draws: int

    @property
    def available(self) -> int:
        return self.matching - self.fixed_in_quiz - self.in_other_draws


def count_draw(
    session: Session,
    quiz: Quiz,
    bank: bank_models.Bank,
    tag: str | None,
    exclude_item: QuizItem | None = None,
) -> DrawCount:
    """What a draw over ``bank`` (and ``tag``) matches, and how many of those the quiz's fixed
    items and its other draws over the same bank already take (the draw skips them)."""
    pool = set(available_for_draw(session, bank, tag or None))
    fixed = quiz_question_ids(quiz) & pool
    # Draws run in item order, each skipping what earlier ones picked (draw_questions).
    earlier = [
        i
        for i in quiz.items
        if i.is_draw
        and i.bank_id == bank.id
        and i is not exclude_item
        and (exclude_item is None or i.position < exclude_item.position)
    ]
    overlap: set[int] = set()
    for item in earlier:
        overlap |= set(available_for_draw(session, bank, item.tag)) & pool
    in_other = min(len(overlap - fixed), sum(i.draw_count or 0 for i in earlier))
    return DrawCount(len(pool), len(fixed), in_other)


def draw_notes(session: Session, quiz: Quiz) -> dict[int, str]:
    """For each draw that must skip questions, what the quiz page tells the instructor."""
    notes = {}
    for item in quiz.items:
        if not item.is_draw:
            continue
        count = count_draw(session, quiz, item.bank, item.tag, exclude_item=item)
        if not (count.fixed_in_quiz or count.in_other_draws):
            continue
        text = (
            f"Skips {count.fixed_in_quiz} question(s) that are fixed items of this quiz"
            f" and up to {count.in_other_draws} taken by an earlier draw over the same bank,"
            f" so no one gets a question twice: {count.available} of {count.matching} remain."
        )
        if count.available < (item.draw_count or 0):
            text += f" Attempts will get only {max(count.available, 0)} from this draw."
        notes[item.id] = text
    return notes


@dataclass(frozen=True)
class DrawOffer:
    """A random draw the picker offers for the chosen bank (and tag), with its counts."""

    bank: bank_models.Bank
    tag: str
    count: DrawCount


def draw_for_filters(
    session: Session, quiz: Quiz, filters: PickerFilters, bank_ids: set[int] | None = None
) -> DrawOffer | None:
    """The draw over the filtered bank and tag, counted before it is added; None without a bank."""
    if filters.bank_id is None or (bank_ids is not None and filters.bank_id not in bank_ids):
        return None
    bank = session.get(bank_models.Bank, filters.bank_id)
    if bank is None or bank.retired_at is not None:
        return None
    return DrawOffer(bank, filters.tag, count_draw(session, quiz, bank, filters.tag or None))
