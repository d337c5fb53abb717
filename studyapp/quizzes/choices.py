"""The quiz builder's choice lists: which questions and banks an instructor may add."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.banks import models as bank_models


def question_choices(session: Session, bank_ids: set[int]) -> dict[str, str]:
    """``slug/key`` → label of every live question of the given banks, in bank order."""
    rows = session.execute(
        select(bank_models.Bank.slug, bank_models.Question.key)
        .join(bank_models.Question)
        .where(
            bank_models.Question.retired_at.is_(None),
            bank_models.Bank.retired_at.is_(None),
            bank_models.Bank.id.in_(bank_ids),
        )
        .order_by(bank_models.Bank.slug, bank_models.Question.position)
    ).all()
    return {f"{slug}/{key}": f"{slug} / {key}" for slug, key in rows}


def bank_choices(session: Session, bank_ids: set[int]) -> dict[str, str]:
    """Slug → "Title (slug)" of the given live banks, by title, for a draw's bank list."""
    rows = session.execute(
        select(bank_models.Bank.slug, bank_models.Bank.title)
        .where(bank_models.Bank.retired_at.is_(None), bank_models.Bank.id.in_(bank_ids))
        .order_by(bank_models.Bank.title)
    ).all()
    return {slug: f"{title} ({slug})" for slug, title in rows}
