"""Bring bank files into the database: upsert by id, version every change, retire what vanished."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from studyapp.auth.models import User
from studyapp.banks import models
from studyapp.banks.content import content_hash, question_to_doc
from studyapp.banks.loader import READINGS_FILE, bank_files, load_bank, load_readings
from studyapp.banks.schema import Bank, Issue, Question, Reading
from studyapp.banks.searchtext import search_fields
from studyapp.core.clock import utcnow


@dataclass
class SyncReport:
    banks: int = 0
    created: int = 0
    new_versions: int = 0
    retired: int = 0
    unchanged_files: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def upsert_readings(session: Session, readings: Mapping[str, Reading]) -> None:
    """Store the readings' bibliographic data; loaded paragraph texts are kept."""
    for reading in readings.values():
        row = session.get(models.Reading, reading.id)
        if row is None:
            row = models.Reading(id=reading.id, paragraph_count=reading.paragraphs)
            session.add(row)
        row.title, row.author, row.published = reading.title, reading.author, reading.published
        row.paragraph_count, row.note = reading.paragraphs, reading.note
    session.flush()


def load_db_readings(session: Session) -> dict[str, Reading]:
    """The readings known to the app, for validating banks written in the browser."""
    return {
        r.id: Reading(r.id, r.title, r.author, r.published, r.paragraph_count, r.note)
        for r in session.scalars(select(models.Reading))
    }


def sync_banks(session: Session, questions_dir: Path) -> SyncReport:
    """Load every bank file under ``questions_dir`` into the database.

    Issues are stored for the instructors' bank page; a broken file leaves its
    bank as it was and never blocks the other banks.
    """
    report = SyncReport()
    readings, issues = load_readings(questions_dir / READINGS_FILE)
    upsert_readings(session, readings)
    all_issues: list[Issue] = list(issues)
    seen_paths: set[str] = set()
    for path in bank_files(questions_dir):
        rel = path.relative_to(questions_dir).as_posix()
        seen_paths.add(rel)
        text = path.read_bytes()
        digest = hashlib.sha256(text).hexdigest()
        existing = session.scalar(select(models.Bank).where(models.Bank.path == rel))
        if existing is not None and existing.file_hash == digest and existing.retired_at is None:
            report.unchanged_files += 1
            # Keep the issues of the last real read (a warning may still stand).
            all_issues.extend(_stored_issues(session, rel))
            continue
        result = load_bank(path, readings)
        result_issues = [_relabel(i, rel) for i in (*result.errors, *result.warnings)]
        all_issues.extend(result_issues)
        if result.bank is not None:
            overwritten = upsert_bank(session, result.bank, models.Origin.FILE, report, path=rel)
            bank_row = session.scalar(select(models.Bank).where(models.Bank.slug == result.bank.id))
            bank_row.file_hash = digest
            if overwritten:
                all_issues.append(Issue(rel, 1, None, _overwrite_message(overwritten), "warning"))
    _retire_missing_files(session, seen_paths)
    _store_issues(session, all_issues)
    report.errors = [str(i) for i in all_issues if i.is_error]
    report.warnings = [str(i) for i in all_issues if not i.is_error]
    return report


def _overwrite_message(keys: list[str]) -> str:
    return (
        "the file replaced questions that had been edited in the browser since the last sync: "
        + ", ".join(keys)
        + " (their browser versions are kept in the history)"
    )


def _relabel(issue: Issue, rel: str) -> Issue:
    return Issue(rel, issue.line, issue.question_id, issue.message, issue.severity)


def _stored_issues(session: Session, rel: str) -> list[Issue]:
    rows = session.scalars(select(models.BankIssue).where(models.BankIssue.path == rel))
    return [
        Issue(r.path, r.line, r.question_key, r.message, "error" if r.is_error else "warning")
        for r in rows
    ]


def _store_issues(session: Session, issues: list[Issue]) -> None:
    session.execute(delete(models.BankIssue))
    session.add_all(
        models.BankIssue(
            path=i.path,
            line=i.line,
            question_key=i.question_id,
            message=i.message,
            is_error=i.is_error,
        )
        for i in issues
    )
    session.flush()


def _retire_missing_files(session: Session, seen_paths: set[str]) -> None:
    now = utcnow()
    for bank in session.scalars(
        select(models.Bank).where(
            models.Bank.origin == models.Origin.FILE, models.Bank.retired_at.is_(None)
        )
    ):
        if bank.path not in seen_paths:
            bank.retired_at = now


def upsert_bank(
    session: Session,
    bank: Bank,
    origin: models.Origin,
    report: SyncReport | None = None,
    *,
    path: str | None = None,
    user: User | None = None,
) -> list[str]:
    """Make the database hold ``bank`` exactly; return keys of browser edits this replaced."""
    report = report or SyncReport()
    row = session.scalar(
        select(models.Bank)
        .options(selectinload(models.Bank.questions).selectinload(models.Question.versions))
        .where(models.Bank.slug == bank.id)
    )
    if row is None:
        row = models.Bank(slug=bank.id, origin=origin)
        session.add(row)
    row.title, row.description, row.source_default = (
        bank.title,
        bank.description,
        bank.source_default,
    )
    row.path, row.retired_at, row.synced_at = path or row.path, None, utcnow()
    if origin is models.Origin.FILE:
        row.origin = origin
    session.flush()
    report.banks += 1
    by_key = {q.key: q for q in row.questions}
    overwritten = []
    for position, question in enumerate(bank.questions):
        current = by_key.pop(question.id, None)
        edited = save_version(session, row, question, origin, position, current, report, user)
        if edited:
            overwritten.append(question.id)
    now = utcnow()
    for leftover in by_key.values():
        if leftover.retired_at is None:
            leftover.retired_at = now
            report.retired += 1
    session.flush()
    return overwritten


def save_version(
    session: Session,
    bank: models.Bank,
    question: Question,
    origin: models.Origin,
    position: int | None,
    current: models.Question | None,
    report: SyncReport,
    user: User | None = None,
) -> bool:
    """Write a new version when the content changed; True if it replaced a browser edit."""
    doc = question_to_doc(question)
    digest = content_hash(doc)
    if current is None:
        current = models.Question(bank=bank, key=question.id, current_number=0)
        session.add(current)
        report.created += 1
    latest = current.versions[-1] if current.versions else None
    if position is not None:
        current.position = position
    current.retired_at = None
    if latest is not None and latest.content_hash == digest:
        return False
    replaced_web_edit = False
    if (
        origin is models.Origin.FILE
        and latest is not None
        and latest.origin is not models.Origin.FILE
    ):
        last_from_file = next(
            (v for v in reversed(current.versions) if v.origin is models.Origin.FILE), None
        )
        if last_from_file is not None and last_from_file.content_hash == digest:
            # The file still says what it said before the browser edit: keep the edit.
            return False
        replaced_web_edit = True
    number = (latest.number if latest else 0) + 1
    session.add(
        models.QuestionVersion(
            question=current,
            number=number,
            type=question.type,
            content=doc,
            content_hash=digest,
            origin=origin,
            created_by_id=user.id if user else None,
            **search_fields(doc),
        )
    )
    current.current_number = number
    if latest is not None:
        report.new_versions += 1
    return replaced_web_edit
