"""Moodle XML import: each question Moodle wrote, as studyapp keeps it, every loss noted.

The XML is parsed with defusedxml, which refuses DTDs and entity declarations, so no
external entity is fetched and no entity expands ("billion laughs"). Embedded files
(Moodle writes images as base64 `<file>` elements) are never kept: a bank holds text only,
so each file is dropped with a note and the image shows as its alternative text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from xml.etree.ElementTree import Comment, Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from studyapp.banks.gift.common import percent_text
from studyapp.banks.gift.importer import GiftImport, question_problems
from studyapp.banks.gift.metadata import difficulty_of, slug, source_of, tags_of
from studyapp.banks.loader import load_bank_text
from studyapp.banks.moodlexml.common import read_meta
from studyapp.banks.moodlexml.readers import (
    READERS,
    UNSUPPORTED,
    Context,
    Refused,
    child_text,
    markdown_of,
    number_of,
)
from studyapp.banks.schema import (
    DEFAULT_POINTS,
    Bank,
    Issue,
    LoadResult,
    Question,
    Reading,
    dump_bank,
    freeze,
)

IMPORT_LABEL = "<moodle xml import>"
NO_EXPLANATION = "(No explanation was given in the Moodle XML file.)"
MAX_QUESTIONS = 5000
# Same shape as a GIFT import: the bank as YAML, the loader's check of it, and notes.
MoodleXmlImport = GiftImport


def parse_xml(text: str) -> Element:
    """The XML root with comments kept; DTDs and entities are refused."""
    parser = DefusedXMLParser(target=TreeBuilder(insert_comments=True), forbid_dtd=True)
    parser.feed(text)
    return parser.close()


def import_moodle_xml(
    text: str, bank_id: str, title: str | None, readings: Mapping[str, Reading]
) -> MoodleXmlImport:
    """Read Moodle XML into a bank; never raises on bad content."""
    notes: list[str] = []
    try:
        root = parse_xml(text.removeprefix("\ufeff"))
    except (ParseError, DefusedXmlException) as exc:
        return _nothing(f"the file is not XML studyapp reads: {exc}", notes)
    if root.tag != "quiz":
        return _nothing(f"the root element is <{root.tag}>, not Moodle's <quiz>", notes)
    bank_meta = next((m for m in map(_comment_meta, root) if m and "bank" in m), {})
    questions: list[Question] = []
    used: set[str] = set()
    number = 0
    for element in root:
        if element.tag != "question":
            continue
        kind = element.get("type", "")
        if kind == "category":
            if child_text(element, "category") == f"$course$/top/{bank_id}":
                continue
            notes.append(
                f"category '{child_text(element, 'category')}' ignored: studyapp has no "
                f"categories, so every question goes into bank '{bank_id}'"
            )
            continue
        number += 1
        if number > MAX_QUESTIONS:
            notes.append(f"more than {MAX_QUESTIONS} questions: the rest were not read")
            break
        question = _import_one(element, number, readings, used, notes)
        if question is not None:
            questions.append(question)
    if not questions:
        return _nothing("the Moodle XML file has no question that can be imported", notes)
    bank = Bank(
        bank_id,
        title or bank_meta.get("title") or bank_id,
        bank_meta.get("description", ""),
        bank_meta.get("source"),
        tuple(questions),
    )
    bank_yaml = dump_bank(bank)
    return MoodleXmlImport(
        bank_yaml, load_bank_text(bank_yaml, IMPORT_LABEL, readings), tuple(notes)
    )


def _nothing(message: str, notes: list[str]) -> MoodleXmlImport:
    issue = Issue(IMPORT_LABEL, 1, None, message)
    return MoodleXmlImport(None, LoadResult(IMPORT_LABEL, None, (issue,)), tuple(notes))


def _comment_meta(node: Element) -> dict[str, Any] | None:
    return read_meta(node.text or "") if node.tag is Comment else None


def _import_one(
    element: Element,
    number: int,
    readings: Mapping[str, Reading],
    used: set[str],
    notes: list[str],
) -> Question | None:
    name = child_text(element, "name")
    where = f"question {number}" + (f" '{name}'" if name else "")
    context = Context([])
    meta = next((m for m in map(_comment_meta, element) if m is not None), {})
    try:
        question = _question(element, name, number, meta, readings, context)
    except Refused as exc:
        notes.append(f"{where}: {exc}; skipped")
        return None
    problems = question_problems(question, readings)
    if problems:
        notes.append(f"{where}: {'; '.join(problems)}; skipped")
        return None
    qid, n = question.id, 2
    while qid in used:
        qid, n = f"{question.id}-{n}", n + 1
    if qid != question.id:
        context.lost.append(f"id '{question.id}' is already used; renamed '{qid}'")
    used.add(qid)
    notes += [f"{where}: {message}" for message in context.lost]
    return replace(question, id=qid)


def _question(
    element: Element,
    name: str,
    number: int,
    meta: dict[str, Any],
    readings: Mapping[str, Reading],
    context: Context,
) -> Question:
    kind = element.get("type", "")
    reader = READERS.get(kind)
    if reader is None:
        raise Refused(UNSUPPORTED.get(kind, f"Moodle's '{kind}' type has no studyapp equivalent"))
    lost = context.lost
    prompt = markdown_of(element.find("questiontext"), context, "question text")
    if not prompt:
        raise Refused("the question has no text")
    our_type, spec, prompt = reader(element, meta, context, prompt)
    explanation = markdown_of(element.find("generalfeedback"), context, "general feedback")
    if not explanation:
        lost.append(f"no general feedback: the explanation is '{NO_EXPLANATION}'")
        explanation = NO_EXPLANATION
    points = number_of(child_text(element, "defaultgrade"))
    if points is None and context.points is not None:
        points = context.points
    if points is None or points <= 0:
        if child_text(element, "defaultgrade"):
            lost.append(
                f"default mark '{child_text(element, 'defaultgrade')}' is not above 0; 1 used"
            )
        points = DEFAULT_POINTS
    penalty = number_of(child_text(element, "penalty"))
    if penalty:
        lost.append(
            f"the penalty per retry ({percent_text(penalty * 100)}%) dropped: studyapp "
            "quizzes set retries themselves"
        )
    hints = element.findall("hint")
    if hints:
        lost.append(
            f"{len(hints)} hint{'s' if len(hints) > 1 else ''} dropped: studyapp quizzes "
            "give no hints between tries"
        )
    idnumber = child_text(element, "idnumber")
    if idnumber and idnumber != name:
        lost.append(f"Moodle ID number '{idnumber}' dropped")
    tags = tags_of([child_text(tag, ".") for tag in element.findall("tags/tag")], lost)
    return Question(
        slug(name) or f"q{number}",
        our_type,
        prompt,
        float(points),
        tags,
        difficulty_of(meta.get("difficulty"), lost),
        source_of(meta.get("source"), readings, lost),
        explanation,
        freeze(spec),
    )
