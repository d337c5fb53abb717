"""Moodle XML export: every question type, with what Moodle has no field for in a comment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Comment, Element, SubElement, indent, tostring

from studyapp.banks.gift.common import choice_keys, number_text
from studyapp.banks.moodlexml.common import fraction_text, meta_comment
from studyapp.banks.numbers import to_decimal
from studyapp.banks.schema import DEFAULT_DIFFICULTY, Bank, Question, thaw

# qtype_ordering's grading names for our two scorings.
ORDERING_GRADING = {"pairs": "RELATIVE_NEXT_EXCLUDE_LAST", "positions": "ABSOLUTE_POSITION"}


@dataclass(frozen=True)
class MoodleXmlExport:
    """The XML text, and notes on what Moodle will treat differently from studyapp."""

    text: str
    notes: tuple[str, ...] = ()


def export_moodle_xml(bank: Bank) -> MoodleXmlExport:
    """Write a bank as Moodle XML (one category named after the bank)."""
    quiz = Element("quiz")
    bank_meta = {
        k: v for k, v in (("description", bank.description), ("source", bank.source_default)) if v
    }
    quiz.append(Comment(meta_comment({"bank": bank.id, "title": bank.title, **bank_meta})))
    category = SubElement(quiz, "question", type="category")
    _text(SubElement(category, "category"), f"$course$/top/{bank.id}")
    notes: list[str] = []
    for question in bank.questions:
        element, remarks = _question(question)
        quiz.append(element)
        notes += [f"question '{question.id}' ({question.type}): {r}" for r in remarks]
    indent(quiz)
    body = tostring(quiz, encoding="unicode")
    return MoodleXmlExport('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", tuple(notes))


def _text(parent: Element, value: str) -> Element:
    SubElement(parent, "text").text = value
    return parent


def _formatted(parent: Element, tag: str, value: str, **attrs: str) -> Element:
    """A Markdown text element: `<tag format="markdown"><text>...</text></tag>`."""
    return _text(SubElement(parent, tag, format="markdown", **attrs), value)


def _question(question: Question) -> tuple[Element, list[str]]:
    writer = _WRITERS[question.type]
    element = Element("question", type=writer.moodle_type)
    meta: dict[str, Any] = {}
    if question.source is not None:
        meta["source"] = str(question.source)
    if question.difficulty != DEFAULT_DIFFICULTY:
        meta["difficulty"] = question.difficulty
    _text(SubElement(element, "name"), question.id)
    _formatted(element, "questiontext", question.prompt)
    _formatted(element, "generalfeedback", question.explanation)
    SubElement(element, "defaultgrade").text = number_text(question.points)
    SubElement(element, "penalty").text = "0"
    SubElement(element, "hidden").text = "0"
    SubElement(element, "idnumber").text = question.id
    remarks = writer.write(element, thaw(question.spec), meta)
    if question.tags:
        tags = SubElement(element, "tags")
        for tag in question.tags:
            _text(SubElement(tags, "tag"), tag)
    comment = meta_comment(meta)
    if comment:
        element.insert(0, Comment(comment))
    return element, remarks


def _answer(parent: Element, fraction: float, text: str, feedback: str | None = None) -> Element:
    answer = _formatted(parent, "answer", text, fraction=fraction_text(fraction))
    _formatted(answer, "feedback", feedback or "")
    return answer


def _keys(spec: dict[str, Any], meta: dict[str, Any]) -> None:
    """Moodle has no choice keys; keys other than A, B, C... are kept in the comment."""
    if list(spec["choices"]) != choice_keys(len(spec["choices"])):
        meta["keys"] = list(spec["choices"])


def _choice_options(element: Element, single: bool, shuffle: bool) -> None:
    SubElement(element, "single").text = "true" if single else "false"
    # Moodle shuffles only when both the quiz and the question say so, as studyapp does.
    SubElement(element, "shuffleanswers").text = "true" if shuffle else "false"
    SubElement(element, "answernumbering").text = "ABCD"
    SubElement(element, "showstandardinstruction").text = "0"


def _write_single(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    _choice_options(element, True, spec.get("shuffle", True))
    feedback = spec.get("feedback", {})
    for key, text in spec["choices"].items():
        _answer(element, 100 if key == spec["answer"] else 0, text, feedback.get(key))
    _keys(spec, meta)
    return []


def _write_multiple(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """Right picks share +100%, wrong picks share -100%, as studyapp grades."""
    _choice_options(element, False, spec.get("shuffle", True))
    feedback = spec.get("feedback", {})
    right = set(spec["answer"])
    wrong = len(spec["choices"]) - len(right)
    for key, text in spec["choices"].items():
        share = 100 / len(right) if key in right else (-100 / wrong if wrong else 0)
        _answer(element, share, text, feedback.get(key))
    _keys(spec, meta)
    return []


def _write_truefalse(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    feedback = spec.get("feedback", {})
    for value in (True, False):
        fraction = 100 if value == spec["answer"] else 0
        _answer(element, fraction, "true" if value else "false", feedback.get(value))
    return []


def _write_short(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    SubElement(element, "usecase").text = "0"
    for text in spec["answers"]:
        # A bare '*' is Moodle's wildcard; '\*' is a literal star.
        _answer(element, 100, text.replace("*", "\\*"))
    if "pattern" in spec:
        meta["pattern"] = spec["pattern"]
        return [
            f"the pattern '{spec['pattern']}' has no Moodle equivalent; Moodle accepts only "
            "the listed answers (the pattern is kept for a studyapp import)"
        ]
    return []


def _write_numeric(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    remarks = []
    if "answer" in spec:
        value, tolerance = number_text(spec["answer"]), number_text(spec.get("tolerance", 0))
        if spec.get("tolerance") == 0:
            meta["tolerance"] = 0  # written in the bank, though Moodle's default is 0 too
    else:
        low, high = to_decimal(spec["min"]), to_decimal(spec["max"])
        value, tolerance = _decimal_text((low + high) / 2), _decimal_text((high - low) / 2)
        meta["min"], meta["max"] = spec["min"], spec["max"]
        remarks.append(
            f"the range {number_text(spec['min'])}..{number_text(spec['max'])} is written as "
            f"{value} ± {tolerance}, Moodle's own form for a range"
        )
    answer = _answer(element, 100, value)
    SubElement(answer, "tolerance").text = tolerance
    unit = spec.get("unit")
    if unit:
        units = SubElement(SubElement(element, "units"), "unit")
        SubElement(units, "multiplier").text = "1"
        SubElement(units, "unit_name").text = unit
    # Units optional and not graded: studyapp's unit is a hint, the number is graded.
    SubElement(element, "unitgradingtype").text = "0"
    SubElement(element, "unitpenalty").text = "0"
    SubElement(element, "showunits").text = "0" if unit else "3"
    SubElement(element, "unitsleft").text = "0"
    return remarks


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text or "E" not in text else str(value)


def _write_matching(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    SubElement(element, "shuffleanswers").text = "true"
    for left, right in spec["pairs"].items():
        sub = _formatted(element, "subquestion", left)
        _text(SubElement(sub, "answer"), right)
    for text in spec.get("distractors", ()):
        # Moodle's form for an extra wrong option: a subquestion with no text.
        sub = _formatted(element, "subquestion", "")
        _text(SubElement(sub, "answer"), text)
    return []


def _write_essay(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    SubElement(element, "responseformat").text = "editor"
    SubElement(element, "responserequired").text = "1"
    SubElement(element, "responsefieldlines").text = "15"
    for tag in ("minwordlimit", "maxwordlimit"):
        key = "min_words" if tag == "minwordlimit" else "max_words"
        if key in spec:
            SubElement(element, tag).text = str(spec[key])
    SubElement(element, "attachments").text = "0"
    SubElement(element, "attachmentsrequired").text = "0"
    graderinfo = spec["model_answer"]
    remarks = ["the model answer is the information for graders, which students never see"]
    if "rubric" in spec:
        meta["rubric"] = spec["rubric"]
        rows = "\n".join(f"- {r['criterion']} ({number_text(r['points'])})" for r in spec["rubric"])
        graderinfo += "\n\n**Rubric:**\n\n" + rows
        remarks.append("the rubric is listed in the information for graders (Moodle has none)")
    _formatted(element, "graderinfo", graderinfo)
    _formatted(element, "responsetemplate", "")
    return remarks


def _write_ordering(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """qtype_ordering (core from Moodle 4.4; a plugin before): items in the right order."""
    scoring = spec.get("scoring", "pairs")
    if "scoring" in spec:
        meta["scoring"] = scoring
    SubElement(element, "layouttype").text = "VERTICAL"
    SubElement(element, "selecttype").text = "ALL"
    SubElement(element, "selectcount").text = "0"
    SubElement(element, "gradingtype").text = ORDERING_GRADING[scoring]
    SubElement(element, "showgrading").text = "SHOW"
    SubElement(element, "numberingstyle").text = "none"
    for position, item in enumerate(spec["items"], start=1):
        _formatted(element, "answer", item, fraction=str(position))
    return ["needs Moodle 4.4 or later (the ordering type is core from 4.4; a plugin before)"]


_CLOZE_SPECIAL = str.maketrans({c: "\\" + c for c in '}#~/"\\'})


def _write_blanks(element: Element, spec: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """Moodle's embedded answers (cloze, core): each [[name]] a SHORTANSWER gap."""
    text = element.find("questiontext/text")
    assert text is not None and text.text is not None
    meta["blanks"] = list(spec["blanks"])  # the names, which cloze gaps do not have
    prompt = text.text
    for name, answers in spec["blanks"].items():
        gap = "~".join(f"={a.translate(_CLOZE_SPECIAL)}" for a in answers)
        prompt = prompt.replace(f"[[{name}]]", "{1:SHORTANSWER:" + gap + "}")
    text.text = prompt
    return ["each blank is a SHORTANSWER gap of Moodle's embedded answers (cloze) type"]


@dataclass(frozen=True)
class _Writer:
    moodle_type: str
    write: Callable[[Element, dict[str, Any], dict[str, Any]], list[str]]


_WRITERS = {
    "single": _Writer("multichoice", _write_single),
    "multiple": _Writer("multichoice", _write_multiple),
    "truefalse": _Writer("truefalse", _write_truefalse),
    "short": _Writer("shortanswer", _write_short),
    "numeric": _Writer("numerical", _write_numeric),
    "matching": _Writer("matching", _write_matching),
    "essay": _Writer("essay", _write_essay),
    "ordering": _Writer("ordering", _write_ordering),
    "blanks": _Writer("cloze", _write_blanks),
}
