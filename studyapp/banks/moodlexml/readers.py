"""Moodle XML import, second half: each Moodle question type read into one of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from studyapp.banks.gift.common import choice_keys, moodle_percent, percent_text, wildcards
from studyapp.banks.markup import escape_markdown, plain_text, to_markdown
from studyapp.banks.moodlexml.common import FORMATS
from studyapp.banks.moodlexml.export import ORDERING_GRADING

NO_MODEL_ANSWER = "(none given in Moodle XML)"
_WEIGHT = re.compile(r"^%-?[0-9.]+%")  # a gap answer's grade, as in `%50%Lyon`
_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}")
# Moodle's ordering import also reads these spellings and the numbers it stores.
_GRADINGS = {
    **{v: k for k, v in ORDERING_GRADING.items()},
    "ABSOLUTE": "positions",
    "ABS": "positions",
    "0": "positions",
    "1": "pairs",
}


class Refused(Exception):
    """A question studyapp cannot keep; it is skipped with this reason."""


@dataclass
class Context:
    lost: list[str]
    files: int = 0
    points: float | None = None  # a cloze question's mark: the sum of its gaps' weights


def child_text(element: Element, path: str) -> str:
    found = element.find(f"{path}/text")
    if found is None:
        found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def markdown_of(element: Element | None, context: Context, what: str) -> str:
    """A Moodle text element (`<x format="html"><text>...</text></x>`) as Markdown."""
    if element is None:
        return ""
    for file in element.findall("file"):
        context.files += 1
        context.lost.append(
            f"embedded file '{file.get('name', '?')}' in the {what} dropped: studyapp banks "
            "hold text only (an image shows as its alternative text)"
        )
    node = element.find("text")
    raw = (node.text if node is not None else element.text) or ""
    fmt = FORMATS.get(element.get("format", "html"), "html")
    markdown, dropped = to_markdown(raw.strip(), fmt)
    if dropped:
        context.lost.append(f"HTML in the {what} lost: {', '.join(dropped)}")
    return markdown.strip()


def _plain(element: Element | None) -> str:
    """A short Moodle text (an answer, a choice) as plain words."""
    if element is None:
        return ""
    node = element.find("text")
    raw = (node.text if node is not None else element.text) or ""
    return plain_text(raw.strip(), FORMATS.get(element.get("format", "html"), "html")).strip()


def _choice(element: Element) -> str:
    """A choice as the inline Markdown choices are shown in, reading as Moodle shows it."""
    text = _plain(element)
    return text if element.get("format") == "markdown" else escape_markdown(text)


def number_of(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


_Read = tuple[str, dict[str, Any], str]
_Meta = dict[str, Any]


def _answers(element: Element) -> list[tuple[float, Element]]:
    return [(number_of(a.get("fraction")) or 0.0, a) for a in element.findall("answer")]


def _read_choices(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    lost = context.lost
    options = [
        (f, _choice(a), markdown_of(a.find("feedback"), context, "feedback"))
        for f, a in _answers(element)
    ]
    options = [o for o in options if o[1]]
    if len(options) < 2:
        raise Refused("a multiple-choice question needs at least 2 answers")
    keys = meta.get("keys") or choice_keys(len(options))
    if len(keys) != len(options):
        keys = choice_keys(len(options))
    single = child_text(element, "single").lower() in ("true", "1")
    spec: dict[str, Any] = {"choices": {k: o[1] for k, o in zip(keys, options, strict=True)}}
    if not _shuffled(element):
        spec["shuffle"] = False
    if single:
        full = [k for k, o in zip(keys, options, strict=True) if o[0] >= 100]
        if not full:
            raise Refused("no answer is worth 100%")
        spec["answer"] = full[0]
        for key, option in zip(keys, options, strict=True):
            if key != full[0] and option[0] != 0:
                lost.append(
                    f"grade {percent_text(option[0])}% for choice {key} dropped (a single-choice "
                    "question is right or wrong)"
                )
    else:
        right = [k for k, o in zip(keys, options, strict=True) if o[0] > 0]
        if not right:
            raise Refused("no answer has a positive grade, so no choice is right")
        spec["answer"] = right
        wrong = len(options) - len(right)
        for key, option in zip(keys, options, strict=True):
            exact = 100 / len(right) if option[0] > 0 else (-100 / wrong if wrong else 0)
            if min(abs(option[0] - exact), abs(option[0] - moodle_percent(exact))) > 1e-3:
                lost.append(
                    f"grade {percent_text(option[0])}% for choice {key} differs from studyapp's "
                    f"rule ({percent_text(exact)}%); studyapp grades by its rule"
                )
    feedback = {k: o[2] for k, o in zip(keys, options, strict=True) if o[2]}
    if feedback:
        spec["feedback"] = feedback
    _combined_feedback(element, lost)
    return ("single" if single else "multiple"), spec, prompt


def _shuffled(element: Element) -> bool:
    """Moodle's `<shuffleanswers>`: `0` or `false` keeps the order written (absent: shuffle)."""
    return child_text(element, "shuffleanswers").lower() not in ("false", "0")


def _combined_feedback(element: Element, lost: list[str]) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        if child_text(element, tag):
            lost.append(f"the {tag} text dropped: studyapp shows the explanation instead")


def _read_truefalse(element: Element, meta: dict[str, Any], context: Context, prompt: str) -> _Read:
    value = None
    feedback: dict[bool, str] = {}
    for fraction, answer in _answers(element):
        word = _plain(answer).lower()
        if word not in ("true", "false"):
            continue
        if fraction >= 100:
            value = word == "true"
        text = markdown_of(answer.find("feedback"), context, "feedback")
        if text:
            feedback[word == "true"] = text
    if value is None:
        raise Refused("neither 'true' nor 'false' is worth 100%")
    spec: dict[str, Any] = {"answer": value}
    if feedback:
        spec["feedback"] = feedback
    return "truefalse", spec, prompt


def _read_short(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    lost = context.lost
    accepted = []
    for fraction, answer in _answers(element):
        text = _plain(answer)
        if fraction >= 100 and text:
            accepted.append(text)
        elif text:
            lost.append(
                f"answer '{text}' ({percent_text(fraction)}%) dropped: short answers are right "
                "or wrong"
            )
        if child_text(answer, "feedback"):
            lost.append(f"feedback for answer '{text}' dropped (short answers have none)")
    if child_text(element, "usecase") == "1":
        lost.append("'case matters' dropped: studyapp compares answers ignoring case")
    if not accepted:
        raise Refused("no short answer is worth 100%")
    try:
        spec = wildcards(accepted, lost)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if isinstance(meta.get("pattern"), str):
        spec["pattern"] = meta["pattern"]
    return "short", spec, prompt


def _read_numeric(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    lost = context.lost
    full = None
    for fraction, answer in _answers(element):
        text = child_text(answer, "text") if answer.find("text") is not None else answer.text
        value = number_of(text)
        if fraction >= 100 and value is not None and full is None:
            tolerance = number_of(child_text(answer, "tolerance")) or 0.0
            full = (_whole(value), _whole(abs(tolerance)))
            if child_text(answer, "feedback"):
                lost.append(
                    f"feedback for numeric answer '{(text or '').strip()}' dropped (numeric "
                    "answers have no per-answer feedback)"
                )
        else:
            lost.append(
                f"numeric answer '{(text or '').strip()}' ({percent_text(fraction)}%) dropped: "
                "studyapp keeps one answer"
            )
    if full is None:
        raise Refused("no numeric answer is worth 100%")
    spec: dict[str, Any] = {"answer": full[0]}
    if full[1] or meta.get("tolerance") == 0:
        spec["tolerance"] = full[1]
    low, high = meta.get("min"), meta.get("max")
    if isinstance(low, int | float) and isinstance(high, int | float):
        spec = {"min": low, "max": high}
    units = element.findall("units/unit")
    base = [u for u in units if number_of(child_text(u, "multiplier")) == 1]
    if base:
        spec["unit"] = child_text(base[0], "unit_name")
    if len(units) > len(base[:1]):
        lost.append("units other than the base unit (multiplier 1) dropped")
    if child_text(element, "unitgradingtype") not in ("", "0"):
        lost.append("unit grading dropped: the unit is a hint, only the number is graded")
    return "numeric", spec, prompt


def _read_matching(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    pairs: dict[str, str] = {}
    distractors: list[str] = []
    for sub in element.findall("subquestion"):
        left = _plain(sub)
        right = child_text(sub, "answer")
        if not left:
            distractors += [right] if right else []
        elif left in pairs:
            context.lost.append(f"left item '{left}' appears twice; its second pair was dropped")
        else:
            pairs[left] = right
    if len(pairs) < 2:
        raise Refused("a matching question needs at least 2 pairs")
    if not _shuffled(element):
        context.lost.append(
            "'do not shuffle' dropped: studyapp always shuffles a matching question's options"
        )
    spec: dict[str, Any] = {"pairs": pairs}
    if distractors:
        spec["distractors"] = distractors
    _combined_feedback(element, context.lost)
    return "matching", spec, prompt


def _read_essay(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    lost = context.lost
    model = markdown_of(element.find("graderinfo"), context, "information for graders")
    rubric = meta.get("rubric")
    spec: dict[str, Any] = {}
    if isinstance(rubric, list):
        model = model.split("\n\n**Rubric:**\n\n")[0]
        spec["rubric"] = rubric
    if not model:
        lost.append(f"no information for graders: the model answer is '{NO_MODEL_ANSWER}'")
        model = NO_MODEL_ANSWER
    spec["model_answer"] = model
    for tag, key in (("minwordlimit", "min_words"), ("maxwordlimit", "max_words")):
        value = number_of(child_text(element, tag))
        if value:
            spec[key] = int(value)
    if (number_of(child_text(element, "attachments")) or 0) != 0:
        lost.append("attachments dropped: studyapp essays are typed")
    if child_text(element, "responseformat") not in ("", "editor", "plain", "monospaced"):
        lost.append(f"response format '{child_text(element, 'responseformat')}' dropped")
    if child_text(element, "responserequired") == "0":
        lost.append("an answer is optional in Moodle; studyapp scores a missing essay 0")
    if child_text(element, "responsetemplate"):
        lost.append("the response template dropped: studyapp essays start empty")
    return "essay", spec, prompt


def _read_ordering(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    ranked = sorted(_answers(element), key=lambda pair: pair[0])
    items = [_plain(a) for _, a in ranked]
    if len(items) < 2:
        raise Refused("an ordering question needs at least 2 items")
    grading = child_text(element, "gradingtype").upper()
    scoring = _GRADINGS.get(grading)
    if scoring is None:
        context.lost.append(
            f"grading '{grading}' has no studyapp equivalent; scored by adjacent pairs"
        )
    spec: dict[str, Any] = {"items": items}
    if "scoring" in meta or scoring == "positions":
        spec["scoring"] = meta.get("scoring", scoring)
    if child_text(element, "selecttype") not in ("", "ALL"):
        context.lost.append("a subset of items is shown in Moodle; studyapp shows them all")
    return "ordering", spec, prompt


def _read_cloze(element: Element, meta: _Meta, context: Context, prompt: str) -> _Read:
    """Embedded answers where every gap is SHORTANSWER become blanks."""
    node = element.find("questiontext")
    raw = child_text(element, "questiontext")
    gaps = list(_GAP.finditer(raw))
    if not gaps:
        raise Refused("the embedded-answers text has no gap")
    other = {g[2] for g in gaps} - {"SHORTANSWER", "SA", "MW"}
    if other:
        raise Refused(
            f"gaps of kind {', '.join(sorted(other))} have no studyapp equivalent (only "
            "SHORTANSWER gaps become blanks)"
        )
    names = meta.get("blanks")
    if not isinstance(names, list) or len(names) != len(gaps):
        names = [f"b{i}" for i in range(1, len(gaps) + 1)]
    blanks: dict[str, list[str]] = {}
    for name, gap in zip(names, gaps, strict=True):
        accepted = []
        for part in re.split(r"(?<!\\)~", gap[3]):
            weight, _, rest = part.partition("=") if part.startswith("=") else ("", "", part)
            rest = _WEIGHT.sub("", rest, count=1)
            text, *feedback = re.split(r"(?<!\\)#", rest, maxsplit=1)
            text = re.sub(r"\\(.)", r"\1", text).strip()
            full = part.startswith("=") or part.startswith("%100%")
            if full and text:
                accepted.append(text)
                if "".join(feedback).strip():
                    context.lost.append(
                        f"feedback for answer '{text}' of gap {name} dropped (blanks have none)"
                    )
            elif text:
                context.lost.append(f"answer '{text}' of gap {name} dropped: it is not worth 100%")
        if not accepted:
            raise Refused(f"gap {name} has no answer worth 100%")
        blanks[name] = accepted
    # `{2:SHORTANSWER:...}` weighs a gap 2; Moodle's mark is the sum of the weights.
    weights = [int(g[1] or 1) for g in gaps]
    context.points = float(sum(weights))
    if len(set(weights)) > 1:
        context.lost.append(
            f"gap weights {', '.join(map(str, weights))} dropped: studyapp weighs blanks equally"
        )
    # Gaps become private-use marks while the text is converted, then [[name]] markers.
    pieces = []
    last = 0
    for i, gap in enumerate(gaps):
        pieces += [raw[last : gap.start()], chr(0xE000 + i)]
        last = gap.end()
    pieces.append(raw[last:])
    fmt = FORMATS.get(node.get("format", "html"), "html") if node is not None else "html"
    markdown, _ = to_markdown("".join(pieces), fmt)
    for i, name in enumerate(names):
        markdown = markdown.replace(chr(0xE000 + i), f"[[{name}]]")
    return "blanks", {"blanks": blanks}, markdown.strip()


READERS = {
    "multichoice": _read_choices,
    "truefalse": _read_truefalse,
    "shortanswer": _read_short,
    "numerical": _read_numeric,
    "matching": _read_matching,
    "essay": _read_essay,
    "ordering": _read_ordering,
    "cloze": _read_cloze,
}
UNSUPPORTED = {
    "description": "a description (text without a question) has no studyapp equivalent",
    "calculated": "calculated questions (random values in a formula) have no studyapp equivalent",
    "calculatedsimple": "calculated questions have no studyapp equivalent",
    "calculatedmulti": "calculated questions have no studyapp equivalent",
    "ddwtos": "drag-and-drop into text has no studyapp equivalent",
    "gapselect": "select missing words has no studyapp equivalent",
    "ddimageortext": "drag-and-drop onto an image has no studyapp equivalent",
    "ddmarker": "drag-and-drop markers have no studyapp equivalent",
    "randomsamatch": "random short-answer matching draws from other questions; not imported",
    "random": "a random question draws from a category; not imported",
}
