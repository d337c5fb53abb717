"""Read bank and readings files into plain data, collecting every problem with its line.

Pure: no Flask, no database. Nothing here raises on bad content; each problem becomes an
`Issue` naming the file, the line of the offending key or value, and the question id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node

from studyapp.banks.guessing import check_bank
from studyapp.banks.loader.readings import (  # noqa: F401 - the loader's API, read elsewhere
    load_readings,
    load_readings_text,
)
from studyapp.banks.loader.yamlwalk import (
    Report,
    Walker,
    compose,
    describe,
    line_of,
    peek,
    read_file,
    suggest,
)
from studyapp.banks.schema import (
    DEFAULT_DIFFICULTY,
    DEFAULT_POINTS,
    DIFFICULTIES,
    SLUG_PATTERN,
    Bank,
    Issue,
    Kind,
    LoadResult,
    Question,
    Reading,
    Shape,
    Source,
    freeze,
    list_of,
    number,
    record,
    slug,
    text,
)
from studyapp.banks.types import TYPES, QuestionType, get_type

READINGS_FILE = "readings.yaml"

QUESTION_FIELDS: Mapping[str, Shape] = {
    "id": slug(),
    "type": text(),
    "prompt": text(),
    "points": number(),
    "tags": list_of(text(pattern=SLUG_PATTERN, hint="tags are lowercase slugs, e.g. 'f35'")),
    "difficulty": text(one_of=DIFFICULTIES),
    "source": text(),
    "explanation": text(),
}
QUESTION_REQUIRED = ("id", "type", "prompt", "explanation")
BANK_SHAPE = record(
    {
        "id": slug(),
        "title": text(),
        "description": text(allow_empty=True),
        "source": text(),
        "questions": list_of(Shape(Kind.NODE)),
    },
    required=("id", "title", "questions"),
)
_TYPE_KEYS = frozenset(k for handler in TYPES.values() for k in handler.fields)
PathLike = str | Path


# ---- banks ----------------------------------------------------------------------------------


def load_bank(path: PathLike, readings: Mapping[str, Reading]) -> LoadResult:
    """Load one bank file; `bank` is None unless it has no errors. Never raises."""
    report = Report(str(path))
    content = read_file(Path(path), report)
    if content is None:
        return LoadResult(str(path), None, tuple(report.errors))
    return load_bank_text(content, str(path), readings)


def load_bank_text(text: str, path_label: str, readings: Mapping[str, Reading]) -> LoadResult:
    """Load a bank from YAML text (an upload, a browser form); `path_label` names it in issues."""
    report = Report(path_label)
    root = compose(text, report)
    bank, count = (None, 0) if root is None else _read_bank(root, report, readings)
    if report.errors:
        return LoadResult(
            path_label, None, tuple(report.errors), tuple(report.warnings), question_count=count
        )
    guessable, notes = check_bank(bank) if bank is not None else ([], [])
    return LoadResult(
        path_label,
        bank,
        (),
        (*report.warnings, *guessable),
        tuple(notes),
        count,
    )


def _read_bank(
    root: Node, report: Report, readings: Mapping[str, Reading]
) -> tuple[Bank | None, int]:
    """Check a bank's top level and every question; return the bank and its question count."""
    if not isinstance(root, MappingNode):
        report.add(
            line_of(root), None, "a bank file must be a mapping with id, title and questions"
        )
        return None, 0
    walker = Walker(report)
    values = walker.record(root, BANK_SHAPE, ())
    default = _bank_source(values.get("source"), walker, readings)
    nodes = values.get("questions", ())
    if "questions" in values and not nodes:
        walker.error(walker.line_of(("questions",)), "the bank has no questions", warning=True)
    questions = [_read_question(node, i, report, readings, default) for i, node in enumerate(nodes)]
    _check_question_ids(nodes, report)
    if report.errors or "id" not in values or "title" not in values:
        return None, len(nodes)
    bank = Bank(
        values["id"],
        values["title"],
        values.get("description", ""),
        default,
        tuple(q for q in questions if q is not None),
        report.path,
        walker.line_of(("id",)),
        walker.line_of(("questions",)),
    )
    return bank, len(nodes)


def _bank_source(value: str | None, walker: Walker, readings: Mapping[str, Reading]) -> str | None:
    """Check the bank's default reading: a known reading id, without paragraphs."""
    if value is None:
        return None
    line = walker.line_of(("source",))
    if not re.fullmatch(SLUG_PATTERN, value):
        walker.error(
            line,
            f"the bank's source '{value}' must be a reading id only, like 'aras'; "
            "give paragraphs on each question",
        )
    elif value not in readings:
        walker.error(line, f"source names unknown reading '{value}' ({_known(readings)})")
    else:
        return value
    return None


def _known(readings: Mapping[str, Reading]) -> str:
    """'known: a, b' or 'no readings are loaded'."""
    return f"known: {', '.join(sorted(readings))}" if readings else "no readings are loaded"


def _check_question_ids(nodes: Iterable[Node], report: Report) -> None:
    """Question ids must be unique within a bank."""
    first: dict[str, int] = {}
    for node in nodes:
        id_node = peek(node, "id")
        if id_node is None:
            continue
        qid = id_node.value.strip()
        if qid in first:
            report.add(
                line_of(id_node),
                qid,
                f"duplicate question id '{qid}' (first used at line {first[qid]})",
            )
        else:
            first[qid] = line_of(id_node)


def _read_question(
    node: Node,
    index: int,
    report: Report,
    readings: Mapping[str, Reading],
    default: str | None,
) -> Question | None:
    """Check one question entry; return it, or None when it has errors."""
    id_node = peek(node, "id")
    qid = (id_node.value.strip() if id_node is not None else "") or f"#{index + 1}"
    walker = Walker(report, qid)
    if not isinstance(node, MappingNode):
        walker.error(
            line_of(node),
            f"each question must be a mapping of keys (id, type, prompt...), not {describe(node)}",
        )
        return None
    before = len(report.errors)
    handler = _question_type(node, walker)
    fields = {**QUESTION_FIELDS, **(handler.fields if handler else {})}
    keys = {k.value for k, _ in node.value if isinstance(k.value, str)}
    required = QUESTION_REQUIRED + (handler.required_keys(keys) if handler else ())
    values = walker.record(node, record(fields, required), (), _unknown_key_message(handler))
    source = _question_source(values, walker, readings, default)
    points = values.get("points", DEFAULT_POINTS)
    if points <= 0:
        walker.error(walker.line_of(("points",)), f"points must be greater than 0, not {points:g}")
    spec = {k: values[k] for k in (handler.fields if handler else {}) if k in values}
    if handler is not None:
        _validate_spec(handler, spec, values, walker)
    if len(report.errors) > before or handler is None:
        return None
    return Question(
        values["id"],
        handler.name,
        values["prompt"],
        float(points),
        values.get("tags", ()),
        values.get("difficulty", DEFAULT_DIFFICULTY),
        source,
        values["explanation"],
        freeze(spec),
        line_of(node),
    )


def _question_type(node: MappingNode, walker: Walker) -> QuestionType | None:
    """The handler named by `type`; an unknown name is reported here, a missing one later."""
    type_node = peek(node, "type")
    if type_node is None or not type_node.value.strip():
        return None
    name = type_node.value.strip()
    handler = get_type(name)
    if handler is None:
        known = ", ".join(sorted(TYPES))
        walker.error(
            line_of(type_node),
            f"unknown type '{name}'{suggest(name, TYPES)} (known types: {known})",
        )
    return handler


def _unknown_key_message(handler: QuestionType | None) -> Callable[[str], str | None]:
    """How to word an unknown question key, knowing which type the question has."""
    allowed = list(QUESTION_FIELDS) + list(handler.fields if handler else ())

    def message(key: str) -> str | None:
        """The message for one unknown key, or None to stay silent."""
        if key in _TYPE_KEYS:
            if handler is None:
                return None  # the type is missing or unknown: that is the error to report
            return f"key '{key}' is not used by type '{handler.name}'{suggest(key, allowed)}"
        return f"unknown key '{key}'{suggest(key, allowed)}"

    return message


def _question_source(
    values: Mapping[str, Any],
    walker: Walker,
    readings: Mapping[str, Reading],
    default: str | None,
) -> Source | None:
    """The question's source, defaulting to the bank's reading; check it names real paragraphs."""
    raw = values.get("source")
    if raw is None:
        return Source(default) if default else None
    line = walker.line_of(("source",))
    try:
        source = Source.parse(raw, default)
    except ValueError as exc:
        walker.error(line, str(exc))
        return None
    reading = readings.get(source.reading)
    if reading is None:
        walker.error(
            line, f"source '{raw}' names unknown reading '{source.reading}' ({_known(readings)})"
        )
        return None
    outside = [n for n in source.paragraphs if not 1 <= n <= reading.paragraphs]
    if outside:
        walker.error(
            line,
            f"source '{raw}': paragraph ¶{outside[0]} is outside "
            f"{reading.id} ¶1-¶{reading.paragraphs}",
        )
        return None
    return source


def _validate_spec(
    handler: QuestionType, spec: Mapping[str, Any], values: Mapping[str, Any], walker: Walker
) -> None:
    """Run the type's meaning checks and report each problem at its key's line."""
    points = values.get("points", DEFAULT_POINTS)
    problems = handler.validate(
        spec, prompt=values.get("prompt", ""), points=points if points > 0 else None
    )
    for problem in problems:
        walker.error(walker.line_of(problem.path), problem.message, problem.warning)


def load_banks(
    paths: PathLike | Iterable[PathLike], readings: Mapping[str, Reading]
) -> list[LoadResult]:
    """Load every bank under the given directories/files; bank ids must be unique across files."""
    results = [load_bank(path, readings) for path in bank_files(paths)]
    return _check_bank_ids(results)


def bank_files(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    """Bank files: *.yaml/*.yml under directories (recursively) or as given, minus readings."""
    roots = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    found: list[Path] = []
    for root in roots:
        for path in _candidates(root):
            if path.name != READINGS_FILE and path not in found:
                found.append(path)
    return found


def _candidates(root: Path) -> list[Path]:
    """A file as given, or the YAML files under a directory outside hidden folders."""
    if not root.is_dir():
        return [root]
    paths = sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")])
    return [p for p in paths if not any(s.startswith(".") for s in p.relative_to(root).parts)]


def _check_bank_ids(results: list[LoadResult]) -> list[LoadResult]:
    """A bank id used by an earlier file makes the later file fail."""
    first: dict[str, str] = {}
    checked = []
    for result in results:
        bank = result.bank
        if bank is not None and bank.id in first:
            issue = Issue(
                result.path,
                bank.line,
                None,
                f"bank id '{bank.id}' is already used by {first[bank.id]}",
            )
            result = replace(result, bank=None, errors=result.errors + (issue,))
        elif bank is not None:
            first[bank.id] = result.path
        checked.append(result)
    return checked
