"""Fixed times and a practice helper shared by the study tests."""

from __future__ import annotations

from datetime import UTC, datetime

from studyapp.banks.types import deliver, positions_from_keys
from studyapp.study import services

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY_START = datetime(2027, 3, 1, tzinfo=UTC)
SCHED = services.make_scheduler(fuzzing=False)


def scope(bank, tag=None):
    return services.Scope(frozenset({bank.id}), tag)


def answer_key(next_card):
    """A right answer for each question of the quiz bank, as the card's form posts it."""
    key = {"capital": "A", "goods": ["A", "B"], "rebuilt": "2", "river": "zanzibar salt"}[
        next_card.question.id
    ]
    return as_posted(next_card, key)


def as_posted(next_card, response):
    """A response by choice keys as the card's page sends it: by display position."""
    if next_card.question.type not in ("single", "multiple"):
        return response
    seed = services.card_seed(next_card.card.id, next_card.card.version)
    return positions_from_keys(response, deliver(next_card.question, seed).order)


def study(session, student, bank, now, right=True, rating="good"):
    """Practise the next card and rate it; returns the card shown and the graded answer."""
    card = services.next_card(session, student, scope(bank), now, DAY_START)
    response = answer_key(card) if right else "nonsense"
    done = services.answer(
        session, student, card.card.id, card.card.version, card.version_id, response, now
    )
    services.rate(session, SCHED, student, done.review.id, rating, now)
    return card, done
