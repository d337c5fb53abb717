"""Parse and check a roster CSV (``email,name[,student_id]``) before anything is imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from studyapp.auth.services import is_valid_email, normalize_email
from studyapp.core.csvfile import is_formula

HEADERS = (["email", "name"], ["email", "name", "student_id"])
#: The longest cell the csv module reads (its own default); longer ones are a row error.
MAX_CELL = 128 * 1024
MAX_NAME = 200
MAX_STUDENT_ID = 64


@dataclass(frozen=True)
class RosterRow:
    row: int
    email: str
    name: str
    student_id: str | None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            "Save it from your spreadsheet as 'CSV UTF-8'."
        ) from None


def _check_cells(number: int, cells: list[str]) -> list[str]:
    problems = []
    for cell in cells:
        # The same rule the exports guard with, so an e-mail such as -dash.lee@school.test
        # imports here and matches again in Moodle's and Canvas's importers.
        if is_formula(cell):
            problems.append(
                f"row {number}: '{cell[:30]}' starts with {cell[0]!r}, which a spreadsheet "
                "would run as a formula; remove that character"
            )
    return problems


def _rows(reader) -> Iterator[tuple[int, list[str] | str]]:
    """Number the rows; a row the csv module cannot read yields its problem instead."""
    number = 1
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # An unclosed quote or a cell over MAX_CELL: say where, then stop (what follows
            # an unclosed quote cannot be told apart from the cell).
            yield number, f"row {number}: this row cannot be read ({exc}); is a quote unclosed?"
            return


def parse_roster(data: bytes, max_bytes: int, max_rows: int) -> tuple[list[RosterRow], list[str]]:
    """Return the rows and every problem found, each naming its row (the header is row 1)."""
    if len(data) > max_bytes:
        return [], [f"The file is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB."]
    # Counted on the bytes before any parsing, so an upload too long to import is refused
    # at once; quoted line breaks only make this count higher, never lower.
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines - 1 > max_rows:
        return [], [
            f"The file has {lines - 1} lines after the header; the limit is {max_rows} "
            "students per upload. Split it into several files."
        ]
    try:
        text = _decode(data)
    except ValueError as exc:
        return [], [str(exc)]
    if not text.strip():
        return [], ["The file is empty. The first row must be: email,name[,student_id]"]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().casefold()[:40] for h in next(reader)]
    except csv.Error:
        header = ["(unreadable)"]
    if header not in HEADERS:
        return [], [
            f"row 1: the header is '{','.join(header)}'; it must be 'email,name' "
            "or 'email,name,student_id'"
        ]
    rows: list[RosterRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, cells in _rows(reader):
        if isinstance(cells, str):
            problems.append(cells)
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"row {number}: expected {len(header)} columns, found {len(cells)}")
            continue
        cells = [c.strip() for c in cells]
        email, name = normalize_email(cells[0]), cells[1]
        student_id = cells[2] if len(cells) == 3 and cells[2] else None
        row_problems = _check_cells(number, cells)
        if not is_valid_email(email):
            row_problems.append(f"row {number}: '{cells[0][:60]}' is not a valid email address")
        if not name:
            row_problems.append(f"row {number}: the name is empty")
        elif len(name) > MAX_NAME:
            row_problems.append(f"row {number}: the name is longer than {MAX_NAME} characters")
        if student_id and len(student_id) > MAX_STUDENT_ID:
            row_problems.append(
                f"row {number}: the student_id is longer than {MAX_STUDENT_ID} characters"
            )
        if email in seen:
            row_problems.append(f"row {number}: {email} is already on row {seen[email]}")
        seen.setdefault(email, number)
        problems.extend(row_problems)
        if not row_problems:
            rows.append(RosterRow(number, email, name, student_id))
    if not rows and not problems:
        problems.append("The file has a header but no students.")
    return rows, problems
