"""The CSV files of one quiz: its responses and its question analysis (columns in
`csvformats`' table of presets). Rows are plain dataclasses built by the gradebook service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from studyapp.gradebook.csvwriter import Table
from studyapp.gradebook.stats import QuestionStats


@dataclass(frozen=True)
class ResponseRow:
    """One student's stored response to one question of an attempt."""

    student_id: str | None
    name: str
    email: str
    attempt: int
    position: int
    question_id: str
    question_version: int
    #: The question type (single, multiple, ordering, ...).
    kind: str
    #: The stored response in the grader's format.
    response: Any
    points: float | None
    max_points: float
    #: Ordering item and matching tokens mapped to their text.
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisRow:
    """One question of a quiz's statistics report."""

    position: int
    question_id: str
    type: str
    n: int
    facility: float | None
    facility_ci_low: float | None
    facility_ci_high: float | None
    discrimination: float | None
    discrimination_ci_low: float | None
    discrimination_ci_high: float | None
    flags: tuple[str, ...] = ()
    sd: float | None = None
    discriminative_efficiency: float | None = None
    drawn: bool = False


def render_answer(kind: str, response: Any, texts: Mapping[str, str] | None = None) -> str:
    """A stored response as readable text (``A;C``, ``first > second``, ``left=right; ...``)."""
    texts = texts or {}
    if response is None:
        return ""
    if kind == "truefalse" and isinstance(response, bool):
        return "true" if response else "false"
    if kind == "multiple" and isinstance(response, list):
        return ";".join(sorted(str(k) for k in response))
    if kind == "ordering" and isinstance(response, list):
        return " > ".join(texts.get(str(t), str(t)) for t in response)
    if isinstance(response, dict):
        # Matching maps left tokens to option tokens, blanks map names to text.
        return "; ".join(
            f"{texts.get(str(k), str(k))}={'' if v is None else texts.get(str(v), str(v))}"
            for k, v in response.items()
        )
    if isinstance(response, list):
        return ";".join(str(v) for v in response)
    return str(response)


RESPONSES_HEADER = (
    "student_id",
    "name",
    "email",
    "attempt",
    "position",
    "question_id",
    "question_version",
    "answer",
    "points",
    "max_points",
)


def responses(rows: Iterable[ResponseRow]) -> Table:
    """One row per student and question of a quiz, the answer rendered as text."""
    lines = (
        (
            r.student_id,
            r.name,
            r.email,
            r.attempt,
            r.position,
            r.question_id,
            r.question_version,
            render_answer(r.kind, r.response, r.texts),
            r.points,
            r.max_points,
        )
        for r in rows
    )
    return Table(RESPONSES_HEADER, lines)


ANALYSIS_HEADER = (
    "position",
    "question_id",
    "type",
    "n",
    "facility",
    "facility_ci_low",
    "facility_ci_high",
    "discrimination",
    "discrimination_ci_low",
    "discrimination_ci_high",
    "flags",
    "sd",
    "discriminative_efficiency",
    "drawn",
)


def analysis_row(
    position: int, question_id: str, qtype: str, stats: QuestionStats, drawn: bool = False
) -> AnalysisRow:
    """The report row for one question's statistics."""
    fci, dci = stats.facility_ci, stats.discrimination_ci
    return AnalysisRow(
        position=position,
        question_id=question_id,
        type=qtype,
        n=stats.n,
        facility=stats.facility,
        facility_ci_low=fci.low if fci else None,
        facility_ci_high=fci.high if fci else None,
        discrimination=stats.discrimination,
        discrimination_ci_low=dci.low if dci else None,
        discrimination_ci_high=dci.high if dci else None,
        flags=stats.flags,
        sd=stats.sd,
        discriminative_efficiency=stats.discriminative_efficiency,
        drawn=drawn,
    )


def analysis(questions: Iterable[AnalysisRow]) -> Table:
    """One row per question of a quiz's statistics report."""
    rows = (
        (
            q.position,
            q.question_id,
            q.type,
            q.n,
            q.facility,
            q.facility_ci_low,
            q.facility_ci_high,
            q.discrimination,
            q.discrimination_ci_low,
            q.discrimination_ci_high,
            " | ".join(q.flags),
            q.sd,
            q.discriminative_efficiency,
            q.drawn,
        )
        for q in questions
    )
    # Full precision: this file is for recomputing and comparing, not for reading.
    return Table(ANALYSIS_HEADER, rows, places=None)
