"""Banks in the app: listing, editing questions in the browser, downloads and uploads."""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.auth.models import User
from studyapp.banks import gift, models, moodlexml, ownership
from studyapp.banks.content import question_from_doc
from studyapp.banks.guard import check_bank_changeable
from studyapp.banks.guessing import check_bank
from studyapp.banks.loader import load_bank_text
from studyapp.banks.schema import Bank, Issue, Question, dump_bank
from studyapp.banks.sync import SyncReport, load_db_readings, save_version, upsert_bank
from studyapp.banks.types import student_view
from studyapp.core.errors import DomainError, NotFound
from studyapp.core.uploads import decode_text_upload

# A question snippet is validated inside this bank wrapper; its lines shift by HEADER_LINES.
_WRAPPER = "id: {bank}\ntitle: Preview\n{source}questions:\n"


MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a bank file upload, in any format


class BankInvalid(DomainError):
    """Submitted bank text has errors; ``issues`` say where."""

    def __init__(self, issues: list[Issue], notes: list[str] | None = None):
        super().__init__(f"{len(issues)} problem(s) found")
        self.issues = issues
        # Per-question reasons from a GIFT or Moodle XML import, shown even when nothing
        # could be imported, so an instructor sees why each question was refused.
        self.notes = notes or []


class StaleVersion(DomainError):
    """Someone saved the question since the editor was opened; nothing was saved."""

    def __init__(self, number: int, yaml_text: str):
        super().__init__(
            f"Version {number} was saved while you were editing. Nothing was saved: "
            "compare it with yours below, then save again to replace it."
        )
        self.number = number
        self.yaml = yaml_text


@dataclass(frozen=True)
class BankSummary:
    bank: models.Bank
    active: int
    retired: int
    issues: int


def list_banks(session: Session, visible: set[int] | None = None) -> list[BankSummary]:
    """Every bank (of ``visible``; None: all) with its question counts and open issues,
    in one query per table."""
    counts = dict(
        session.execute(
            select(models.Question.bank_id, func.count())
            .where(models.Question.retired_at.is_(None))
            .group_by(models.Question.bank_id)
        ).all()
    )
    retired = dict(
        session.execute(
            select(models.Question.bank_id, func.count())
            .where(models.Question.retired_at.is_not(None))
            .group_by(models.Question.bank_id)
        ).all()
    )
    issues = dict(
        session.execute(
            select(models.BankIssue.path, func.count()).group_by(models.BankIssue.path)
        ).all()
    )
    query = select(models.Bank).order_by(models.Bank.retired_at.is_not(None), models.Bank.title)
    if visible is not None:
        query = query.where(models.Bank.id.in_(visible))
    banks = session.scalars(query)
    return [
        BankSummary(b, counts.get(b.id, 0), retired.get(b.id, 0), issues.get(b.path or "", 0))
        for b in banks
    ]


def list_issues(session: Session, path: str | None = None) -> list[models.BankIssue]:
    query = select(models.BankIssue).order_by(models.BankIssue.path, models.BankIssue.line)
    if path is not None:
        query = query.where(models.BankIssue.path == path)
    return list(session.scalars(query))


def get_bank(session: Session, bank_id: int) -> models.Bank:
    bank = session.scalar(
        select(models.Bank)
        .options(selectinload(models.Bank.questions).selectinload(models.Question.versions))
        .where(models.Bank.id == bank_id)
    )
    if bank is None:
        raise NotFound("No such bank.")
    return bank


def get_question(session: Session, bank: models.Bank, key: str) -> models.Question:
    question = next((q for q in bank.questions if q.key == key), None)
    if question is None:
        raise NotFound("No such question.")
    return question


def current_version(question: models.Question) -> models.QuestionVersion:
    return next(v for v in question.versions if v.number == question.current_number)


def bank_content(bank: models.Bank, include_retired: bool = False) -> Bank:
    """The bank as the file format sees it (current versions of its active questions)."""
    questions = tuple(
        question_from_doc(current_version(q).content)
        for q in bank.questions
        if include_retired or q.retired_at is None
    )
    return Bank(bank.slug, bank.title, bank.description, bank.source_default, questions)


def export_bank_yaml(bank: models.Bank) -> str:
    """The bank as a file in the bank format, ready to commit to questions/."""
    return dump_bank(bank_content(bank))


def question_yaml(question: Question) -> str:
    """One question as the YAML snippet the browser editor shows."""
    text = dump_bank(Bank("x", "x", "", None, (question,)))
    body = text.split("questions:\n", 1)[1]
    return textwrap.dedent(body.replace("  - ", "    ", 1)).strip() + "\n"


def parse_question_snippet(session: Session, bank: models.Bank, snippet: str) -> Question:
    """Validate a question written in the browser; errors carry the snippet's own line numbers."""
    source = f"source: {bank.source_default}\n" if bank.source_default else ""
    wrapper = _WRAPPER.format(bank=bank.slug, source=source)
    offset = wrapper.count("\n")
    # Browsers send CRLF; a snippet pasted with an indent is still one question.
    lines = textwrap.dedent(snippet.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    body = textwrap.indent(lines, "    ")
    text = wrapper + "  - " + body[4:] + "\n"
    result = load_bank_text(text, "question", load_db_readings(session))
    if result.errors or result.bank is None:
        raise BankInvalid([_shift(i, offset) for i in result.errors])
    if len(result.bank.questions) != 1:
        raise BankInvalid([Issue("question", 1, None, "write exactly one question")])
    return result.bank.questions[0]


def list_bank_warnings(session: Session, bank: models.Bank) -> list[str]:
    """Guessability warnings of a bank written in the browser, at lines of its bank file.

    File banks get theirs at sync; these are read from the file the bank downloads as.
    """
    label = f"{bank.slug}.yaml"
    result = load_bank_text(export_bank_yaml(bank), label, load_db_readings(session))
    return [
        f"{i.path}:{i.line}: {i.severity}: {i.describe()}"
        for i in (*result.warnings, *result.notes)
    ]


def check_question_in_bank(bank: models.Bank, question: Question) -> list[str]:
    """The guessability warnings and notes that concern a question being edited.

    The question is checked with the bank's other active questions, as if it were saved:
    its own warnings (at line 1 of the snippet), the bank-wide ones, and those of other
    questions whose answer it shows.
    """
    content = bank_content(bank)
    edited = replace(question, line=1)
    others = tuple(q for q in content.questions if q.id != question.id)
    warnings, notes = check_bank(replace(content, questions=(*others, edited)))
    mentioned = f"question '{question.id}' (line 1)"
    lines = []
    for issue in (*warnings, *notes):
        if issue.question_id == question.id:
            lines.append(f"line 1: {issue.severity}: {issue.message}")
        elif issue.question_id is None:
            lines.append(f"bank: {issue.severity}: {issue.message}")
        elif mentioned in issue.message:
            shown = issue.message.replace(mentioned, "this question")
            lines.append(f"question '{issue.question_id}': {issue.severity}: {shown}")
    return lines


def _shift(issue: Issue, offset: int) -> Issue:
    return Issue(
        issue.path, max(1, issue.line - offset), issue.question_id, issue.message, issue.severity
    )


def check_not_stale(question: models.Question, base_version: int | None) -> None:
    """Raise StaleVersion (with the newer version's text) when ``question`` was saved since
    the editor opened version ``base_version``; None skips the check."""
    if base_version is not None and question.current_number != base_version:
        current = question_from_doc(current_version(question).content)
        raise StaleVersion(question.current_number, question_yaml(current))


def save_question(
    session: Session,
    bank: models.Bank,
    snippet: str,
    user: User,
    key: str | None = None,
    base_version: int | None = None,
) -> models.Question:
    """Create a question, or write a new version of the one with ``key`` (refused with
    StaleVersion if it is no longer at ``base_version``)."""
    check_bank_changeable(session, bank.id, user)
    if key is not None:
        check_not_stale(get_question(session, bank, key), base_version)
    question = parse_question_snippet(session, bank, snippet)
    existing = next((q for q in bank.questions if q.key == question.id), None)
    if key is None and existing is not None:
        raise BankInvalid(
            [Issue("question", 1, question.id, "this id is already used in the bank")]
        )
    if key is not None and question.id != key:
        raise BankInvalid(
            [
                Issue(
                    "question",
                    1,
                    question.id,
                    f"the id cannot change (it was '{key}'); attempts refer to it",
                )
            ]
        )
    position = len(bank.questions) if existing is None else None
    save_version(session, bank, question, models.Origin.WEB, position, existing, SyncReport(), user)
    session.flush()
    return get_question(session, bank, question.id)


def set_retired(
    session: Session, question: models.Question, retired: bool, now, user: User
) -> None:
    """Retire a question (new attempts stop drawing it) or bring it back."""
    check_bank_changeable(session, question.bank_id, user)
    question.retired_at = now if retired else None
    session.flush()


def create_bank(
    session: Session,
    *,
    slug: str,
    title: str,
    description: str,
    source: str | None,
    owner: User | None = None,
) -> models.Bank:
    """A new, empty bank written in the browser, belonging to ``owner``."""
    if session.scalar(select(models.Bank).where(models.Bank.slug == slug)) is not None:
        raise DomainError(f"A bank with the id '{slug}' already exists.")
    bank = models.Bank(
        slug=slug,
        title=title,
        description=description,
        source_default=source or None,
        owner_id=owner.id if owner else None,
    )
    session.add(bank)
    session.flush()
    return bank


def import_bank_text(session: Session, text: str, label: str, user: User | None) -> models.Bank:
    """Create or update a bank from an uploaded file in the bank format (user None: the CLI)."""
    result = load_bank_text(text, label, load_db_readings(session))
    if result.errors or result.bank is None:
        raise BankInvalid(list(result.errors))
    existing = session.scalar(select(models.Bank).where(models.Bank.slug == result.bank.id))
    if existing is not None and existing.origin is models.Origin.FILE:
        raise DomainError(
            f"The bank '{result.bank.id}' comes from a file in questions/; edit that file instead."
        )
    # No user: `flask banks import`, run by whoever runs the server, like `banks sync`.
    if (
        existing is not None
        and user is not None
        and not ownership.is_owner(session, existing, user)
    ):
        # Said the same way whether or not the bank is visible: ids are not secrets, contents are.
        raise DomainError(
            f"The bank id '{result.bank.id}' is taken by a bank of other instructors; "
            "choose another id."
        )
    if existing is not None and user is not None:
        check_bank_changeable(session, existing.id, user)
    upsert_bank(session, result.bank, models.Origin.IMPORT, user=user)
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == result.bank.id))
    if existing is None and user is not None:
        bank.owner_id = user.id
        session.flush()
    return bank


def get_bank_by_slug(session: Session, slug: str) -> models.Bank:
    """The bank with this id (its slug), or NotFound."""
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == slug))
    if bank is None:
        raise NotFound(f"There is no bank '{slug}'.")
    return bank


def gift_points_lost(bank: models.Bank) -> tuple[str, ...]:
    """Questions GIFT would bring into Moodle worth 1 point: `id (2 points)` each."""
    return gift.points_lost(bank_content(bank))


def export_bank_moodle_xml(bank: models.Bank) -> str:
    """The bank in Moodle XML; what Moodle treats differently is listed in a comment."""
    export = moodlexml.export_moodle_xml(bank_content(bank))
    if not export.notes:
        return export.text
    declaration, _, rest = export.text.partition("\n")
    # An XML comment may not hold "--".
    lines = "".join(f"     {n.replace('--', '- -')}\n" for n in export.notes)
    return f"{declaration}\n<!-- Moodle treats these differently:\n{lines}-->\n{rest}"


def export_bank_gift(bank: models.Bank) -> str:
    """The bank in GIFT; what GIFT cannot express is listed in comments at the top."""
    export = gift.export_gift(bank_content(bank))
    losses = [*export.skipped, *export.notes]
    header = "".join(f"// not exported as is: {line}\n" for line in losses)
    return header + ("\n" if header else "") + export.text


def import_upload(
    session: Session,
    data: bytes,
    filename: str,
    user: User | None,
    *,
    bank_id: str | None,
    title: str | None,
    max_bytes: int,
) -> tuple[models.Bank, list[str]]:
    """Import an uploaded bank file: the bank format (.yaml), Moodle XML (.xml) or GIFT."""
    text = decode_text_upload(data, max_bytes)
    if filename.lower().endswith((".yaml", ".yml")):
        return import_bank_text(session, text, filename, user), []
    if filename.lower().endswith(".xml"):
        if not bank_id:
            raise DomainError("A Moodle XML file needs a bank id for the new bank.")
        imported = moodlexml.import_moodle_xml(text, bank_id, title, load_db_readings(session))
    elif not bank_id or not title:
        raise DomainError("A GIFT file needs a bank id and a title for the new bank.")
    else:
        imported = gift.import_gift(text, bank_id, title, load_db_readings(session))
    if imported.bank_yaml is None or imported.result.errors:
        raise BankInvalid(list(imported.result.errors), list(imported.notes))
    return import_bank_text(session, imported.bank_yaml, filename, user), list(imported.notes)


def preview(question: Question, seed: int = 0) -> dict[str, Any]:
    """What a student will see, as the quiz page shows it."""
    return student_view(question, random.Random(seed))
