"""Form fields <-> a question document in the bank format (pure; no Flask, no database).

The field names are the contract between the template, the script and this module: one
name per common key, and for lists one name per column, repeated once per row in the
order the rows stand on the page (so the reorder buttons only move rows).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studyapp.banks.content import COMMON_KEYS
from studyapp.banks.schema import DEFAULT_DIFFICULTY

# Rows per list (choices, accepted answers, items, pairs, distractors, blanks, rubric,
# tags). Far above any real question; a form above it is refused before it is read.
MAX_ROWS = 50

# Type keys the form has fields for; anything else travels in the hidden `extra` field.
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "single": ("choices", "answer", "feedback", "shuffle"),
    "multiple": ("choices", "answer", "feedback", "shuffle"),
    "truefalse": ("answer", "feedback"),
    "short": ("answers", "pattern"),
    "numeric": ("answer", "tolerance", "unit"),
    "ordering": ("items", "scoring"),
    "matching": ("pairs", "distractors"),
    "blanks": ("blanks",),
    "essay": ("model_answer", "rubric", "min_words", "max_words"),
}
TYPES = tuple(TYPE_KEYS)

_INT = re.compile(r"[+-]?\d+")
_LIST_FIELDS = {
    "tag": "tags",
    "choice_text": "choices",
    "accepted": "answers",
    "item": "items",
    "pair_left": "pairs",
    "distractor": "distractors",
    "blank_name": "blanks",
    "rubric_criterion": "rubric",
}


@dataclass(frozen=True)
class FieldIssue:
    """A message for one field: `field` is a group ('choices') or a row ('choices-2')."""

    field: str
    message: str
    severity: str = "error"


@dataclass
class Mapped:
    """A question document built from the form, and what the form itself got wrong."""

    doc: dict[str, Any]
    issues: list[FieldIssue] = field(default_factory=list)


class Fields:
    """Read access to posted fields that works for a werkzeug MultiDict or a plain dict."""

    def __init__(self, data: Any):
        self.data = data

    def get(self, name: str) -> str:
        values = self.all(name)
        return values[-1] if values else ""

    def all(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            return [str(v) for v in self.data.getlist(name)]
        value = self.data.get(name)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def parse_number(text: str) -> int | float | str:
    """A typed number as the bank format writes it; unreadable text is kept for the loader to
    refuse at its field (so the YAML tab still shows what was typed)."""
    cleaned = text.strip()
    if _INT.fullmatch(cleaned):
        return int(cleaned)
    try:
        return float(cleaned)
    except ValueError:
        return cleaned


def _text(value: str) -> str:
    """Browsers send CRLF; the bank format stores LF and no trailing blank lines."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def form_to_doc(data: Any) -> Mapped:
    """The question document the posted fields describe (keys in the bank format's order)."""
    fields = Fields(data)
    issues = [
        FieldIssue(group, f"at most {MAX_ROWS} rows here; the form sent {count}")
        for name, group in _LIST_FIELDS.items()
        if (count := len(fields.all(name))) > MAX_ROWS
    ]
    qtype = fields.get("type")
    doc: dict[str, Any] = {
        "id": fields.get("qid").strip(),
        "type": qtype,
        "prompt": _text(fields.get("prompt")),
        "points": parse_number(fields.get("points") or "1"),
        "tags": [t.strip() for t in fields.all("tag") if t.strip()],
        "difficulty": fields.get("difficulty") or DEFAULT_DIFFICULTY,
        "source": _source(fields),
        "explanation": _text(fields.get("explanation")),
    }
    if issues:
        return Mapped(doc, issues)
    reader = _READERS.get(qtype)
    if reader is not None:
        reader(fields, doc, issues)
    doc.update(_extra(fields, doc, issues))
    return Mapped(doc, issues)


def _source(fields: Fields) -> str | None:
    reading = fields.get("reading").strip()
    paragraphs = fields.get("paragraphs").strip()
    if not reading:
        return paragraphs or None
    if not paragraphs:
        return reading
    # "6-7" and "¶6-7" both mean ¶6-7; the loader checks the rest.
    parts = [p.strip() for p in paragraphs.split(",") if p.strip()]
    return reading + " " + ", ".join(p if p.startswith("¶") else f"¶{p}" for p in parts)


def _extra(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> dict[str, Any]:
    """The keys the form has no field for, except those its fields already set."""
    raw = fields.get("extra")
    if not raw:
        return {}
    try:
        extra = json.loads(raw)
    except ValueError:
        issues.append(FieldIssue("extra", "the hidden extra keys could not be read"))
        return {}
    if not isinstance(extra, dict):
        return {}
    return {k: v for k, v in extra.items() if k not in COMMON_KEYS and k not in doc}


def _rows(fields: Fields, *names: str) -> list[tuple[str, ...]]:
    """Rows of several columns; rows left wholly empty are dropped."""
    columns = [fields.all(n) for n in names]
    count = max((len(c) for c in columns), default=0)
    rows = [tuple(c[i] if i < len(c) else "" for c in columns) for i in range(count)]
    return [r for r in rows if any(v.strip() for v in r)]


def _read_choices(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    rows = _rows(fields, "choice_key", "choice_text", "choice_feedback")
    choices: dict[str, str] = {}
    feedback: dict[str, str] = {}
    for i, (key, text, note) in enumerate(rows):
        key = key.strip()
        if key in choices:
            issues.append(FieldIssue(f"choices-{i}", f"choice key '{key}' is used twice"))
            continue
        choices[key] = _text(text)
        if note.strip():
            feedback[key] = _text(note)
    doc["choices"] = choices
    picked = [k for k in fields.all("answer") if k]
    if doc["type"] == "single":
        if picked:
            doc["answer"] = picked[-1]
    elif picked:
        doc["answer"] = [k for k in choices if k in picked] + [
            k for k in picked if k not in choices
        ]
    if feedback:
        doc["feedback"] = feedback
    # The box says "keep the written order", i.e. `shuffle: false`; unticked writes no key,
    # since shuffling is the default (an explicit `shuffle: true` rides in `extra`).
    if fields.get("keep_order"):
        doc["shuffle"] = False


def _read_truefalse(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    answer = fields.get("answer")
    if answer in ("true", "false"):
        doc["answer"] = answer == "true"
    feedback = {
        value: _text(fields.get(f"feedback_{name}"))
        for value, name in ((True, "true"), (False, "false"))
        if fields.get(f"feedback_{name}").strip()
    }
    if feedback:
        doc["feedback"] = feedback


def _read_short(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    doc["answers"] = [a.strip() for a in fields.all("accepted") if a.strip()]
    if fields.get("pattern").strip():
        doc["pattern"] = fields.get("pattern").strip()


def _read_numeric(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    if fields.get("number").strip():
        doc["answer"] = parse_number(fields.get("number"))
    if fields.get("tolerance").strip():
        doc["tolerance"] = parse_number(fields.get("tolerance"))
    if fields.get("unit").strip():
        doc["unit"] = fields.get("unit").strip()


def _read_ordering(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    doc["items"] = [_text(i) for i in fields.all("item") if i.strip()]
    if fields.get("scoring"):
        doc["scoring"] = fields.get("scoring")


def _read_matching(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    pairs: dict[str, str] = {}
    for i, (left, right) in enumerate(_rows(fields, "pair_left", "pair_right")):
        if left.strip() in pairs:
            issues.append(FieldIssue(f"pairs-{i}", f"left side '{left.strip()}' is used twice"))
            continue
        pairs[left.strip()] = _text(right)
    doc["pairs"] = pairs
    distractors = [_text(d) for d in fields.all("distractor") if d.strip()]
    if distractors:
        doc["distractors"] = distractors


def _read_blanks(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    blanks: dict[str, list[str]] = {}
    for i, (name, answers) in enumerate(_rows(fields, "blank_name", "blank_answers")):
        name = name.strip()
        if name in blanks:
            issues.append(FieldIssue(f"blanks-{i}", f"blank name '{name}' is used twice"))
            continue
        blanks[name] = [a.strip() for a in answers.splitlines() if a.strip()]
    doc["blanks"] = blanks


def _read_essay(fields: Fields, doc: dict[str, Any], issues: list[FieldIssue]) -> None:
    doc["model_answer"] = _text(fields.get("model_answer"))
    rubric = [
        {"criterion": _text(c), "points": parse_number(p or "0")}
        for c, p in _rows(fields, "rubric_criterion", "rubric_points")
    ]
    if rubric:
        doc["rubric"] = rubric
    for name in ("min_words", "max_words"):
        if fields.get(name).strip():
            doc[name] = parse_number(fields.get(name))


_READERS = {
    "single": _read_choices,
    "multiple": _read_choices,
    "truefalse": _read_truefalse,
    "short": _read_short,
    "numeric": _read_numeric,
    "ordering": _read_ordering,
    "matching": _read_matching,
    "blanks": _read_blanks,
    "essay": _read_essay,
}


def doc_to_form(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that show `doc` in the form, as the page posts them (lists per name)."""
    qtype = doc.get("type", "single")
    source = doc.get("source") or ""
    reading, _, paragraphs = source.partition(" ")
    data: dict[str, Any] = {
        "qid": doc.get("id", ""),
        "type": qtype,
        "prompt": doc.get("prompt", ""),
        "points": _show_number(doc.get("points", 1)),
        "tag": list(doc.get("tags") or ()),
        "difficulty": doc.get("difficulty") or DEFAULT_DIFFICULTY,
        "reading": reading if not reading.startswith("¶") else "",
        "paragraphs": paragraphs.strip() if not reading.startswith("¶") else source,
        "explanation": doc.get("explanation", ""),
    }
    writer = _WRITERS.get(qtype)
    if writer is not None:
        writer(doc, data)
    known = set(COMMON_KEYS) | set(TYPE_KEYS.get(qtype, ()))
    if doc.get("shuffle") is not False:
        known.discard("shuffle")  # only `false` has a box; any other value is kept as written
    extra = {k: v for k, v in doc.items() if k not in known}
    data["extra"] = json.dumps(extra, ensure_ascii=False) if extra else ""
    return data


def _show_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_choices(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    choices = doc.get("choices") or {}
    feedback = doc.get("feedback") or {}
    data["choice_key"] = list(choices)
    data["choice_text"] = list(choices.values())
    data["choice_feedback"] = [feedback.get(k, "") for k in choices]
    answer = doc.get("answer")
    data["answer"] = (
        list(answer) if isinstance(answer, list | tuple) else [answer] if answer else []
    )
    data["keep_order"] = "1" if doc.get("shuffle") is False else []


def _write_truefalse(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    answer = doc.get("answer")
    data["answer"] = "" if answer is None else ("true" if answer in (True, "true") else "false")
    feedback = doc.get("feedback") or {}
    for value, name in ((True, "true"), (False, "false")):
        # Keys are booleans from YAML, but "true"/"false" once stored as JSON.
        data[f"feedback_{name}"] = feedback.get(value, feedback.get(name, ""))


def _write_short(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    data["accepted"] = list(doc.get("answers") or ())
    data["pattern"] = doc.get("pattern", "")


def _write_numeric(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    data["number"] = _show_number(doc["answer"]) if "answer" in doc else ""
    data["tolerance"] = _show_number(doc["tolerance"]) if "tolerance" in doc else ""
    data["unit"] = doc.get("unit", "")


def _write_ordering(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    data["item"] = list(doc.get("items") or ())
    data["scoring"] = doc.get("scoring", "")


def _write_matching(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    pairs = doc.get("pairs") or {}
    data["pair_left"] = list(pairs)
    data["pair_right"] = list(pairs.values())
    data["distractor"] = list(doc.get("distractors") or ())


def _write_blanks(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    blanks = doc.get("blanks") or {}
    data["blank_name"] = list(blanks)
    data["blank_answers"] = ["\n".join(answers) for answers in blanks.values()]


def _write_essay(doc: Mapping[str, Any], data: dict[str, Any]) -> None:
    data["model_answer"] = doc.get("model_answer", "")
    rubric = doc.get("rubric") or ()
    data["rubric_criterion"] = [r.get("criterion", "") for r in rubric]
    data["rubric_points"] = [_show_number(r.get("points", "")) for r in rubric]
    for name in ("min_words", "max_words"):
        data[name] = _show_number(doc[name]) if name in doc else ""


_WRITERS = {
    "single": _write_choices,
    "multiple": _write_choices,
    "truefalse": _write_truefalse,
    "short": _write_short,
    "numeric": _write_numeric,
    "ordering": _write_ordering,
    "matching": _write_matching,
    "blanks": _write_blanks,
    "essay": _write_essay,
}


def suggested_id(source: str | None, bank_slug: str, taken: set[str]) -> str:
    """An id for a new question from where it comes from and a counter, never from its words
    (an id made of the answer's words would show in the page's source and in exports)."""
    stem = bank_slug
    if source:
        reading, _, paragraphs = source.partition(" ")
        first = re.search(r"\d+", paragraphs)
        stem = f"{reading}-p{first[0]}" if first else reading
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80] or "question"
    n = 1
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"
