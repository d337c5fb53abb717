"""Moodle GIFT import and export of question banks (pure: no Flask, no database).

GIFT is Moodle's plain-text question format. `export_gift` writes every question GIFT can
express and reports the rest. `import_gift` reads GIFT the way Moodle's own reader does
(the same escapes, type detection and missing-word rule), builds a bank in our format,
and checks it with the loader. Neither raises on bad content; each loss is reported.

Our metadata (source, tags, difficulty, points, numeric unit) rides in a `//` comment
before each question: Moodle ignores comments, and our importer reads it back, so a bank
survives a round trip through GIFT except where the export reports a loss.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from studyapp.banks.loader import load_bank_text
from studyapp.banks.schema import (
    DEFAULT_DIFFICULTY,
    DEFAULT_POINTS,
    DIFFICULTIES,
    SLUG_PATTERN,
    Bank,
    Issue,
    LoadResult,
    Question,
    Reading,
    Source,
    dump_bank,
    freeze,
)

IMPORT_LABEL = "<gift import>"
NO_EXPLANATION = "(No explanation was given in the GIFT file.)"
NO_MODEL_ANSWER = "(none given in GIFT)"
# GIFT has one general feedback; an essay's explanation and model answer share it.
MODEL_ANSWER_HEADING = "\n\n**Model answer:**\n"
# Moodle rejects any other grade percentage (question_bank::fraction_options_full).
MOODLE_PERCENTS = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)
_FORMAT_MARKER = re.compile(r"\[(html|markdown|moodle|plain)\]")
_WEIGHT = re.compile(r"%(-*)(\d{1,2}\.?\d*)%")  # Moodle's answer-weight prefix, e.g. %-50%
_SPECIAL = re.compile(r"[\\~=#{}:]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_META_KEYS = ("source", "tags", "difficulty", "points", "unit")
_META_START = re.compile(rf"(?:{'|'.join(_META_KEYS)}):")
_MOODLE_TAG = re.compile(r"\[(tag|id):([^\]]+)\]")
_SKIP_REASONS = {
    "ordering": "GIFT has no ordering type",
    "blanks": "GIFT has no fill-in-the-blanks type with several named blanks",
}


# ---- escaping (shared) ----------------------------------------------------------------------


def _escape(text: str, inline: bool = False) -> str:
    """Backslash GIFT's special characters; encode line breaks GIFT would misread as `\\n`."""
    escaped = _SPECIAL.sub(lambda m: "\\" + m[0], text)
    return escaped.replace("\n", "\\n") if inline else _break_lines(escaped)


def _break_lines(text: str) -> str:
    """Keep a line break real when a GIFT reader gives it back as is, else write `\\n`."""
    # Readers trim every line, end a question at a blank line and drop `//` lines, so a
    # break before a blank, indented or `//` line (or after trailing spaces) is escaped.
    lines = text.split("\n")
    out = [lines[0]]
    for before, line in zip(lines, lines[1:], strict=False):
        real = before == before.rstrip() and line and line == line.lstrip()
        out.append(("\n" if real and not line.startswith("//") else "\\n") + line)
    return "".join(out)


def _guard(escaped: str) -> str:
    """Escaped answer or feedback text, protected from being read as a format marker."""
    return "[markdown]" + escaped if _FORMAT_MARKER.match(escaped) else escaped


# Escapes are swapped for private-use characters before parsing, as Moodle does with its
# "&&058;" placeholders, so an escaped '=' or '}' is never taken for syntax.
_PLACEHOLDERS = {ch: chr(0xF0000 + i) for i, ch in enumerate("\\:#={}~n")}
_PROTECT = re.compile(r"\\([\\:#={}~n])")
_RESTORE = str.maketrans({v: "\n" if k == "n" else k for k, v in _PLACEHOLDERS.items()})


def _protect(text: str) -> str:
    """Hide escaped characters from the parser."""
    return _PROTECT.sub(lambda m: _PLACEHOLDERS[m[1]], text)


def _restore(text: str) -> str:
    """Turn hidden escapes back into the characters they stand for."""
    return text.translate(_RESTORE)


def _strip_format(text: str) -> tuple[str | None, str]:
    """Split a leading [html]/[markdown]/[moodle]/[plain] marker off a text."""
    match = _FORMAT_MARKER.match(text)
    return (match[1], text[match.end() :]) if match else (None, text)


def _clean(text: str) -> str:
    """A protected GIFT text as plain text: no format marker, escapes restored, trimmed."""
    return _restore(_strip_format(text.strip())[1]).strip()


def _number_text(value: float) -> str:
    """A number as GIFT and our comment write it: `2`, not `2.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _percent_text(value: float) -> str:
    """A percentage with Moodle's five decimals at most: 50, -33.33333."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _moodle_percent(exact: float) -> float:
    """The percentage Moodle accepts that is nearest to `exact`."""
    nearest = min(MOODLE_PERCENTS, key=lambda p: abs(p - abs(exact)))
    return -nearest if exact < 0 else nearest


def _choice_keys(count: int) -> list[str]:
    """A, B, ..., Z, AA, AB, ...: the keys an import gives choices, in order."""
    keys = []
    for i in range(1, count + 1):
        key = ""
        while i:
            i, rest = divmod(i - 1, 26)
            key = chr(65 + rest) + key
        keys.append(key)
    return keys


# ---- export ---------------------------------------------------------------------------------


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
    parts = [_header(bank)]
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


def _header(bank: Bank) -> str:
    """Comments naming the bank, and a Moodle category named after its id."""
    title = " ".join(bank.title.split())
    return (
        f"// studyapp bank '{bank.id}': {title}\n"
        "// Moodle: import as GIFT format. Lines starting with // are comments.\n"
        f"$CATEGORY: $course$/top/{bank.id}"
    )


def _render(question: Question, draft: _Draft) -> str:
    """One question in GIFT: metadata comment, title, prompt, then the answer block."""
    lines = [
        f"// {_metadata_comment(question, draft.unit)}",
        f"::{_escape(question.id, inline=True)}::[markdown]{_escape(draft.prompt)} {{",
        *(f"\t{answer}" for answer in draft.answers),
        f"\t####{_guard(_escape(draft.feedback))}",
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
    fields.append(f"points: {_number_text(question.points)}")
    if unit:
        fields.append("unit: " + _escape(unit, inline=True))  # last: it may contain '; '
    return "; ".join(fields)


def _answer(text: str) -> str:
    """An answer or feedback text, escaped and guarded."""
    return _guard(_escape(text))


def _feedback(text: str | None) -> str:
    """`#feedback` after an answer, or nothing."""
    return "#" + _answer(text) if text else ""


def _key_losses(choices: Mapping[str, str]) -> tuple[str, ...]:
    """GIFT has no choice keys; an import numbers choices A, B, C... in order."""
    expected = _choice_keys(len(choices))
    if list(choices) == expected:
        return ()
    return (f"choice keys {', '.join(choices)} come back from an import as {', '.join(expected)}",)


def _write_single(question: Question) -> _Draft:
    """`=right ~wrong#feedback`."""
    spec = question.spec
    feedback = spec.get("feedback", {})
    lines = []
    for key, text in spec["choices"].items():
        body = _answer(text)
        # A wrong choice that starts like a weight (%50%...) needs an explicit %0% first.
        mark = "=" if key == spec["answer"] else "~%0%" if _WEIGHT.match(body) else "~"
        lines.append(mark + body + _feedback(feedback.get(key)))
    return _Draft(question.prompt, tuple(lines), question.explanation, _key_losses(spec["choices"]))


def _write_multiple(question: Question) -> _Draft:
    """`~%50%right ~%-50%wrong`: right picks share +100%, wrong picks share -100%."""
    spec = question.spec
    choices, answer = spec["choices"], set(spec["answer"])
    right, rounded_right = _rule_weight(100 / len(answer), "right")
    wrong_count = len(choices) - len(answer)
    wrong, rounded_wrong = _rule_weight(-100 / wrong_count if wrong_count else 0.0, "wrong")
    feedback = spec.get("feedback", {})
    lines = tuple(
        f"~%{_percent_text(right if key in answer else wrong)}%{_answer(text)}"
        f"{_feedback(feedback.get(key))}"
        for key, text in choices.items()
    )
    remarks = tuple(r for r in (rounded_right, rounded_wrong) if r)
    return _Draft(question.prompt, lines, question.explanation, _key_losses(choices), remarks)


def _rule_weight(exact: float, side: str) -> tuple[float, str | None]:
    """Moodle's nearest accepted weight, and a note when it differs from the exact share."""
    weight = _moodle_percent(exact)
    if abs(weight - exact) < 1e-4:
        return weight, None
    return weight, (
        f"{side} picks weigh {_percent_text(weight)}% instead of "
        f"{_percent_text(exact)}%, the nearest grade Moodle accepts"
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
        body = _answer(text)
        lines.append(("=%100%" if _WEIGHT.match(body) else "=") + body)
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
    value = _number_text(spec["answer"])
    if "tolerance" in spec:
        value += ":" + _number_text(spec["tolerance"])
    unit = spec.get("unit")
    prompt = f"{question.prompt} ({unit})" if unit else question.prompt
    return _Draft(prompt, ("#" + value,), question.explanation, unit=unit)


def _write_matching(question: Question) -> _Draft:
    """`=left -> right`; distractors as `= -> text`, Moodle's own form for extra options."""
    pairs = question.spec["pairs"]
    distractors = question.spec.get("distractors", ())
    lines = [f"={_answer(left)} -> {_escape(right)}" for left, right in pairs.items()]
    lines += [f"= -> {_escape(text)}" for text in distractors]
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


# ---- import: blocks and items ---------------------------------------------------------------


@dataclass(frozen=True)
class GiftImport:
    """The imported bank as YAML (None when nothing could be imported), its check, and notes."""

    bank_yaml: str | None
    result: LoadResult
    notes: tuple[str, ...] = ()


class _Malformed(Exception):
    """A question whose GIFT cannot be read; it is skipped with a note."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class _Block:
    """The lines of one question (blank lines separate questions), trimmed as Moodle does."""

    lines: tuple[str, ...]
    numbers: tuple[int, ...]  # the file line of each of `lines`
    comments: tuple[str, ...]  # `//` lines, without the slashes


@dataclass(frozen=True)
class _Item:
    """One GIFT question before its answer block is read; texts are protected."""

    number: int
    title: str | None
    text: str  # the whole block, escapes protected
    body: int  # where the text after `::title::` starts
    numbers: tuple[int, ...]
    comments: tuple[str, ...]

    def line_at(self, position: int) -> int:
        """The file line of a position in `text`."""
        return self.numbers[min(self.text.count("\n", 0, position), len(self.numbers) - 1)]

    def where(self, line: int | None = None) -> str:
        """`question 3 'Q3' (line 12)` for notes."""
        name = f" '{self.title}'" if self.title else ""
        return f"question {self.number}{name} (line {line or self.numbers[0]})"


@dataclass(frozen=True)
class _Parts:
    """An item's prompt, answer block and general feedback (protected texts)."""

    prompt: str
    answer: str | None  # None: no answer block (a description)
    feedback: str


def _blocks(text: str) -> list[_Block]:
    """Split GIFT into question blocks at blank lines; comment-only blocks carry nothing."""
    blocks: list[_Block] = []
    lines: list[str] = []
    numbers: list[int] = []
    comments: list[str] = []
    rows = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    for number, raw in enumerate([*rows, ""], start=1):
        line = raw.strip()
        if line.startswith("//"):
            comments.append(line[2:].strip())
        elif line:
            lines.append(line)
            numbers.append(number)
        elif lines or comments:
            if lines:
                blocks.append(_Block(tuple(lines), tuple(numbers), tuple(comments)))
            lines, numbers, comments = [], [], []
    return blocks


def _item(block: _Block, number: int) -> _Item:
    """Read a block's `::title::` (Moodle keeps the text when the title is not closed)."""
    text = _protect("\n".join(block.lines))
    title, body = None, 0
    if text.startswith("::"):
        end = text.find("::", 2)
        title, body = (_restore(text[2:end]).strip() or None, end + 2) if end >= 0 else (None, 2)
    return _Item(number, title, text, body, block.numbers, block.comments)


def _parts(item: _Item) -> _Parts:
    """Find the answer block; text after it makes a missing-word prompt with `_____`."""
    text, body = item.text, item.body
    start, end = text.find("{", body), text.find("}", body)
    if start < 0 and end < 0:
        return _Parts(text[body:], None, "")
    if end < 0:
        raise _Malformed("'{' is never closed (a blank line ends a question)", item.line_at(start))
    if start < 0 or end < start:
        raise _Malformed("'}' comes before any '{'", item.line_at(end))
    after = text[end + 1 :]
    extra = min((i for i in (after.find("{"), after.find("}")) if i >= 0), default=-1)
    if extra >= 0:
        raise _Malformed(
            "more than one answer block; studyapp reads one per question",
            item.line_at(end + 1 + extra),
        )
    prompt = text[body:start] + ("_____" + after if after.strip() else "")
    answer = text[start + 1 : end].strip()
    split = answer.rfind("####")
    if split < 0:
        return _Parts(prompt, answer, "")
    return _Parts(prompt, answer[:split].strip(), answer[split + 4 :])


# ---- import: answer blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    """One answer of a choice, short-answer or numeric block."""

    weight: float  # percent
    text: str
    feedback: str
    marked: bool  # written with '=' in a choice block


def _option(part: str, default_weight: float) -> _Option:
    """Read `=text#feedback`, `%50%text#feedback` or `text#feedback`."""
    part = part.strip()
    marked = part.startswith("=")
    weight, rest = (100.0, part[1:]) if marked else _weight(part, default_weight)
    text, _, feedback = rest.partition("#")
    return _Option(weight, _clean(text), _clean(feedback), marked)


def _weight(part: str, default: float) -> tuple[float, str]:
    """Split a `%n%` weight off an answer."""
    match = _WEIGHT.match(part)
    if match is None:
        return default, part
    value = float(match[2])
    return (-value if match[1] else value), part[match.end() :]


def _answers(block: str, separator: str) -> list[str]:
    """Split a block at its separators; text before the first separator counts if non-empty."""
    parts = block.split(separator)
    return parts[1:] if parts and not parts[0].strip() else parts


def _parse_answer(answer: str, lost: list[str]) -> tuple[str, dict[str, Any]]:
    """Tell the question type from the answer block as Moodle does, then read it."""
    if not answer:
        return "essay", {}
    if answer.startswith("#"):
        return _parse_numeric(answer[1:], lost)
    if "~" in answer:
        return _parse_choices(answer, lost)
    if "=" in answer and "->" in answer:
        return _parse_matching(answer, lost)
    head = answer.split("#", 1)[0].strip()
    if head in ("T", "TRUE", "F", "FALSE"):
        return _parse_truefalse(answer)
    return _parse_short(answer, lost)


def _parse_choices(answer: str, lost: list[str]) -> tuple[str, dict[str, Any]]:
    """`{=right ~wrong}` is single choice; `{~%50%a ~%50%b ~%-100%c}` (no '=') is multiple."""
    options = [_option(part, 0.0) for part in _answers(answer.replace("=", "~="), "~")]
    empty = [o for o in options if not o.text]
    if empty:
        lost.append(f"{len(empty)} empty answer(s) ignored")
    options = [o for o in options if o.text]
    if len(options) < 2:
        raise _Malformed("a multiple-choice block needs at least 2 answers")
    keys = _choice_keys(len(options))
    single = "=" in answer  # as in Moodle: one '=' anywhere makes it single choice
    spec: dict[str, Any] = {
        "choices": {k: o.text for k, o in zip(keys, options, strict=True)},
        "answer": (_single_answer if single else _multiple_answer)(keys, options, lost),
    }
    feedback = {k: o.feedback for k, o in zip(keys, options, strict=True) if o.feedback}
    kind = "single" if single else "multiple"
    return kind, {**spec, "feedback": feedback} if feedback else spec


def _single_answer(keys: list[str], options: list[_Option], lost: list[str]) -> str:
    """The first '=' choice; other weights cannot be carried by a single-choice question."""
    marked = [k for k, o in zip(keys, options, strict=True) if o.marked]
    if not marked:
        raise _Malformed("no answer is marked right with '='")
    for key, option in zip(keys, options, strict=True):
        weight = _percent_text(option.weight)
        if key == marked[0] or option.weight == 0:
            continue
        if option.weight >= 100:
            lost.append(f"choice {key} also gives full marks in GIFT; imported as a wrong choice")
        elif option.weight > 0:
            lost.append(f"partial credit {weight}% for choice {key} dropped")
        else:
            lost.append(f"penalty {weight}% for choice {key} dropped (a wrong pick scores 0)")
    return marked[0]


def _multiple_answer(keys: list[str], options: list[_Option], lost: list[str]) -> list[str]:
    """Choices with a positive weight; note weights that differ from our partial-credit rule."""
    right = [k for k, o in zip(keys, options, strict=True) if o.weight > 0]
    if not right:
        raise _Malformed("no answer has a positive weight, so no choice is right")
    wrong_count = len(options) - len(right)
    differ = []
    for key, option in zip(keys, options, strict=True):
        exact = 100 / len(right) if option.weight > 0 else -100 / wrong_count
        if min(abs(option.weight - exact), abs(option.weight - _moodle_percent(exact))) > 1e-3:
            differ.append(f"{key} {_percent_text(option.weight)}% (rule: {_percent_text(exact)}%)")
    if differ:
        lost.append(
            "weights differ from studyapp's rule (right picks share +100%, wrong picks "
            f"share -100%): {', '.join(differ)}; studyapp grades by its rule"
        )
    return right


def _parse_matching(answer: str, lost: list[str]) -> tuple[str, dict[str, Any]]:
    """`{=left -> right ...}`; an empty left side (`= -> text`) is a distractor."""
    parts = _answers(answer, "=")
    if len(parts) < 2:
        raise _Malformed("a matching block needs at least 2 '=left -> right' pairs")
    pairs: dict[str, str] = {}
    distractors: list[str] = []
    for part in parts:
        left, arrow, right = part.partition("->")
        if not arrow:
            raise _Malformed(f"matching answer '{_clean(part)}' has no '->'")
        left, right = _clean(left), _restore(right).strip()
        if not left:
            distractors += [right] if right else []
        elif left in pairs:
            lost.append(f"left item '{left}' appears twice; its second pair was dropped")
        else:
            pairs[left] = right
    return "matching", {"pairs": pairs, **({"distractors": distractors} if distractors else {})}


def _parse_truefalse(answer: str) -> tuple[str, dict[str, Any]]:
    """`{T}`, `{FALSE#feedback if answered wrong#feedback if answered right}`."""
    bits = answer.split("#", 2)
    value = bits[0].strip() in ("T", "TRUE")
    wrong = _clean(bits[1]) if len(bits) > 1 else ""
    right = _clean(bits[2]) if len(bits) > 2 else ""
    feedback = {**({value: right} if right else {}), **({not value: wrong} if wrong else {})}
    return "truefalse", {"answer": value, **({"feedback": feedback} if feedback else {})}


def _parse_short(answer: str, lost: list[str]) -> tuple[str, dict[str, Any]]:
    """`{=a =b}`: full-credit answers are accepted; weights and feedback cannot be kept."""
    accepted = []
    for part in _answers(answer, "="):
        option = _option(part, 100.0)
        if not option.text:
            lost.append("an empty accepted answer was ignored")
            continue
        if option.weight >= 100:
            accepted.append(option.text)
        else:
            lost.append(
                f"answer '{option.text}' ({_percent_text(option.weight)}%) dropped: "
                "short answers are right or wrong, without partial credit"
            )
        if option.feedback:
            lost.append(
                f"feedback for answer '{option.text}' dropped (short answers have no "
                "per-answer feedback)"
            )
    if not accepted:
        raise _Malformed("no short answer gives full marks")
    return "short", {"answers": accepted}


def _parse_numeric(block: str, lost: list[str]) -> tuple[str, dict[str, Any]]:
    """`{#x}`, `{#x:tolerance}`, `{#min..max}`; of several answers the first 100% one is kept."""
    block, tilde, _ = block.partition("~")
    if tilde:
        lost.append("feedback for wrong answers ('~') dropped")
    options = [_option(part, 100.0) for part in _answers(block, "=")]
    if not options:
        raise _Malformed("the numeric block has no answer")
    values = [_numeric_value(o.text) for o in options]
    full = [i for i, o in enumerate(options) if o.weight >= 100]
    if not full:
        raise _Malformed("no numeric answer gives full marks")
    for i, option in enumerate(options):
        if i != full[0]:
            lost.append(
                f"numeric answer '{option.text}' ({_percent_text(option.weight)}%) "
                "dropped: studyapp keeps one answer"
            )
        if option.feedback:
            lost.append(f"feedback for numeric answer '{option.text}' dropped")
    return "numeric", values[full[0]]


def _numeric_value(text: str) -> dict[str, Any]:
    """`answer` (and `tolerance`) from `x`, `x:tolerance` or `min..max`."""
    if text.find("..") > 0:
        low, _, high = text.partition("..")
        bounds = _number(low), _number(high)
        if bounds[0] is not None and bounds[1] is not None:
            return _midpoint(bounds[0], bounds[1], text)
    elif text.find(":") > 0:
        value, _, tolerance = text.partition(":")
        answer, margin = _number(value), _number(tolerance)
        if answer is not None and margin is not None:
            return {"answer": answer, "tolerance": margin}
    elif (answer := _number(text)) is not None:
        return {"answer": answer}
    raise _Malformed(f"numeric answer '{text}' is not a number, 'number:tolerance' or 'min..max'")


def _number(text: str) -> int | float | None:
    """A finite number written plainly (`12`, `-1.5`, `1e9`), else None."""
    text = text.strip()
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        return None
    value = int(text) if text.lstrip("+-").isdigit() else float(text)
    return value if math.isfinite(value) else None


def _midpoint(low: int | float, high: int | float, text: str) -> dict[str, Any]:
    """A range as its midpoint and half its width."""
    if isinstance(low, int) and isinstance(high, int) and (low + high) % 2 == 0:
        return {"answer": (low + high) // 2, "tolerance": abs(high - low) // 2}
    answer, tolerance = low / 2 + high / 2, abs(high / 2 - low / 2)
    if not (math.isfinite(answer) and math.isfinite(tolerance)):
        raise _Malformed(f"numeric range '{text}' is too large")
    return {"answer": answer, "tolerance": tolerance}


# ---- import: metadata, texts and ids --------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    """Question metadata read from comments."""

    source: Source | None = None
    tags: tuple[str, ...] = ()
    difficulty: str = DEFAULT_DIFFICULTY
    points: float = DEFAULT_POINTS
    unit: str | None = None


def _slug(text: str) -> str:
    """A lowercase slug of a title or tag: `Q1 Capital?` -> `q1-capital`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", folded))[:60].strip("-")


def _metadata_fields(comment: str) -> dict[str, str]:
    """Our comment `source: ...; tags: ...; ...` as fields; other comments give none."""
    if not _META_START.match(comment):
        return {}
    fields: dict[str, str] = {}
    rest = comment
    while rest:
        key, _, rest = rest.partition(":")
        if key.strip() == "unit":  # the unit is last and may contain '; '
            fields["unit"] = rest
            break
        value, _, rest = rest.partition("; ")
        fields[key.strip()] = value
    return {k: _clean(_protect(v)) for k, v in fields.items()}


def _metadata(comments: tuple[str, ...], readings: Mapping[str, Reading], lost: list[str]) -> _Meta:
    """Our metadata comment and Moodle's `[tag:x]` / `[id:x]` comments; bad values noted."""
    fields: dict[str, str] = {}
    for comment in comments:
        fields.update(_metadata_fields(comment))
    for key in fields.keys() - set(_META_KEYS):
        lost.append(f"unknown metadata '{key}' in the comment ignored")
    tags = _tags([t.strip() for t in fields.get("tags", "").split(",")], lost)
    for comment in comments:
        for kind, value in _MOODLE_TAG.findall(comment):
            if kind == "tag":
                tags = tags + tuple(t for t in _tags([value], lost) if t not in tags)
            else:
                lost.append(f"Moodle ID number '{value}' dropped")
    return _Meta(
        _source(fields.get("source"), readings, lost),
        tags,
        _difficulty(fields.get("difficulty"), lost),
        _points(fields.get("points"), lost),
        fields.get("unit") or None,
    )


def _tags(values: list[str], lost: list[str]) -> tuple[str, ...]:
    """Tags as slugs; one that gives an empty slug is noted and dropped."""
    tags: list[str] = []
    for value in filter(None, values):
        tag = value if re.fullmatch(SLUG_PATTERN, value) else _slug(value)
        if not tag:
            lost.append(f"tag '{value}' dropped: it has no letters or digits")
        elif tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _source(value: str | None, readings: Mapping[str, Reading], lost: list[str]) -> Source | None:
    """The comment's source, if it names a known reading and existing paragraphs."""
    if not value:
        return None
    try:
        source = Source.parse(value)
    except ValueError as exc:
        lost.append(f"{exc}; source dropped")
        return None
    reading = readings.get(source.reading)
    if reading is None:
        lost.append(f"source '{value}' names unknown reading '{source.reading}'; source dropped")
        return None
    if any(not 1 <= n <= reading.paragraphs for n in source.paragraphs):
        lost.append(
            f"source '{value}' names a paragraph outside {reading.id} "
            f"¶1-¶{reading.paragraphs}; source dropped"
        )
        return None
    return source


def _difficulty(value: str | None, lost: list[str]) -> str:
    """The comment's difficulty, or the default."""
    if value is None or value in DIFFICULTIES:
        return value or DEFAULT_DIFFICULTY
    lost.append(
        f"difficulty '{value}' is not one of {', '.join(DIFFICULTIES)}; '{DEFAULT_DIFFICULTY}' used"
    )
    return DEFAULT_DIFFICULTY


def _points(value: str | None, lost: list[str]) -> float:
    """The comment's points, or the default."""
    if value is None:
        return DEFAULT_POINTS
    number = _number(value)
    if number is None or number <= 0:
        lost.append(
            f"points '{value}' is not a number greater than 0; {_number_text(DEFAULT_POINTS)} used"
        )
        return DEFAULT_POINTS
    return float(number)


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


def _unique_id(item: _Item, used: set[str], lost: list[str]) -> str:
    """The slug of the title (else q<number>), made unique with -2, -3..."""
    base = _slug(item.title or "") or f"q{item.number}"
    qid, n = base, 2
    while qid in used:
        qid, n = f"{base}-{n}", n + 1
    if qid != base:
        lost.append(f"id '{base}' is already used; renamed '{qid}'")
    used.add(qid)
    return qid


# ---- import: assembly -----------------------------------------------------------------------


def import_gift(text: str, bank_id: str, title: str, readings: Mapping[str, Reading]) -> GiftImport:
    """Read GIFT into a bank; `result` is the loader's check of `bank_yaml`. Never raises."""
    notes: list[str] = []
    questions: list[Question] = []
    used: set[str] = set()
    number = 0
    for block in _blocks(text):
        if _protect(block.lines[0]).startswith("$CATEGORY:"):
            category = _restore(_protect(block.lines[0])[10:]).strip()
            notes.append(
                f"line {block.numbers[0]}: category '{category}' ignored: studyapp has "
                f"no categories, so every question goes into bank '{bank_id}'"
            )
            continue
        number += 1
        question = _import_item(_item(block, number), readings, used, notes)
        if question is not None:
            questions.append(question)
    if not questions:
        issue = Issue(IMPORT_LABEL, 1, None, "the GIFT text has no question that can be imported")
        return GiftImport(None, LoadResult(IMPORT_LABEL, None, (issue,)), tuple(notes))
    bank_yaml = dump_bank(Bank(bank_id, title, "", None, tuple(questions)))
    return GiftImport(bank_yaml, load_bank_text(bank_yaml, IMPORT_LABEL, readings), tuple(notes))


def _import_item(
    item: _Item, readings: Mapping[str, Reading], used: set[str], notes: list[str]
) -> Question | None:
    """One question, or None with a note saying why it was skipped."""
    lost: list[str] = []
    try:
        question = _question(item, _parts(item), readings, lost)
    except _Malformed as exc:
        notes.append(f"{item.where(exc.line)}: {exc}; skipped")
        return None
    problems = _problems(question, readings)
    if problems:
        notes.append(f"{item.where()}: {'; '.join(problems)}; skipped")
        return None
    qid = _unique_id(item, used, lost)
    notes += [f"{item.where()}: {message}" for message in lost]
    return Question(
        qid,
        question.type,
        question.prompt,
        question.points,
        question.tags,
        question.difficulty,
        question.source,
        question.explanation,
        question.spec,
    )


def _question(
    item: _Item, parts: _Parts, readings: Mapping[str, Reading], lost: list[str]
) -> Question:
    """Build the question from its parts and comments (its id is assigned later)."""
    if parts.answer is None:
        raise _Malformed("a description (text without an answer block) has no studyapp equivalent")
    kind, spec = _parse_answer(parts.answer, lost)
    fmt, prompt = _strip_format(parts.prompt.strip())
    prompt = _restore(prompt).strip()
    if not prompt:
        raise _Malformed("the question has no text")
    if fmt == "html":
        lost.append(
            "the text is marked [html] and was kept as written; studyapp renders "
            "Markdown and removes raw HTML"
        )
    explanation, spec = _texts(kind, spec, _clean(parts.feedback), lost)
    meta = _metadata(item.comments, readings, lost)
    prompt, spec = _unit(kind, prompt, spec, meta.unit, lost)
    return Question(
        _slug(item.title or "") or f"q{item.number}",
        kind,
        prompt,
        meta.points,
        meta.tags,
        meta.difficulty,
        meta.source,
        explanation,
        freeze(spec),
    )


def _problems(question: Question, readings: Mapping[str, Reading]) -> list[str]:
    """The loader's errors for this question alone, so one bad question skips only itself."""
    probe = Bank("gift-check", "GIFT check", "", None, (question,))
    result = load_bank_text(dump_bank(probe), IMPORT_LABEL, readings)
    return [issue.message for issue in result.errors]
