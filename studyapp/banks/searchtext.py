"""Search fields kept beside each question version, so the picker filters in SQL alike on
SQLite and PostgreSQL.

SQLite's ``lower()`` folds only ASCII and neither database strips accents without an
extension, so the text is folded here, in Python, once when the version is written: NFKD,
combining marks dropped, then ``casefold``. A search term is folded the same way and matched
with ``LIKE``. Tags and source paragraphs are stored between bars (``|idlib|diplomacy|``) so
one ``LIKE '%|idlib|%'`` matches a whole tag and never a part of one.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from studyapp.banks.schema import DEFAULT_DIFFICULTY, Source


def fold(text: str) -> str:
    """Lower case without accents: 'Erdoğan' and 'ERDOGAN' both become 'erdogan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _texts(value: Any) -> list[str]:
    """Every string inside plain data (choices, pairs, items, accepted answers)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


#: Keys whose text a student sees beside the prompt; keys (answers, patterns) are left out so
#: a search never hints at the key to anyone watching the instructor's screen.
_SHOWN_KEYS = ("choices", "items", "pairs", "distractors")


def search_fields(doc: dict[str, Any]) -> dict[str, str]:
    """The folded search text, tags, difficulty and source of one question's stored data."""
    texts = [doc.get("id", ""), doc.get("prompt", "")]
    for key in _SHOWN_KEYS:
        texts.extend(_texts(doc.get(key)))
    # A matching question's left sides are the keys of its pairs.
    texts.extend(str(k) for k in (doc.get("pairs") or {}))
    source = doc.get("source")
    reading, paragraphs = "", ""
    if source:
        try:
            parsed = Source.parse(source)
        except ValueError:
            parsed = None
        if parsed is not None:
            reading = parsed.reading
            paragraphs = "|" + "|".join(str(p) for p in parsed.paragraphs) + "|"
    tags = [str(t) for t in doc.get("tags") or ()]
    return {
        "search_text": fold(" ".join(texts)),
        "tags_text": "|" + "|".join(tags) + "|" if tags else "",
        "difficulty": doc.get("difficulty") or DEFAULT_DIFFICULTY,
        "source_reading": reading,
        "source_paragraphs": paragraphs,
    }


def like_escape(term: str) -> str:
    """``term`` with LIKE's wildcards escaped (use with ``escape='\\\\'``)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
