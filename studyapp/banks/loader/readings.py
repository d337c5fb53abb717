"""Read readings.yaml: each reading a bank may cite, with its paragraph count.

Pure like the rest of the loader: every problem becomes an `Issue` with its line.
"""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node

from studyapp.banks.loader.yamlwalk import Report, Walker, compose, line_of, peek, read_file
from studyapp.banks.schema import Issue, Kind, Reading, Shape, integer, list_of, record, slug, text

PathLike = str | Path

READING_SHAPE = record(
    {
        "id": slug(),
        "title": text(),
        "author": text(),
        "published": text(
            pattern=r"\d{4}(?:-\d{2}(?:-\d{2})?)?",
            hint="write the date as YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        "paragraphs": integer(),
        "note": text(allow_empty=True),
    },
    required=("id", "title", "author", "published", "paragraphs"),
)
READINGS_SHAPE = record({"readings": list_of(Shape(Kind.NODE))}, required=("readings",))


def load_readings(path: PathLike) -> tuple[dict[str, Reading], list[Issue]]:
    """Load readings.yaml: the readings by id, and every issue found."""
    report = Report(str(path))
    content = read_file(Path(path), report)
    if content is None:
        return {}, report.errors
    return load_readings_text(content, str(path))


def load_readings_text(content: str, path_label: str) -> tuple[dict[str, Reading], list[Issue]]:
    """Load readings from YAML text (see `load_readings`)."""
    report = Report(path_label)
    root = compose(content, report)
    readings: dict[str, Reading] = {}
    if root is None:
        return readings, report.errors
    walker = Walker(report)
    values = walker.record(root, READINGS_SHAPE, ())
    first_line: dict[str, int] = {}
    for i, node in enumerate(values.get("readings", ())):
        reading = _read_reading(node, i, report)
        if reading is None:
            continue
        if reading.id in first_line:
            first = first_line[reading.id]
            report.add(
                line_of(node),
                reading.id,
                f"duplicate reading id '{reading.id}' (first at line {first})",
            )
            continue
        first_line[reading.id] = line_of(node)
        readings[reading.id] = reading
    return readings, report.errors + report.warnings


def _read_reading(node: Node, index: int, report: Report) -> Reading | None:
    """One entry of the readings list, or None when it has errors."""
    peeked = peek(node, "id")
    walker = Walker(report, peeked.value if peeked is not None else f"#{index + 1}")
    before = len(report.errors)
    values = walker.record(node, READING_SHAPE, ())
    paragraphs = values.get("paragraphs")
    if paragraphs is not None and paragraphs < 1:
        walker.error(walker.line_of(("paragraphs",)), "paragraphs must be at least 1")
    if len(report.errors) > before:
        return None
    return Reading(
        values["id"],
        values["title"],
        values["author"],
        values["published"],
        paragraphs,
        values.get("note", ""),
    )
