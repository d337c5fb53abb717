"""Read bank and readings files into plain data, collecting every problem with its line.

Pure: no Flask, no database. Nothing here raises on bad content; each problem becomes an
`Issue` naming the file, the line of the offending key or value, and the question id.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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
    integer,
    list_of,
    number,
    record,
    slug,
    text,
)
from studyapp.banks.types import TYPES, QuestionType, get_type

MAX_FILE_CHARS = 1_000_000
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
_TYPE_KEYS = frozenset(k for handler in TYPES.values() for k in handler.fields)
_INVALID = object()  # a value that failed its checks (already reported)
PathLike = str | Path


class _Loader(yaml.SafeLoader):
    """Safe YAML loading without aliases, which could make a small file expand enormously."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Refuse aliases; compose everything else as usual."""
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not supported in banks", mark
            )
        return super().compose_node(parent, index)


@dataclass
class _Report:
    """Collects the issues of one file."""

    path: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def add(self, line: int, qid: str | None, message: str, warning: bool = False) -> None:
        """Record an error (or a warning)."""
        target = self.warnings if warning else self.errors
        target.append(Issue(self.path, line, qid, message, "warning" if warning else "error"))


def _line(node: Node) -> int:
    """1-based line where a node starts."""
    return node.start_mark.line + 1


def _label(path: tuple) -> str:
    """'rubric[2].points' for ('rubric', 1, 'points'); list items count from 1."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + (str(part).lower() if isinstance(part, bool) else part)
    return out


def _describe(node: Node) -> str:
    """How a YAML value looks, for 'must be X, not Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if node.tag.endswith((":int", ":float")):
        return f"the number {value}"
    if node.tag.endswith(":bool"):
        return f"the boolean {value}"
    if node.tag.endswith(":null") and not value:
        return "empty"
    return f"text '{value}'"


def _suggest(key: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a known key is close, else ''."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Walker:
    """Checks YAML nodes against shapes, converting them to plain data and noting lines."""

    def __init__(self, report: _Report, question_id: str | None = None) -> None:
        self.report = report
        self.qid = question_id
        self.lines: dict[tuple, int] = {}
        self._constructor = SafeConstructor()

    def error(self, line: int, message: str, warning: bool = False) -> None:
        """Report against this walker's question."""
        self.report.add(line, self.qid, message, warning)

    def line_of(self, path: tuple) -> int:
        """The line of the longest known prefix of `path`."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def value(self, node: Node, shape: Shape, path: tuple) -> Any:
        """Check a node against a shape; return plain data or _INVALID."""
        self.lines.setdefault(path, _line(node))
        if shape.kind is Kind.NODE:
            return node
        if shape.kind is Kind.RECORD:
            return self.record(node, shape, path, strict=True)
        if shape.kind is Kind.LIST:
            return self._list(node, shape, path)
        if shape.kind is Kind.MAP:
            return self._map(node, shape, path)
        if not isinstance(node, ScalarNode):
            return self._wrong(node, shape, path)
        return self._scalar(node, shape, path)

    def _wrong(self, node: Node, shape: Shape, path: tuple) -> Any:
        """Report a value of the wrong kind."""
        message = f"'{_label(path)}' must be {shape.kind}, not {_describe(node)}"
        if isinstance(node, ScalarNode) and node.style in ("'", '"'):
            unquoted = _RESOLVER.resolve(ScalarNode, node.value, (True, False))
            if unquoted.endswith(_TAGS_FOR.get(shape.kind, ())):
                message += " (remove the quotes)"
        self.error(self.line_of(path), message)
        return _INVALID

    def _scalar(self, node: ScalarNode, shape: Shape, path: tuple) -> Any:
        """Convert a scalar to text, a number or a boolean as the shape asks."""
        if shape.kind is Kind.TEXT:
            return self._text(node.value.strip(), shape, path)
        tag = node.tag.rsplit(":", 1)[-1]
        try:
            if shape.kind is Kind.BOOL and tag == "bool":
                return self._constructor.construct_yaml_bool(node)
            if shape.kind is Kind.INTEGER and tag == "int":
                return self._constructor.construct_yaml_int(node)
            if shape.kind is Kind.NUMBER:
                return self._number(node, tag, path)
        except ValueError:
            pass  # an explicit tag on a value that does not fit it, e.g. `!!int x`
        return self._wrong(node, shape, path)

    def _number(self, node: ScalarNode, tag: str, path: tuple) -> Any:
        """A finite int or float; ValueError when the scalar is not a number at all."""
        if tag == "int":
            value: Any = self._constructor.construct_yaml_int(node)
        elif tag == "float":
            value = self._constructor.construct_yaml_float(node)
        elif tag == "str" and node.style is None and _PLAIN_FLOAT.fullmatch(node.value):
            value = float(node.value)  # YAML 1.1 reads `1e9` as text; people mean a number
        else:
            raise ValueError(node.value)
        if not math.isfinite(value):
            self.error(self.line_of(path), f"'{_label(path)}' must be a finite number")
            return _INVALID
        return value

    def _text(self, value: str, shape: Shape, path: tuple) -> Any:
        """Check a text against the shape's emptiness, choices and pattern rules."""
        name = _label(path)
        if not value and not shape.allow_empty:
            self.error(self.line_of(path), f"'{name}' is empty")
        elif shape.one_of and value not in shape.one_of:
            self.error(
                self.line_of(path), f"{name} '{value}' must be one of {', '.join(shape.one_of)}"
            )
        elif shape.pattern and not re.fullmatch(shape.pattern, value):
            self.error(self.line_of(path), f"{name} '{value}' is not valid: {shape.hint}")
        else:
            return value
        return _INVALID

    def _list(self, node: Node, shape: Shape, path: tuple) -> Any:
        """A tuple of checked items, or _INVALID if any item is wrong."""
        if not isinstance(node, SequenceNode):
            return self._wrong(node, shape, path)
        assert shape.item is not None
        values = [self.value(item, shape.item, path + (i,)) for i, item in enumerate(node.value)]
        return _INVALID if any(v is _INVALID for v in values) else tuple(values)

    def _map(self, node: Node, shape: Shape, path: tuple) -> Any:
        """A dict of the valid entries of a free-keyed mapping."""
        if not isinstance(node, MappingNode):
            return self._wrong(node, shape, path)
        assert shape.item is not None and shape.keys is not None
        # Bad entries are reported and left out, so the type checks still see the good ones.
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self._map_key(key_node, shape.keys, path)
            if key is _INVALID:
                continue
            if key in first_line:
                self.error(
                    _line(key_node),
                    f"duplicate key '{key_node.value}' in "
                    f"'{_label(path)}' (first at line {first_line[key]})",
                )
                continue
            first_line[key] = _line(key_node)
            self.lines[path + (key,)] = _line(key_node)
            value = self.value(value_node, shape.item, path + (key,))
            if value is not _INVALID:
                out[key] = value
        return out

    def _map_key(self, node: Node, shape: Shape, path: tuple) -> Any:
        """Check one key of a free-keyed mapping (choice keys, blank names, true/false...)."""
        where = f"'{_label(path)}'"
        if not isinstance(node, ScalarNode):
            self.error(_line(node), f"keys in {where} must be plain text, not {_describe(node)}")
            return _INVALID
        raw = node.value.strip()
        if shape.kind is Kind.BOOL:
            if node.tag.endswith(":bool") or raw.lower() in ("true", "false"):
                return raw.lower() in ("true", "yes", "on")
            self.error(_line(node), f"key '{raw}' in {where} must be true or false")
            return _INVALID
        if not raw:
            self.error(_line(node), f"empty key in {where}")
        elif shape.pattern and not re.fullmatch(shape.pattern, raw):
            self.error(_line(node), f"key '{raw}' in {where} is not valid: {shape.hint}")
        else:
            return raw
        return _INVALID

    def record(
        self,
        node: Node,
        shape: Shape,
        path: tuple,
        unknown: Callable[[str], str | None] | None = None,
        strict: bool = False,
    ) -> Any:
        """Check a mapping with known keys; `unknown` words the message for other keys.

        Returns the valid entries, or (when `strict`) _INVALID if anything was wrong.
        """
        if not isinstance(node, MappingNode):
            return self._wrong(node, shape, path)
        before = len(self.report.errors)
        where = f" in '{_label(path)}'" if path else ""
        unknown = unknown or (
            lambda key: f"unknown key '{key}'{where}{_suggest(key, shape.fields)}"
        )
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._record_key(key_node, seen, where, unknown, shape)
            if key is None:
                continue
            self.lines[path + (key,)] = _line(key_node)
            value = self.value(value_node, shape.fields[key], path + (key,))
            if value is not _INVALID:
                out[key] = value
        for key in shape.required:
            if key not in seen:
                self.error(_line(node), f"missing required key '{key}'{where}")
        return _INVALID if strict and len(self.report.errors) > before else out

    def _record_key(
        self,
        node: Node,
        seen: dict[str, int],
        where: str,
        unknown: Callable[[str], str | None],
        shape: Shape,
    ) -> str | None:
        """The key if it is known and new; otherwise report why not and return None."""
        if not isinstance(node, ScalarNode):
            self.error(_line(node), f"keys{where} must be plain text, not {_describe(node)}")
            return None
        key = node.value
        if key in seen:
            self.error(_line(node), f"duplicate key '{key}'{where} (first at line {seen[key]})")
            return None
        seen[key] = _line(node)
        if key not in shape.fields:
            message = unknown(key)
            if message:
                self.error(_line(node), message)
            return None
        return key


_RESOLVER = yaml.resolver.Resolver()
_TAGS_FOR = {Kind.BOOL: (":bool",), Kind.NUMBER: (":int", ":float"), Kind.INTEGER: (":int",)}
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _compose(text: str, report: _Report) -> Node | None:
    """Parse YAML into a node tree (safe, no aliases); a syntax error becomes an issue."""
    if len(text) > MAX_FILE_CHARS:
        report.add(1, None, f"the file is larger than {MAX_FILE_CHARS:,} characters")
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        report.add(mark.line + 1 if mark else 1, None, _yaml_message(exc))
        return None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        report.add(line, None, f"character U+{exc.character:04X} is not allowed in YAML")
        return None
    except RecursionError:
        report.add(1, None, "the YAML is nested too deeply")
        return None
    if root is None:
        report.add(1, None, "the file is empty")
    return root


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error in words, with a hint for the most common mistake."""
    # "while scanning ..." contexts describe the parser's state, not the author's mistake.
    context = exc.context if exc.context and not exc.context.startswith("while") else None
    message = "YAML syntax error: " + ", ".join(filter(None, [context, exc.problem]))
    if exc.problem and "mapping values are not allowed" in exc.problem:
        message += " (put text that contains ': ' in quotes, or use a '|' block)"
    elif exc.problem and "'\\t'" in exc.problem:
        message += " (indent with spaces, not tabs)"
    return message


def _peek(node: Node, key: str) -> ScalarNode | None:
    """The scalar value node of `key` in a mapping node, if there is one."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value_node if isinstance(value_node, ScalarNode) else None
    return None


def _read_file(path: Path, report: _Report) -> str | None:
    """A file's text, or None with an issue saying why it could not be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        report.add(1, None, f"the file is not UTF-8 text ({exc.reason})")
    except OSError as exc:
        report.add(1, None, f"cannot read the file: {exc.strerror or exc}")
    return None


# ---- readings -------------------------------------------------------------------------------


def load_readings(path: PathLike) -> tuple[dict[str, Reading], list[Issue]]:
    """Load readings.yaml: the readings by id, and every issue found."""
    report = _Report(str(path))
    content = _read_file(Path(path), report)
    if content is None:
        return {}, report.errors
    return load_readings_text(content, str(path))


def load_readings_text(content: str, path_label: str) -> tuple[dict[str, Reading], list[Issue]]:
    """Load readings from YAML text (see `load_readings`)."""
    report = _Report(path_label)
    root = _compose(content, report)
    readings: dict[str, Reading] = {}
    if root is None:
        return readings, report.errors
    walker = _Walker(report)
    values = walker.record(root, READINGS_SHAPE, ())
    first_line: dict[str, int] = {}
    for i, node in enumerate(values.get("readings", ())):
        reading = _read_reading(node, i, report)
        if reading is None:
            continue
        if reading.id in first_line:
            first = first_line[reading.id]
            report.add(
                _line(node),
                reading.id,
                f"duplicate reading id '{reading.id}' (first at line {first})",
            )
            continue
        first_line[reading.id] = _line(node)
        readings[reading.id] = reading
    return readings, report.errors + report.warnings


def _read_reading(node: Node, index: int, report: _Report) -> Reading | None:
    """One entry of the readings list, or None when it has errors."""
    peeked = _peek(node, "id")
    walker = _Walker(report, peeked.value if peeked is not None else f"#{index + 1}")
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


# ---- banks ----------------------------------------------------------------------------------


def load_bank(path: PathLike, readings: Mapping[str, Reading]) -> LoadResult:
    """Load one bank file; `bank` is None unless it has no errors. Never raises."""
    report = _Report(str(path))
    content = _read_file(Path(path), report)
    if content is None:
        return LoadResult(str(path), None, tuple(report.errors))
    return load_bank_text(content, str(path), readings)


def load_bank_text(text: str, path_label: str, readings: Mapping[str, Reading]) -> LoadResult:
    """Load a bank from YAML text (an upload, a browser form); `path_label` names it in issues."""
    report = _Report(path_label)
    root = _compose(text, report)
    bank, count = (None, 0) if root is None else _read_bank(root, report, readings)
    return LoadResult(
        path_label,
        None if report.errors else bank,
        tuple(report.errors),
        tuple(report.warnings),
        count,
    )


def _read_bank(
    root: Node, report: _Report, readings: Mapping[str, Reading]
) -> tuple[Bank | None, int]:
    """Check a bank's top level and every question; return the bank and its question count."""
    if not isinstance(root, MappingNode):
        report.add(_line(root), None, "a bank file must be a mapping with id, title and questions")
        return None, 0
    walker = _Walker(report)
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
    )
    return bank, len(nodes)


def _bank_source(value: str | None, walker: _Walker, readings: Mapping[str, Reading]) -> str | None:
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


def _check_question_ids(nodes: Iterable[Node], report: _Report) -> None:
    """Question ids must be unique within a bank."""
    first: dict[str, int] = {}
    for node in nodes:
        id_node = _peek(node, "id")
        if id_node is None:
            continue
        qid = id_node.value.strip()
        if qid in first:
            report.add(
                _line(id_node),
                qid,
                f"duplicate question id '{qid}' (first used at line {first[qid]})",
            )
        else:
            first[qid] = _line(id_node)


def _read_question(
    node: Node,
    index: int,
    report: _Report,
    readings: Mapping[str, Reading],
    default: str | None,
) -> Question | None:
    """Check one question entry; return it, or None when it has errors."""
    id_node = _peek(node, "id")
    qid = (id_node.value.strip() if id_node is not None else "") or f"#{index + 1}"
    walker = _Walker(report, qid)
    if not isinstance(node, MappingNode):
        walker.error(
            _line(node),
            f"each question must be a mapping of keys (id, type, prompt...), not {_describe(node)}",
        )
        return None
    before = len(report.errors)
    handler = _question_type(node, walker)
    fields = {**QUESTION_FIELDS, **(handler.fields if handler else {})}
    required = QUESTION_REQUIRED + (handler.required if handler else ())
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
        _line(node),
    )


def _question_type(node: MappingNode, walker: _Walker) -> QuestionType | None:
    """The handler named by `type`; an unknown name is reported here, a missing one later."""
    type_node = _peek(node, "type")
    if type_node is None or not type_node.value.strip():
        return None
    name = type_node.value.strip()
    handler = get_type(name)
    if handler is None:
        known = ", ".join(sorted(TYPES))
        walker.error(
            _line(type_node), f"unknown type '{name}'{_suggest(name, TYPES)} (known types: {known})"
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
            return f"key '{key}' is not used by type '{handler.name}'{_suggest(key, allowed)}"
        return f"unknown key '{key}'{_suggest(key, allowed)}"

    return message


def _question_source(
    values: Mapping[str, Any],
    walker: _Walker,
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
    handler: QuestionType, spec: Mapping[str, Any], values: Mapping[str, Any], walker: _Walker
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
