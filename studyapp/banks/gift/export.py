"""GIFT export: every question GIFT can express, and a list of what it cannot carry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from studyapp.banks.gift.common import (
    MODEL_ANSWER_HEADING,
    WEIGHT,
    choice_keys,
    escape,
    guard,
    moodle_percent,
    number_text,
    percent_text,
)
from studyapp.banks.schema import Bank, Question

_SKIP_REASONS = {
    "ordering": "GIFT has no ordering type",
    "blanks": "GIFT has no fill-in-the-blanks type with several named blanks",
}


@dataclass(frozen=True)
class GiftExport:
    """GIFT text, the questions it leaves out, and notes on details it changes or drops."""

    text: str
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Ids of questions skipped, or exported with a loss that an import cannot undo.
    lossy: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Draft:
    """A question cut into GIFT pieces, before rendering."""

    prompt: str
    answers: tuple[str, ...]  # answer lines, already in GIFT syntax
    feedback: str  # the general feedback, unescaped
    losses: tuple[str, ...] = ()  # what our importer cannot restore
    remarks: tuple[str, ...] = ()  # worth knowing, though our importer restores it
    unit: str | None = None


def export_gift(bank: Bank) -> GiftExport:
    """Write a bank as Moodle GIFT; report the questions and details GIFT cannot express."""
    parts = [_header(bank, _points_line(bank))]
    skipped: list[str] = []
    notes: list[str] = []
    lossy: set[str] = set()
    for question in bank.questions:
        where = f"question '{question.id}' ({question.type})"
        writer = _WRITERS.get(question.type)
        if writer is None:
            reason = _SKIP_REASONS.get(question.type, "GIFT has no such question type")
            skipped.append(f"{where}: {reason}; not exported")
            lossy.add(question.id)
            continue
        draft = writer(question)
        parts.append(_render(question, draft))
        notes += [f"{where}: {message}" for message in draft.losses + draft.remarks]
        if draft.losses:
            lossy.add(question.id)
    return GiftExport("\n\n".join(parts) + "\n", tuple(skipped), tuple(notes), frozenset(lossy))


def _header(bank: Bank, points: str | None) -> str:
    """Comments naming the bank, and a Moodle category named after its id."""
    title = " ".join(bank.title.split())
    return (
        f"// studyapp bank '{bank.id}': {title}\n"
        "// Moodle: import as GIFT format. Lines starting with // are comments.\n"
        + (f"// {points}\n" if points else "")
        + f"$CATEGORY: $course$/top/{bank.id}"
    )


def points_lost(bank: Bank) -> tuple[str, ...]:
    """`id (2 points)` for each question GIFT would bring into Moodle worth 1 point."""
    return tuple(
        f"{q.id} ({number_text(q.points)} points)"
        for q in bank.questions
        if q.points != 1 and q.type in _WRITERS
    )


def _points_line(bank: Bank) -> str | None:
    """The header line announcing points GIFT cannot carry."""
    lost = points_lost(bank)
    if not lost:
        return None
    return (
        f"points: GIFT cannot carry points, so in Moodle these {len(lost)} question(s) are "
        f"worth 1 point (set their mark in Moodle, or use Moodle XML): {', '.join(lost)}"
    )


def _render(question: Question, draft: _Draft) -> str:
    """One question in GIFT: metadata comment, title, prompt, then the answer block."""
    # Moodle reads `[tag:x]` in the comment before a question as its tags.
    tags = " ".join(f"[tag:{tag}]" for tag in question.tags)
    lines = [
        f"// {_metadata_comment(question, draft.unit)}",
        *([f"// {tags}"] if tags else []),
        f"::{escape(question.id, inline=True)}::[markdown]{escape(draft.prompt)} {{",
        *(f"\t{answer}" for answer in draft.answers),
        f"\t####{guard(escape(draft.feedback))}",
        "}",
    ]
    return "\n".join(lines)


def _metadata_comment(question: Question, unit: str | None) -> str:
    """`source: aras ¶6; tags: a, b; difficulty: easy; points: 2` (and the numeric unit)."""
    fields = []
    if question.source is not None:
        fields.append(f"source: {question.source}")
    if question.tags:
        fields.append("tags: " + ", ".join(question.tags))
    fields.append(f"difficulty: {question.difficulty}")
    fields.append(f"points: {number_text(question.points)}")
    if unit:
        fields.append("unit: " + escape(unit, inline=True))  # last: it may contain '; '
    return "; ".join(fields)


def _answer(text: str) -> str:
    """An answer or feedback text, escaped and guarded."""
    return guard(escape(text))


def _feedback(text: str | None) -> str:
    """`#feedback` after an answer, or nothing."""
    return "#" + _answer(text) if text else ""


def _key_losses(choices: Mapping[str, str]) -> tuple[str, ...]:
    """GIFT has no choice keys; an import numbers choices A, B, C... in order."""
    expected = choice_keys(len(choices))
    if list(choices) == expected:
        return ()
    return (f"choice keys {', '.join(choices)} come back from an import as {', '.join(expected)}",)


def _choice_losses(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Keys GIFT renumbers, and an order GIFT cannot ask Moodle to keep."""
    order = (
        (
            "shuffle: false cannot be expressed in GIFT: Moodle shuffles these choices "
            "(use Moodle XML to keep their order)",
        )
        if spec.get("shuffle") is False
        else ()
    )
    return _key_losses(spec["choices"]) + order


def _write_single(question: Question) -> _Draft:
    """`=right ~wrong#feedback`."""
    spec = question.spec
    feedback = spec.get("feedback", {})
    lines = []
    for key, text in spec["choices"].items():
        body = _answer(text)
        # A wrong choice that starts like a weight (%50%...) needs an explicit %0% first.
        mark = "=" if key == spec["answer"] else "~%0%" if WEIGHT.match(body) else "~"
        lines.append(mark + body + _feedback(feedback.get(key)))
    return _Draft(question.prompt, tuple(lines), question.explanation, _choice_losses(spec))


def _write_multiple(question: Question) -> _Draft:
    """`~%50%right ~%-50%wrong`: right picks share +100%, wrong picks share -100%."""
    spec = question.spec
    choices, answer = spec["choices"], set(spec["answer"])
    right, rounded_right = _rule_weight(100 / len(answer), "right")
    wrong_count = len(choices) - len(answer)
    wrong, rounded_wrong = _rule_weight(-100 / wrong_count if wrong_count else 0.0, "wrong")
    feedback = spec.get("feedback", {})
    lines = tuple(
        f"~%{percent_text(right if key in answer else wrong)}%{_answer(text)}"
        f"{_feedback(feedback.get(key))}"
        for key, text in choices.items()
    )
    remarks = tuple(r for r in (rounded_right, rounded_wrong) if r)
    return _Draft(question.prompt, lines, question.explanation, _choice_losses(spec), remarks)


def _rule_weight(exact: float, side: str) -> tuple[float, str | None]:
    """Moodle's nearest accepted weight, and a note when it differs from the exact share."""
    weight = moodle_percent(exact)
    if abs(weight - exact) < 1e-4:
        return weight, None
    return weight, (
        f"{side} picks weigh {percent_text(weight)}% instead of "
        f"{percent_text(exact)}%, the nearest grade Moodle accepts"
    )


def _write_truefalse(question: Question) -> _Draft:
    """`{TRUE#feedback if answered wrong#feedback if answered right}`."""
    value = question.spec["answer"]
    feedback = question.spec.get("feedback", {})
    wrong, right = feedback.get(not value, ""), feedback.get(value, "")
    line = "TRUE" if value else "FALSE"
    if wrong or right:
        line += "#" + _answer(wrong)
    if right:
        line += "#" + _answer(right)
    return _Draft(question.prompt, (line,), question.explanation)


def _write_short(question: Question) -> _Draft:
    """`=answer =other answer`; a pattern cannot be written."""
    lines, losses = [], []
    for text in question.spec["answers"]:
        # A bare '*' is Moodle's wildcard; '\*' is a literal star to its short-answer type.
        body = _answer(text).replace("*", "\\*")
        lines.append(("=%100%" if WEIGHT.match(body) else "=") + body)
        if "->" in text:
            losses.append(f"accepted answer '{text}' contains '->', which GIFT reads as matching")
    pattern = question.spec.get("pattern")
    if pattern is not None:
        losses.append(
            f"the pattern '{pattern}' cannot be expressed in GIFT; "
            "only the accepted answers were exported"
        )
    return _Draft(question.prompt, tuple(lines), question.explanation, tuple(losses))


def _write_numeric(question: Question) -> _Draft:
    """`#answer:tolerance`; the unit goes into the prompt (and our comment)."""
    spec = question.spec
    if "answer" in spec:
        value = number_text(spec["answer"])
        if "tolerance" in spec:
            value += ":" + number_text(spec["tolerance"])
    else:
        value = f"{number_text(spec['min'])}..{number_text(spec['max'])}"
    unit = spec.get("unit")
    prompt = f"{question.prompt} ({unit})" if unit else question.prompt
    return _Draft(prompt, ("#" + value,), question.explanation, unit=unit)


def _write_matching(question: Question) -> _Draft:
    """`=left -> right`; distractors as `= -> text`, Moodle's own form for extra options."""
    pairs = question.spec["pairs"]
    distractors = question.spec.get("distractors", ())
    lines = [f"={_answer(left)} -> {escape(right)}" for left, right in pairs.items()]
    lines += [f"= -> {escape(text)}" for text in distractors]
    losses = tuple(
        f"left item '{left}' contains '->', which GIFT reads as the arrow"
        for left in pairs
        if "->" in left
    )
    remarks = (
        (
            "distractors written as '= -> text' (an empty left side), the form Moodle's own "
            "GIFT export uses for extra wrong options; the GIFT documentation does not "
            "describe it",
        )
        if distractors
        else ()
    )
    return _Draft(question.prompt, tuple(lines), question.explanation, losses, remarks)


def _write_essay(question: Question) -> _Draft:
    """`{}`; the model answer follows the explanation in the general feedback."""
    spec = question.spec
    feedback = question.explanation + MODEL_ANSWER_HEADING + spec["model_answer"]
    losses = []
    if "rubric" in spec:
        losses.append(
            f"the rubric ({len(spec['rubric'])} criteria) cannot be expressed in GIFT; dropped"
        )
    limits = [key for key in ("min_words", "max_words") if key in spec]
    if limits:
        losses.append(f"{' and '.join(limits)} cannot be expressed in GIFT; dropped")
    remark = (
        "the model answer follows the explanation in the general feedback, which Moodle "
        "shows students after they answer",
    )
    return _Draft(question.prompt, (), feedback, tuple(losses), remark)


_WRITERS: dict[str, Callable[[Question], _Draft]] = {
    "single": _write_single,
    "multiple": _write_multiple,
    "truefalse": _write_truefalse,
    "short": _write_short,
    "numeric": _write_numeric,
    "matching": _write_matching,
    "essay": _write_essay,
}
