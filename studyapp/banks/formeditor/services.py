"""Rules of the form editor: check, save (guarding against a stale version), grade a trial
answer, and count which paragraphs of the readings the bank's questions cite."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.banks import models, readings, services
from studyapp.banks.content import question_to_doc
from studyapp.banks.formeditor import checks, mapping
from studyapp.banks.formeditor.mapping import FieldIssue
from studyapp.banks.schema import Question, Source
from studyapp.banks.starters import starter
from studyapp.banks.sync import load_db_readings
from studyapp.banks.types import Score, grade
from studyapp.core.errors import DomainError


class FormInvalid(DomainError):
    """The form's question does not load; `checked.issues` say at which fields."""

    def __init__(self, checked: checks.Checked):
        super().__init__(f"{len(checked.errors)} problem(s) found")
        self.checked = checked


def check_form(session: Session, bank: models.Bank, data: Any) -> checks.Checked:
    """Map the posted fields to a question and load it as the bank loader would."""
    mapped = mapping.form_to_doc(data)
    return checks.check_doc(
        mapped.doc, bank.slug, bank.source_default, load_db_readings(session), mapped.issues
    )


def save_form(
    session: Session,
    bank: models.Bank,
    data: Any,
    user: User,
    key: str | None,
    base_version: int | None,
) -> models.Question:
    """Save the form's question as a new question or a new version of ``key``; StaleVersion
    if someone saved ``key`` since the form opened ``base_version``."""
    checked = check_form(session, bank, data)
    if key is not None:
        # Before the messages: a stale form is shown with both versions, whatever it holds.
        services.check_not_stale(services.get_question(session, bank, key), base_version)
    if checked.question is None:
        raise FormInvalid(checked)
    try:
        return services.save_question(session, bank, checked.yaml, user, key)
    except services.BankInvalid as exc:
        issues = tuple(FieldIssue("qid", i.message) for i in exc.issues)
        raise FormInvalid(checks.Checked(None, checked.yaml, issues)) from exc


def yaml_to_form(session: Session, bank: models.Bank, text: str) -> dict[str, Any]:
    """The form fields for a question written in the bank format; BankInvalid if it does not
    load (the YAML tab then keeps the text and shows the lines)."""
    question = services.parse_question_snippet(session, bank, text)
    return mapping.doc_to_form(question_to_doc(question))


def try_answer(question: Question, answer: str) -> Score:
    """Grade one typed answer with the question's own grader, as a submitted quiz would."""
    if question.type == "blanks":
        names = list(question.spec["blanks"])
        return grade(question, {name: answer for name in names[:1]})
    return grade(question, answer)


def trial_result(question: Question, answer: str) -> dict[str, Any] | None:
    """A typed trial answer's grade as the page shows it; None when nothing was typed."""
    if not answer.strip():
        return None
    score = try_answer(question, answer)
    return {
        "points": score.points,
        "max_points": score.max_points,
        "correct": score.correct,
        "feedback": list(score.feedback),
    }


def cited_paragraphs(session: Session, question: Question | None) -> list[tuple[int, str]]:
    """The loaded text of the paragraphs the question cites (empty when not loaded)."""
    if question is None or question.source is None or not question.source.paragraphs:
        return []
    return readings.paragraph_texts(session, question.source.reading, question.source.paragraphs)


def bank_tags(bank: models.Bank) -> list[str]:
    """Tags already used in the bank, for suggestions."""
    tags = Counter(
        t for q in bank.questions for t in (services.current_version(q).content.get("tags") or ())
    )
    return [t for t, _ in tags.most_common()]


def new_question_form(bank: models.Bank, qtype: str, source: str | None) -> dict[str, Any]:
    """The fields of a new question: the type's starter, the source, a suggested id."""
    raw = yaml.safe_load(starter(qtype if qtype in mapping.TYPES else "single", None))
    # `|` blocks end in a newline that the loader strips; strip it here too.
    doc = {k: v.rstrip("\n") if isinstance(v, str) else v for k, v in raw.items()}
    doc["source"] = source or (f"{bank.source_default} ¶1" if bank.source_default else None)
    doc["id"] = mapping.suggested_id(doc["source"], bank.slug, {q.key for q in bank.questions})
    return mapping.doc_to_form(doc)


@dataclass
class ParagraphCount:
    number: int
    total: int = 0
    by_type: Counter = field(default_factory=Counter)


@dataclass
class ReadingCoverage:
    reading_id: str
    title: str
    text_loaded: bool
    paragraphs: list[ParagraphCount]

    @property
    def untested(self) -> int:
        return sum(1 for p in self.paragraphs if p.total == 0)


def bank_coverage(session: Session, bank: models.Bank) -> list[ReadingCoverage]:
    """Per paragraph of each reading the bank cites, how many active questions cite it and of
    which type: one query for the questions' sources, one for the readings."""
    rows = session.execute(
        select(models.QuestionVersion.type, models.QuestionVersion.content)
        .join(
            models.Question,
            and_(
                models.QuestionVersion.question_id == models.Question.id,
                models.QuestionVersion.number == models.Question.current_number,
            ),
        )
        .where(models.Question.bank_id == bank.id, models.Question.retired_at.is_(None))
    ).all()
    counts: dict[str, dict[int, ParagraphCount]] = defaultdict(dict)
    for qtype, content in rows:
        try:
            source = Source.parse(content["source"]) if content.get("source") else None
        except ValueError:
            source = None
        if source is None:
            continue
        for n in source.paragraphs:
            entry = counts[source.reading].setdefault(n, ParagraphCount(n))
            entry.total += 1
            entry.by_type[qtype] += 1
    wanted = set(counts) | ({bank.source_default} if bank.source_default else set())
    found = session.scalars(select(models.Reading).where(models.Reading.id.in_(wanted)))
    result = []
    for reading in sorted(found, key=lambda r: r.id):
        cited = counts.get(reading.id, {})
        last = max([reading.paragraph_count, *cited])
        paragraphs = [cited.get(n, ParagraphCount(n)) for n in range(1, last + 1)]
        result.append(
            ReadingCoverage(
                reading.id, reading.title, reading.text_loaded_at is not None, paragraphs
            )
        )
    return result
