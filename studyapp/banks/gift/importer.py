"""GIFT import, second half: texts and ids of each question, then a checked bank."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from studyapp.banks.gift.answers import (
    Item,
    Malformed,
    Parts,
    item_of,
    parse_answer,
    parts_of,
    split_blocks,
)
from studyapp.banks.gift.common import (
    BLANK,
    MODEL_ANSWER_HEADING,
    NO_EXPLANATION,
    NO_MODEL_ANSWER,
    feedback_text,
    php_trim,
    protect,
    restore,
    strip_format,
)
from studyapp.banks.gift.metadata import metadata, slug
from studyapp.banks.loader import load_bank_text
from studyapp.banks.markup import converts_html, to_markdown
from studyapp.banks.schema import (
    Bank,
    Issue,
    LoadResult,
    Question,
    Reading,
    dump_bank,
    freeze,
)

IMPORT_LABEL = "<gift import>"
#: GIFT text longer, or with more questions, than this is refused before any work: a
#: bank is checked as YAML, about 1.5 ms of CPU per question (a few seconds at most).
MAX_GIFT_CHARS = 200_000
MAX_GIFT_QUESTIONS = 2_000


@dataclass(frozen=True)
class GiftImport:
    """The imported bank as YAML (None when nothing could be imported), its check, and notes."""

    bank_yaml: str | None
    result: LoadResult
    notes: tuple[str, ...] = ()


def _texts(
    kind: str, spec: dict[str, Any], feedback: str, lost: list[str]
) -> tuple[str, dict[str, Any]]:
    """The explanation from the general feedback (and an essay's model answer)."""
    if kind == "essay":
        explanation, heading, model = feedback.partition(MODEL_ANSWER_HEADING)
        if heading and explanation.strip() and model.strip():
            return explanation.strip(), {"model_answer": model.strip()}
        if feedback:
            lost.append("the general feedback is used as both the explanation and the model answer")
            return feedback, {"model_answer": feedback}
        lost.append(
            f"no general feedback (####): the explanation is '{NO_EXPLANATION}' and "
            f"the model answer '{NO_MODEL_ANSWER}'"
        )
        return NO_EXPLANATION, {"model_answer": NO_MODEL_ANSWER}
    if not feedback:
        lost.append(f"no general feedback (####): the explanation is '{NO_EXPLANATION}'")
        return NO_EXPLANATION, spec
    return feedback, spec


def _unit(
    kind: str, prompt: str, spec: dict[str, Any], unit: str | None, lost: list[str]
) -> tuple[str, dict[str, Any]]:
    """Take the numeric unit from our comment, and off the end of the prompt it was put on."""
    if unit is None:
        return prompt, spec
    if kind != "numeric":
        lost.append(f"unit '{unit}' ignored: only numeric questions have a unit")
        return prompt, spec
    suffix = f"({unit})"
    if prompt.endswith(suffix) and prompt != suffix:
        prompt = prompt[: -len(suffix)].rstrip()
    return prompt, {**spec, "unit": unit}


def _unique_id(item: Item, used: set[str], notes: list[str], where: str) -> str:
    """The slug of the title (else q<number>), made unique with -2, -3..."""
    base = slug(item.title or "") or f"q{item.number}"
    qid, n = base, 2
    while qid in used:
        qid, n = f"{base}-{n}", n + 1
    if qid != base:
        notes.append(f"{where}: id '{base}' is already used; renamed '{qid}'")
    used.add(qid)
    return qid


def import_gift(text: str, bank_id: str, title: str, readings: Mapping[str, Reading]) -> GiftImport:
    """Read GIFT into a bank; `result` is the loader's check of `bank_yaml`. Never raises.

    The work is linear in the text and bounded by MAX_GIFT_CHARS and MAX_GIFT_QUESTIONS:
    every question is checked in one load of the whole bank (once more only if some had
    to be skipped), not in a load of its own.
    """
    if len(text) > MAX_GIFT_CHARS:
        issue = Issue(
            IMPORT_LABEL,
            1,
            None,
            f"the GIFT text is larger than {MAX_GIFT_CHARS:,} characters; "
            "split it into several files",
        )
        return GiftImport(None, LoadResult(IMPORT_LABEL, None, (issue,)))
    blocks = list(split_blocks(text))
    if len(blocks) > MAX_GIFT_QUESTIONS:
        issue = Issue(
            IMPORT_LABEL,
            1,
            None,
            f"the GIFT text has {len(blocks):,} questions; at most {MAX_GIFT_QUESTIONS:,} "
            "can be imported at once, so split it into several files",
        )
        return GiftImport(None, LoadResult(IMPORT_LABEL, None, (issue,)))
    entries: list[_Entry] = []
    number = 0
    for block in blocks:
        if protect(block.lines[0]).startswith("$CATEGORY:"):
            category = restore(protect(block.lines[0])[10:]).strip()
            entries.append(
                _Entry(
                    notes=[
                        f"line {block.numbers[0]}: category '{category}' ignored: studyapp has "
                        f"no categories, so every question goes into bank '{bank_id}'"
                    ]
                )
            )
            continue
        number += 1
        entries.append(_parse_item(item_of(block, number), readings))
    parsed = [e for e in entries if e.question is not None]
    if not parsed:
        return _nothing_imported(entries)
    bank_yaml, result, ids, renames = _checked(parsed, bank_id, title, readings)
    if _skip_refused(parsed, ids, result):
        # Ids may change once a question is gone (a '-2' is no longer needed): again.
        parsed = [e for e in parsed if e.question is not None]
        if not parsed:
            return _nothing_imported(entries)
        bank_yaml, result, ids, renames = _checked(parsed, bank_id, title, readings)
    for entry, rename in zip(parsed, renames, strict=True):
        entry.notes.extend(rename)
    notes = tuple(note for entry in entries for note in entry.notes)
    return GiftImport(bank_yaml, result, notes)


def _nothing_imported(entries: list[_Entry]) -> GiftImport:
    issue = Issue(IMPORT_LABEL, 1, None, "the GIFT text has no question that can be imported")
    notes = tuple(note for entry in entries for note in entry.notes)
    return GiftImport(None, LoadResult(IMPORT_LABEL, None, (issue,)), notes)


def _checked(
    parsed: list[_Entry], bank_id: str, title: str, readings: Mapping[str, Reading]
) -> tuple[str, LoadResult, list[str], list[list[str]]]:
    """The bank of these questions as YAML, the loader's check, their ids and rename notes."""
    used: set[str] = set()
    ids: list[str] = []
    renames: list[list[str]] = []
    for entry in parsed:
        renamed: list[str] = []
        ids.append(_unique_id(entry.item, used, renamed, entry.where()))
        renames.append(renamed)
    questions = tuple(replace(e.question, id=qid) for e, qid in zip(parsed, ids, strict=True))
    bank_yaml = dump_bank(Bank(bank_id, title, "", None, questions))
    return bank_yaml, load_bank_text(bank_yaml, IMPORT_LABEL, readings), ids, renames


def _skip_refused(parsed: list[_Entry], ids: list[str], result: LoadResult) -> bool:
    """Skip, with a note, each question the loader refused; True if any was.

    Ids are unique, so an error names its question alone and one bad question skips
    only itself; the others stay.
    """
    problems: dict[str, list[str]] = {}
    for issue in result.errors:
        if issue.question_id is not None:
            problems.setdefault(issue.question_id, []).append(issue.message)
    skipped = False
    for entry, qid in zip(parsed, ids, strict=True):
        if qid in problems:
            entry.question = None
            entry.notes[:] = [f"{entry.where()}: {'; '.join(problems[qid])}; skipped"]
            skipped = True
    return skipped


@dataclass
class _Entry:
    """One GIFT block on its way in: the question read from it (None: skipped) and notes."""

    item: Item | None = None
    question: Question | None = None
    notes: list[str] = field(default_factory=list)

    def where(self) -> str:
        return self.item.where() if self.item is not None else ""


def _parse_item(item: Item, readings: Mapping[str, Reading]) -> _Entry:
    """Read one question; a malformed one is skipped with a note saying why."""
    lost: list[str] = []
    try:
        question = _question(item, parts_of(item), readings, lost)
    except Malformed as exc:
        return _Entry(item, None, [f"{item.where(exc.line)}: {exc}; skipped"])
    return _Entry(item, question, [f"{item.where()}: {message}" for message in lost])


def _question(
    item: Item, parts: Parts, readings: Mapping[str, Reading], lost: list[str]
) -> Question:
    """Build the question from its parts and comments (its id is assigned later)."""
    if parts.answer is None:
        raise Malformed("a description (text without an answer block) has no studyapp equivalent")
    fmt, prompt = strip_format(php_trim(parts.prompt))
    kind, spec = parse_answer(parts.answer, lost, fmt)
    raw = php_trim(restore(prompt))
    prompt, dropped = to_markdown(raw, fmt)
    raw, prompt = raw.replace(BLANK, "_____"), prompt.replace(BLANK, "_____")
    if not prompt:
        raise Malformed("the question has no text")
    if prompt != raw and converts_html(raw, fmt):
        lost.append(
            f"the text is {'marked [' + fmt + ']' if fmt else 'HTML'}: it was converted "
            "to Markdown (paragraphs, bold, lists and links kept; tags are never shown)"
        )
    if dropped:
        lost.append(f"HTML in the text lost: {', '.join(dropped)}")
    explanation, spec = _texts(kind, spec, feedback_text(parts.feedback, fmt, lost), lost)
    meta = metadata(item.comments, readings, lost)
    prompt, spec = _unit(kind, prompt, spec, meta.unit, lost)
    return Question(
        slug(item.title or "") or f"q{item.number}",
        kind,
        prompt,
        meta.points,
        meta.tags,
        meta.difficulty,
        meta.source,
        explanation,
        freeze(spec),
    )


def question_problems(question: Question, readings: Mapping[str, Reading]) -> list[str]:
    """The loader's errors for this question alone, so one bad question skips only itself."""
    probe = Bank("gift-check", "GIFT check", "", None, (question,))
    result = load_bank_text(dump_bank(probe), IMPORT_LABEL, readings)
    return [issue.message for issue in result.errors]
