"""YAML checked against shapes: safe composing without aliases, line numbers, the walker."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from studyapp.banks.schema import Issue, Kind, Shape

MAX_FILE_CHARS = 1_000_000
INVALID = object()  # a value that failed its checks (already reported)


class SafeNoAliasLoader(yaml.SafeLoader):
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
class Report:
    """Collects the issues of one file."""

    path: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def add(self, line: int, qid: str | None, message: str, warning: bool = False) -> None:
        """Record an error (or a warning)."""
        target = self.warnings if warning else self.errors
        target.append(Issue(self.path, line, qid, message, "warning" if warning else "error"))


def line_of(node: Node) -> int:
    """1-based line where a node starts."""
    return node.start_mark.line + 1


def label(path: tuple) -> str:
    """'rubric[2].points' for ('rubric', 1, 'points'); list items count from 1."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + (str(part).lower() if isinstance(part, bool) else part)
    return out


def describe(node: Node) -> str:
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


def suggest(key: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a known key is close, else ''."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Walker:
    """Checks YAML nodes against shapes, converting them to plain data and noting lines."""

    def __init__(self, report: Report, question_id: str | None = None) -> None:
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
        """Check a node against a shape; return plain data or INVALID."""
        self.lines.setdefault(path, line_of(node))
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
        message = f"'{label(path)}' must be {shape.kind}, not {describe(node)}"
        if isinstance(node, ScalarNode) and node.style in ("'", '"'):
            unquoted = _RESOLVER.resolve(ScalarNode, node.value, (True, False))
            if unquoted.endswith(_TAGS_FOR.get(shape.kind, ())):
                message += " (remove the quotes)"
        self.error(self.line_of(path), message)
        return INVALID

    def _scalar(self, node: ScalarNode, shape: Shape, path: tuple) -> Any:
        """Convert a scalar to text, a number or a boolean as the shape asks."""
        if shape.kind is Kind.TEXT:
            return self._text(node.value.strip(), shape, path)
        tag = node.tag.rsplit(":", 1)[-1]
        try:
            if shape.kind is Kind.BOOL and tag == "bool":
                return self._constructor.construct_yaml_bool(node)
            if shape.kind is Kind.INTEGER and tag == "int":
                return self._bounded(self._constructor.construct_yaml_int(node), path)
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
        elif tag == "str" and not node.style and _PLAIN_FLOAT.fullmatch(node.value):
            value = float(node.value)  # YAML 1.1 reads `1e9` as text; people mean a number
        else:
            raise ValueError(node.value)
        if isinstance(value, int):
            return self._bounded(value, path)
        if not math.isfinite(value):
            self.error(self.line_of(path), f"'{label(path)}' must be a finite number")
            return INVALID
        return value

    def _bounded(self, value: int, path: tuple) -> Any:
        """An integer a float can hold; a longer one is an error at its line.

        YAML reads integers of any length, but points and answers are computed with as
        floats, and an integer of 310 digits or more overflows there.
        """
        try:
            float(value)
        except OverflowError:
            self.error(self.line_of(path), f"'{label(path)}' is too large a number")
            return INVALID
        return value

    def _text(self, value: str, shape: Shape, path: tuple) -> Any:
        """Check a text against the shape's emptiness, choices and pattern rules."""
        name = label(path)
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
        return INVALID

    def _list(self, node: Node, shape: Shape, path: tuple) -> Any:
        """A tuple of checked items, or INVALID if any item is wrong."""
        if not isinstance(node, SequenceNode):
            return self._wrong(node, shape, path)
        assert shape.item is not None
        values = [self.value(item, shape.item, path + (i,)) for i, item in enumerate(node.value)]
        return INVALID if any(v is INVALID for v in values) else tuple(values)

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
            if key is INVALID:
                continue
            if key in first_line:
                self.error(
                    line_of(key_node),
                    f"duplicate key '{key_node.value}' in "
                    f"'{label(path)}' (first at line {first_line[key]})",
                )
                continue
            first_line[key] = line_of(key_node)
            self.lines[path + (key,)] = line_of(key_node)
            value = self.value(value_node, shape.item, path + (key,))
            if value is not INVALID:
                out[key] = value
        return out

    def _map_key(self, node: Node, shape: Shape, path: tuple) -> Any:
        """Check one key of a free-keyed mapping (choice keys, blank names, true/false...)."""
        where = f"'{label(path)}'"
        if not isinstance(node, ScalarNode):
            self.error(line_of(node), f"keys in {where} must be plain text, not {describe(node)}")
            return INVALID
        raw = node.value.strip()
        if shape.kind is Kind.BOOL:
            if node.tag.endswith(":bool") or raw.lower() in ("true", "false"):
                return raw.lower() in ("true", "yes", "on")
            self.error(line_of(node), f"key '{raw}' in {where} must be true or false")
            return INVALID
        if not raw:
            self.error(line_of(node), f"empty key in {where}")
        elif shape.pattern and not re.fullmatch(shape.pattern, raw):
            self.error(line_of(node), f"key '{raw}' in {where} is not valid: {shape.hint}")
        else:
            return raw
        return INVALID

    def record(
        self,
        node: Node,
        shape: Shape,
        path: tuple,
        unknown: Callable[[str], str | None] | None = None,
        strict: bool = False,
    ) -> Any:
        """Check a mapping with known keys; `unknown` words the message for other keys.

        Returns the valid entries, or (when `strict`) INVALID if anything was wrong.
        """
        if not isinstance(node, MappingNode):
            return self._wrong(node, shape, path)
        before = len(self.report.errors)
        where = f" in '{label(path)}'" if path else ""
        unknown = unknown or (lambda key: f"unknown key '{key}'{where}{suggest(key, shape.fields)}")
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._record_key(key_node, seen, where, unknown, shape)
            if key is None:
                continue
            self.lines[path + (key,)] = line_of(key_node)
            value = self.value(value_node, shape.fields[key], path + (key,))
            if value is not INVALID:
                out[key] = value
        for key in shape.required:
            if key not in seen:
                self.error(line_of(node), f"missing required key '{key}'{where}")
        return INVALID if strict and len(self.report.errors) > before else out

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
            self.error(line_of(node), f"keys{where} must be plain text, not {describe(node)}")
            return None
        key = node.value
        if key in seen:
            self.error(line_of(node), f"duplicate key '{key}'{where} (first at line {seen[key]})")
            return None
        seen[key] = line_of(node)
        if key not in shape.fields:
            message = unknown(key)
            if message:
                self.error(line_of(node), message)
            return None
        return key


_RESOLVER = yaml.resolver.Resolver()
_TAGS_FOR = {Kind.BOOL: (":bool",), Kind.NUMBER: (":int", ":float"), Kind.INTEGER: (":int",)}
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")


_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str) -> Node | None:
    """The node tree from libyaml when the text is plainly fine; None sends it the slow way.

    PyYAML's pure-Python parser costs about 1.5 ms per question, which made a large
    upload (or a GIFT import, checked as YAML) take many seconds of CPU. libyaml builds
    the same nodes, with the same tags and lines, ten times faster. Anything unusual (an
    alias, a character YAML forbids, any syntax error) goes to the pure-Python parser,
    so every problem is still reported in its words.
    """
    if _C_LOADER is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=_C_LOADER)):
            return None
        # libyaml marks a plain scalar's style '' where PyYAML has None; the walk reads both.
        return yaml.compose(text, Loader=_C_LOADER)
    except (yaml.YAMLError, RecursionError):
        return None


def compose(text: str, report: Report) -> Node | None:
    """Parse YAML into a node tree (safe, no aliases); a syntax error becomes an issue."""
    if len(text) > MAX_FILE_CHARS:
        report.add(1, None, f"the file is larger than {MAX_FILE_CHARS:,} characters")
        return None
    try:
        root = _compose_fast(text) or yaml.compose(text, Loader=SafeNoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        report.add(mark.line + 1 if mark else 1, None, yaml_message(exc))
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


def yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error in words, with a hint for the most common mistake."""
    # "while scanning ..." contexts describe the parser's state, not the author's mistake.
    context = exc.context if exc.context and not exc.context.startswith("while") else None
    message = "YAML syntax error: " + ", ".join(filter(None, [context, exc.problem]))
    if exc.problem and "mapping values are not allowed" in exc.problem:
        message += " (put text that contains ': ' in quotes, or use a '|' block)"
    elif exc.problem and "'\\t'" in exc.problem:
        message += " (indent with spaces, not tabs)"
    return message


def peek(node: Node, key: str) -> ScalarNode | None:
    """The scalar value node of `key` in a mapping node, if there is one."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value_node if isinstance(value_node, ScalarNode) else None
    return None


def read_file(path: Path, report: Report) -> str | None:
    """A file's text, or None with an issue saying why it could not be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        report.add(1, None, f"the file is not UTF-8 text ({exc.reason})")
    except OSError as exc:
        report.add(1, None, f"cannot read the file: {exc.strerror or exc}")
    return None
