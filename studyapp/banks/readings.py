"""Loading a reading's text into the app, split into the paragraphs questions cite."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.banks import models
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.core.uploads import decode_text_upload

_NUMBERED = re.compile(r"^¶\s*(\d{1,3})\s+(.*)$", re.S)
MAX_READING_BYTES = 2 * 1024 * 1024


def split_paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line-separated blocks, numbered ¶1...

    When some blocks start with "¶N" (as the course's article files do), only those are
    paragraphs and keep their numbers; headings, notes and endnotes around them are skipped.
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    numbered = [m for b in blocks if (m := _NUMBERED.match(b))]
    if numbered:
        return [(int(m[1]), " ".join(m[2].split())) for m in numbered]
    return [(i, " ".join(b.split())) for i, b in enumerate(blocks, start=1)]


def list_readings(session: Session) -> list[models.Reading]:
    return list(session.scalars(select(models.Reading).order_by(models.Reading.id)))


def load_reading_text(session: Session, reading_id: str, data: bytes) -> models.Reading:
    """Store a reading's paragraphs; refuse text whose numbering disagrees with readings.yaml."""
    reading = session.get(models.Reading, reading_id)
    if reading is None:
        raise NotFound(f"No reading '{reading_id}' is listed in questions/readings.yaml.")
    paragraphs = split_paragraphs(decode_text_upload(data, MAX_READING_BYTES))
    numbers = [n for n, _ in paragraphs]
    expected = list(range(1, reading.paragraph_count + 1))
    if numbers != expected:
        raise DomainError(
            f"The text has {len(numbers)} paragraph(s) numbered {_describe(numbers)}, but "
            f"'{reading_id}' has ¶1-¶{reading.paragraph_count}. Check the file; nothing was stored."
        )
    reading.paragraphs = [models.ReadingParagraph(number=n, text=t) for n, t in paragraphs]
    reading.text_loaded_at = utcnow()
    session.flush()
    return reading


def _describe(numbers: list[int]) -> str:
    if not numbers:
        return "nothing"
    return ", ".join(f"¶{n}" for n in numbers[:12]) + ("…" if len(numbers) > 12 else "")


def paragraph_texts(
    session: Session, reading_id: str, numbers: tuple[int, ...]
) -> list[tuple[int, str]]:
    """The loaded text of the cited paragraphs (empty when the reading's text is not loaded)."""
    rows = session.scalars(
        select(models.ReadingParagraph)
        .where(
            models.ReadingParagraph.reading_id == reading_id,
            models.ReadingParagraph.number.in_(numbers),
        )
        .order_by(models.ReadingParagraph.number)
    )
    return [(p.number, p.text) for p in rows]
