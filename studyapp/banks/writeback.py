"""Write banks edited in the browser back into their files in questions/.

A question that did not change keeps its lines exactly as the file has them (comments,
quoting, blank lines); a changed or new question is written in the bank format in its place,
and a question retired in the browser leaves the file. The lines between questions that are
blank or comments stay where they were, since they usually belong to the question after them.
The new text is loaded back before it is written: if it would not sync to exactly what the
database holds, nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.banks import models
from studyapp.banks.content import content_hash, question_to_doc
from studyapp.banks.loader import load_bank_text
from studyapp.banks.schema import Bank, Question, dump_bank
from studyapp.banks.services import bank_content
from studyapp.banks.sync import load_db_readings
from studyapp.core.errors import DomainError


@dataclass(frozen=True)
class BankFile:
    """What ``banks write`` would put in a bank's file, and how it differs from the file."""

    bank: models.Bank
    path: str
    text: str
    is_new: bool
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_behind(self) -> bool:
        return self.is_new or bool(self.changed or self.added or self.removed)


def _digest(question: Question) -> str:
    return content_hash(question_to_doc(question))


def _question_lines(question: Question, bank: Bank) -> list[str]:
    """One question in the bank format, as the lines of a ``questions:`` list item."""
    text = dump_bank(Bank(bank.id, bank.title, "", bank.source_default, (question,)))
    return text.split("questions:\n", 1)[1].splitlines(keepends=True)


def _split_tail(block: list[str]) -> tuple[list[str], list[str]]:
    """A question's lines and the blank or comment lines after them."""
    end = len(block)
    while end > 1 and (not block[end - 1].strip() or block[end - 1].lstrip().startswith("#")):
        end -= 1
    return block[:end], block[end:]


def splice(original: str, wanted: Bank, label: str, session: Session) -> tuple[str, dict]:
    """``original`` with its questions made equal to ``wanted``'s, other lines untouched."""
    result = load_bank_text(original, label, load_db_readings(session))
    if result.bank is None or result.errors:
        raise DomainError(
            f"{label} has errors; fix the file and sync before writing browser edits into it."
        )
    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    file_qs = result.bank.questions
    starts = [q.line - 1 for q in file_qs]
    header = lines[: starts[0]] if starts else lines
    blocks = {
        q.id: _split_tail(lines[start : (starts[i + 1] if i + 1 < len(starts) else len(lines))])
        for i, (q, start) in enumerate(zip(file_qs, starts, strict=True))
    }
    by_id = {q.id: q for q in file_qs}
    out = list(header)
    changes: dict[str, list[str]] = {"changed": [], "added": [], "removed": []}
    for question in wanted.questions:
        old = by_id.get(question.id)
        if old is not None and _digest(old) == _digest(question):
            body, tail = blocks[question.id]
        else:
            body = _question_lines(question, wanted)
            tail = blocks[question.id][1] if old is not None else ["\n"]
            changes["changed" if old is not None else "added"].append(question.id)
        if old is None and out and out[-1].strip():
            out.append("\n")
        out.extend(body)
        out.extend(tail)
    wanted_ids = {q.id for q in wanted.questions}
    changes["removed"] = [q.id for q in file_qs if q.id not in wanted_ids]
    text = "".join(out).rstrip("\n") + "\n"
    return text, changes


def _loaded(bank: models.Bank) -> Bank:
    return bank_content(bank)


def plan_file(session: Session, bank: models.Bank, questions_dir: Path) -> BankFile:
    """The text ``banks write`` would give ``bank``'s file (a new file for a browser bank)."""
    wanted = _loaded(bank)
    if bank.path and (questions_dir / bank.path).is_file():
        original = (questions_dir / bank.path).read_text(encoding="utf-8")
        text, changes = splice(original, wanted, bank.path, session)
        plan = BankFile(
            bank,
            bank.path,
            text,
            False,
            tuple(changes["changed"]),
            tuple(changes["added"]),
            tuple(changes["removed"]),
        )
    else:
        path = bank.path or f"{bank.slug}.yaml"
        plan = BankFile(
            bank, path, dump_bank(wanted), True, added=tuple(q.id for q in wanted.questions)
        )
    _check_round_trip(session, plan, wanted)
    return plan


def _check_round_trip(session: Session, plan: BankFile, wanted: Bank) -> None:
    """Refuse a text that would not sync back to exactly the database's questions."""
    result = load_bank_text(plan.text, plan.path, load_db_readings(session))
    if result.bank is None or result.errors:
        problems = "; ".join(str(e) for e in result.errors[:3])
        raise DomainError(f"{plan.path}: the written file would not load ({problems}).")
    got = [(q.id, _digest(q)) for q in result.bank.questions]
    if got != [(q.id, _digest(q)) for q in wanted.questions]:
        raise DomainError(f"{plan.path}: the written file would not load back unchanged.")


def _banks(session: Session, slugs: tuple[str, ...] = ()) -> list[models.Bank]:
    query = (
        select(models.Bank)
        .options(selectinload(models.Bank.questions).selectinload(models.Question.versions))
        .where(models.Bank.retired_at.is_(None))
        .order_by(models.Bank.slug)
    )
    if slugs:
        query = query.where(models.Bank.slug.in_(slugs))
    banks = list(session.scalars(query))
    unknown = set(slugs) - {b.slug for b in banks}
    if unknown:
        raise DomainError(f"No such bank: {', '.join(sorted(unknown))}.")
    return banks


def _may_be_behind(bank: models.Bank) -> bool:
    """Cheap test before reading the file: only browser work can put a file behind."""
    if bank.path is None:
        return True
    return any(
        v.number == q.current_number and v.origin is not models.Origin.FILE
        for q in bank.questions
        for v in q.versions
    ) or any(
        q.retired_at is not None and bank.synced_at is not None and q.retired_at > bank.synced_at
        for q in bank.questions
    )


def list_behind(session: Session, questions_dir: Path) -> list[BankFile]:
    """Banks whose file says something other than the database (or that have no file yet)."""
    plans = []
    for bank in _banks(session):
        if not _may_be_behind(bank):
            continue
        try:
            plan = plan_file(session, bank, questions_dir)
        except DomainError:
            continue
        if plan.is_behind:
            plans.append(plan)
    return plans


def write_banks(
    session: Session, questions_dir: Path, slugs: tuple[str, ...] = ()
) -> list[BankFile]:
    """Write every bank (or those named) whose file is behind the database; return them.

    A new file's path is recorded on its bank; the next sync reads the files as usual and
    finds nothing to change.
    """
    written = []
    for bank in _banks(session, slugs):
        if not slugs and not _may_be_behind(bank):
            continue
        plan = plan_file(session, bank, questions_dir)
        if not plan.is_behind:
            continue
        target = questions_dir / plan.path
        if plan.is_new and target.exists():
            raise DomainError(f"{plan.path} already exists; it holds another bank.")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(plan.text, encoding="utf-8")
        bank.path = plan.path
        written.append(plan)
    session.flush()
    return written
