"""A fixed time and a helper shared by the attempts tests."""

from __future__ import annotations

from datetime import UTC, datetime

from studyapp.attempts import saving, services

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def answer_all(session, attempt, now=NOW):
    by_key = {services.question_of(r).id: r.position for r in attempt.questions}
    saving.save_answer(session, attempt, by_key["capital"], "A", None, now)
    saving.save_answer(session, attempt, by_key["goods"], ["A", "C"], None, now)
    saving.save_answer(session, attempt, by_key["rebuilt"], "two", None, now)
    saving.save_answer(session, attempt, by_key["river"], "Zanzibar salt", None, now)
    saving.save_answer(session, attempt, by_key["essay"], "Trade shaped it.", None, now)
    return by_key
