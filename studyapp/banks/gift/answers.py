"""GIFT import, first half: split a file into questions and read their answer blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from studyapp.banks.gift.common import (
    BLANK,
    NUMBER,
    WEIGHT,
    answer_text,
    choice_keys,
    choice_text,
    clean,
    feedback_text,
    moodle_percent,
    percent_text,
    php_trim,
    protect,
    restore,
    wildcards,
)


class Malformed(Exception):
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
class Item:
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
class Parts:
    """An item's prompt, answer block and general feedback (protected texts)."""

    prompt: str
    answer: str | None  # None: no answer block (a description)
    feedback: str


def split_blocks(text: str) -> list[_Block]:
    """Split GIFT into question blocks at blank lines; comment-only blocks carry nothing."""
    blocks: list[_Block] = []
    lines: list[str] = []
    numbers: list[int] = []
    comments: list[str] = []
    # Old Mac files end lines with CR alone; Moodle reads them as lines too.
    rows = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate([*rows, ""], start=1):
        line = php_trim(raw)
        if line.startswith("//"):
            comments.append(line[2:].strip())
        elif line:
            # Moodle trims the question's text as a whole, so indentation inside it stays
            # (code in <pre>); trailing spaces are dropped, which HTML would not show.
            lines.append(raw.rstrip(" \t") if lines else line)
            numbers.append(number)
        elif lines or comments:
            if lines:
                blocks.append(_Block(tuple(lines), tuple(numbers), tuple(comments)))
            lines, numbers, comments = [], [], []
    return blocks


def item_of(block: _Block, number: int) -> Item:
    """Read a block's `::title::` (Moodle keeps the text when the title is not closed)."""
    text = protect("\n".join(block.lines))
    title, body = None, 0
    if text.startswith("::"):
        end = text.find("::", 2)
        title, body = (restore(text[2:end]).strip() or None, end + 2) if end >= 0 else (None, 2)
    return Item(number, title, text, body, block.numbers, block.comments)


def parts_of(item: Item) -> Parts:
    """Find the answer block; text after it makes a missing-word prompt with `_____`."""
    text, body = item.text, item.body
    start, end = text.find("{", body), text.find("}", body)
    if start < 0 and end < 0:
        return Parts(text[body:], None, "")
    if end < 0:
        raise Malformed("'{' is never closed (a blank line ends a question)", item.line_at(start))
    if start < 0 or end < start:
        raise Malformed("'}' comes before any '{'", item.line_at(end))
    after = text[end + 1 :]
    extra = min((i for i in (after.find("{"), after.find("}")) if i >= 0), default=-1)
    if extra >= 0:
        raise Malformed(
            "more than one answer block; studyapp reads one per question",
            item.line_at(end + 1 + extra),
        )
    prompt = text[body:start] + (BLANK + after if after.strip() else "")
    answer = text[start + 1 : end].strip()
    split = answer.rfind("####")
    if split < 0:
        return Parts(prompt, answer, "")
    return Parts(prompt, answer[:split].strip(), answer[split + 4 :])


@dataclass(frozen=True)
class _Option:
    """One answer of a choice, short-answer or numeric block."""

    weight: float  # percent
    text: str
    feedback: str
    marked: bool  # written with '=' in a choice block


def _option(
    part: str, default_weight: float, fmt: str | None, lost: list[str], choice: bool = False
) -> _Option:
    """Read `=text#feedback`, `%50%text#feedback` or `text#feedback`.

    A choice's text is kept as Markdown (choices are shown as Markdown); an answer's as
    the plain words a student types.
    """
    part = php_trim(part)
    marked = part.startswith("=")
    weight, rest = (100.0, part[1:]) if marked else _weight(part, default_weight)
    text, _, feedback = rest.partition("#")
    words = (choice_text if choice else answer_text)(text, fmt)
    return _Option(weight, words, feedback_text(feedback, fmt, lost), marked)


def _weight(part: str, default: float) -> tuple[float, str]:
    """Split a `%n%` weight off an answer."""
    match = WEIGHT.match(part)
    if match is None:
        return default, part
    value = float(match[2])
    return (-value if match[1] else value), part[match.end() :]


def _answers(block: str, separator: str) -> list[str]:
    """Split a block at its separators; text before the first separator counts if non-empty."""
    parts = block.split(separator)
    return parts[1:] if parts and not parts[0].strip() else parts


def parse_answer(answer: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """Tell the question type from the answer block as Moodle does, then read it.

    `fmt` is the question text's format, which Moodle gives answers without their own.
    """
    if not answer:
        return "essay", {}
    if answer.startswith("#"):
        return _parse_numeric(answer[1:], lost, fmt)
    if "~" in answer:
        return _parse_choices(answer, lost, fmt)
    if "=" in answer and "->" in answer:
        return _parse_matching(answer, lost, fmt)
    head = php_trim(answer.split("#", 1)[0])
    if head in ("T", "TRUE", "F", "FALSE"):
        return _parse_truefalse(answer, lost, fmt)
    return _parse_short(answer, lost, fmt)


def _parse_choices(answer: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """`{=right ~wrong}` is single choice; `{~%50%a ~%50%b ~%-100%c}` (no '=') is multiple."""
    parts = _answers(answer.replace("=", "~="), "~")
    options = [_option(part, 0.0, fmt, lost, choice=True) for part in parts]
    empty = [o for o in options if not o.text]
    if empty:
        lost.append(f"{len(empty)} empty answer(s) ignored")
    options = [o for o in options if o.text]
    if len(options) < 2:
        raise Malformed("a multiple-choice block needs at least 2 answers")
    keys = choice_keys(len(options))
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
        raise Malformed("no answer is marked right with '='")
    for key, option in zip(keys, options, strict=True):
        weight = percent_text(option.weight)
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
        raise Malformed("no answer has a positive weight, so no choice is right")
    wrong_count = len(options) - len(right)
    differ = []
    for key, option in zip(keys, options, strict=True):
        exact = 100 / len(right) if option.weight > 0 else -100 / wrong_count
        if min(abs(option.weight - exact), abs(option.weight - moodle_percent(exact))) > 1e-3:
            differ.append(f"{key} {percent_text(option.weight)}% (rule: {percent_text(exact)}%)")
    if differ:
        lost.append(
            "weights differ from studyapp's rule (right picks share +100%, wrong picks "
            f"share -100%): {', '.join(differ)}; studyapp grades by its rule"
        )
    return right


def _parse_matching(answer: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """`{=left -> right ...}`; an empty left side (`= -> text`) is a distractor."""
    parts = _answers(answer, "=")
    if len(parts) < 2:
        raise Malformed("a matching block needs at least 2 '=left -> right' pairs")
    pairs: dict[str, str] = {}
    distractors: list[str] = []
    for part in parts:
        left, arrow, right = part.partition("->")
        if not arrow:
            raise Malformed(f"matching answer '{clean(part)}' has no '->'")
        left, right = answer_text(left, fmt), answer_text(right, fmt)
        if not left:
            distractors += [right] if right else []
        elif left in pairs:
            lost.append(f"left item '{left}' appears twice; its second pair was dropped")
        else:
            pairs[left] = right
    return "matching", {"pairs": pairs, **({"distractors": distractors} if distractors else {})}


def _parse_truefalse(answer: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """`{T}`, `{FALSE#feedback if answered wrong#feedback if answered right}`."""
    bits = answer.split("#", 2)
    value = php_trim(bits[0]) in ("T", "TRUE")
    wrong = feedback_text(bits[1], fmt, lost) if len(bits) > 1 else ""
    right = feedback_text(bits[2], fmt, lost) if len(bits) > 2 else ""
    feedback = {**({value: right} if right else {}), **({not value: wrong} if wrong else {})}
    return "truefalse", {"answer": value, **({"feedback": feedback} if feedback else {})}


def _parse_short(answer: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """`{=a =b}`: full-credit answers are accepted; weights and feedback cannot be kept."""
    accepted = []
    for part in _answers(answer, "="):
        option = _option(part, 100.0, fmt, lost)
        if not option.text:
            lost.append("an empty accepted answer was ignored")
            continue
        if option.weight >= 100:
            accepted.append(option.text)
        else:
            lost.append(
                f"answer '{option.text}' ({percent_text(option.weight)}%) dropped: "
                "short answers are right or wrong, without partial credit"
            )
        if option.feedback:
            lost.append(
                f"feedback for answer '{option.text}' dropped (short answers have no "
                "per-answer feedback)"
            )
    if not accepted:
        raise Malformed("no short answer gives full marks")
    try:
        return "short", wildcards(accepted, lost)
    except ValueError as exc:
        raise Malformed(str(exc)) from None


def _parse_numeric(block: str, lost: list[str], fmt: str | None) -> tuple[str, dict[str, Any]]:
    """`{#x}`, `{#x:tolerance}`, `{#min..max}`; of several answers the first 100% one is kept."""
    block, tilde, _ = block.partition("~")
    if tilde:
        lost.append("feedback for wrong answers ('~') dropped")
    options = [_option(part, 100.0, fmt, lost) for part in _answers(block, "=")]
    if not options:
        raise Malformed("the numeric block has no answer")
    values = [_numeric_value(o.text) for o in options]
    full = [i for i, o in enumerate(options) if o.weight >= 100]
    if not full:
        raise Malformed("no numeric answer gives full marks")
    for i, option in enumerate(options):
        if i != full[0]:
            lost.append(
                f"numeric answer '{option.text}' ({percent_text(option.weight)}%) "
                "dropped: studyapp keeps one answer"
            )
        if option.feedback:
            lost.append(f"feedback for numeric answer '{option.text}' dropped")
    return "numeric", values[full[0]]


def _numeric_value(text: str) -> dict[str, Any]:
    """`answer` (and `tolerance`) from `x`, `x:tolerance` or `min..max`."""
    if text.find("..") > 0:
        low, _, high = text.partition("..")
        bounds = number_or_none(low), number_or_none(high)
        if bounds[0] is not None and bounds[1] is not None:
            return _range(bounds[0], bounds[1], text)
    elif text.find(":") > 0:
        value, _, tolerance = text.partition(":")
        answer, margin = number_or_none(value), number_or_none(tolerance)
        if answer is not None and margin is not None:
            return {"answer": answer, "tolerance": margin}
    elif (answer := number_or_none(text)) is not None:
        return {"answer": answer}
    raise Malformed(f"numeric answer '{text}' is not a number, 'number:tolerance' or 'min..max'")


def number_or_none(text: str) -> int | float | None:
    """A finite number written plainly (`12`, `-1.5`, `1e9`), else None."""
    text = text.strip()
    if len(text) > 40 or not NUMBER.fullmatch(text):
        return None
    value = int(text) if text.lstrip("+-").isdigit() else float(text)
    return value if math.isfinite(value) else None


def _range(low: int | float, high: int | float, text: str) -> dict[str, Any]:
    """A range by its ends, exactly as written; Moodle accepts both ends."""
    if low > high:
        raise Malformed(f"numeric range '{text}' has its lower end last")
    return {"min": low, "max": high}
