"""A question as stored in a version row: plain JSON data in the bank format, and back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from studyapp.banks.schema import DEFAULT_DIFFICULTY, Question, Source, freeze, thaw

COMMON_KEYS = ("id", "type", "prompt", "points", "tags", "difficulty", "source", "explanation")


def question_to_doc(question: Question) -> dict[str, Any]:
    """Plain data for a version row, in the key order of the bank format."""
    doc: dict[str, Any] = {
        "id": question.id,
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "tags": list(question.tags),
        "difficulty": question.difficulty,
        "source": str(question.source) if question.source else None,
        "explanation": question.explanation,
    }
    doc.update(thaw(question.spec))
    return doc


def question_from_doc(doc: dict[str, Any]) -> Question:
    """Rebuild a validated question from its stored data."""
    spec = {k: v for k, v in doc.items() if k not in COMMON_KEYS}
    return Question(
        id=doc["id"],
        type=doc["type"],
        prompt=doc["prompt"],
        points=float(doc.get("points", 1)),
        tags=tuple(doc.get("tags") or ()),
        difficulty=doc.get("difficulty") or DEFAULT_DIFFICULTY,
        source=Source.parse(doc["source"]) if doc.get("source") else None,
        explanation=doc.get("explanation", ""),
        spec=freeze(spec),
    )


#: Mappings whose order students see: choices in the written order (with ``shuffle: false``)
#: and a matching question's statements. Moving one is a change; any other key order is not.
ORDERED_MAPPINGS = ("choices", "pairs")


def content_hash(doc: dict[str, Any]) -> str:
    """A hash of the content that ignores key order except where students see it, so
    re-syncing an equal file is a no-op and reordering a matching question's pairs is not."""
    ordered = {
        k: [list(item) for item in v.items()]
        if k in ORDERED_MAPPINGS and isinstance(v, dict)
        else v
        for k, v in doc.items()
    }
    canonical = json.dumps(ordered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
