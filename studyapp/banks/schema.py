"""The bank data model (frozen dataclasses), the shapes of YAML keys, and the YAML writer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import yaml

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. 's400-costs'"
DIFFICULTIES = ("easy", "medium", "hard")
DEFAULT_DIFFICULTY = "medium"
DEFAULT_POINTS = 1.0

# A paragraph reference: "¶6" or "¶6-7"; later parts of a list may drop the "¶".
_PARA_PART = re.compile(r"¶\s*(\d{1,3})(?:\s*[-–]\s*¶?\s*(\d{1,3}))?")
_LATER_PART = re.compile(r"¶?\s*(\d{1,3})(?:\s*[-–]\s*¶?\s*(\d{1,3}))?")
_SOURCE = re.compile(rf"(?:(?P<reading>{SLUG_PATTERN})(?=\s|$))?\s*(?P<paras>¶.*)?", re.S)
SOURCE_FORMS = "'aras ¶6', 'aras ¶6-7' or 'aras ¶2, ¶6'"


@dataclass(frozen=True)
class Reading:
    """A reading that questions cite; only bibliographic data, never its text."""

    id: str
    title: str
    author: str
    published: str
    paragraphs: int
    note: str = ""


@dataclass(frozen=True)
class Source:
    """Where in a reading a question comes from: a reading id and paragraph numbers."""

    reading: str
    paragraphs: tuple[int, ...] = ()

    def __str__(self) -> str:
        runs = _runs(self.paragraphs)
        parts = [f"¶{a}" if a == b else f"¶{a}-{b}" for a, b in runs]
        return " ".join([self.reading, ", ".join(parts)]) if parts else self.reading

    @classmethod
    def parse(cls, text: str, default_reading: str | None = None) -> Source:
        """Parse 'aras ¶6', 'aras ¶6-7', 'aras ¶2, ¶6' or '¶6'; raise ValueError saying why not."""
        match = _SOURCE.fullmatch(text.strip())
        if not text.strip() or match is None:
            raise ValueError(f"source '{text}' is not in the form {SOURCE_FORMS}")
        reading = match["reading"] or default_reading
        if reading is None:
            raise ValueError(
                f"source '{text}' names no reading and the bank has no default 'source'"
            )
        paras = _parse_paragraphs(match["paras"] or "", text)
        return cls(reading, paras)


def _parse_paragraphs(text: str, whole: str) -> tuple[int, ...]:
    """Expand '¶2-4, ¶6' into (2, 3, 4, 6); raise ValueError on anything else."""
    if not text:
        return ()
    numbers: set[int] = set()
    for i, part in enumerate(text.split(",")):
        match = (_PARA_PART if i == 0 else _LATER_PART).fullmatch(part.strip())
        if match is None:
            raise ValueError(f"source '{whole}' is not in the form {SOURCE_FORMS}")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if last < first:
            raise ValueError(f"source '{whole}': range ¶{first}-{last} runs backwards")
        numbers.update(range(first, last + 1))
    return tuple(sorted(numbers))


def _runs(numbers: tuple[int, ...]) -> list[tuple[int, int]]:
    """Group sorted numbers into consecutive (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


@dataclass(frozen=True)
class Choice:
    """One option of a single or multiple choice question."""

    key: str
    text: str


@dataclass(frozen=True)
class Question:
    """One question; `spec` holds its type-specific keys as read-only plain data."""

    id: str
    type: str
    prompt: str
    points: float
    tags: tuple[str, ...]
    difficulty: str
    source: Source | None
    explanation: str
    spec: Mapping[str, Any]
    # The line moves whenever the file is edited; it is not part of the question's content.
    line: int = field(default=0, compare=False)

    @property
    def choices(self) -> tuple[Choice, ...]:
        """The choices of a single/multiple question in file order (empty for other types)."""
        return tuple(Choice(k, v) for k, v in self.spec.get("choices", {}).items())


@dataclass(frozen=True)
class Bank:
    """A bank file's content; `path` says where it was read from and is not content."""

    id: str
    title: str
    description: str
    source_default: str | None
    questions: tuple[Question, ...]
    path: str = field(default="", compare=False)
    line: int = field(default=1, compare=False)  # of the bank's `id` key
    questions_line: int = field(default=1, compare=False)  # of its `questions` key


@dataclass(frozen=True)
class Issue:
    """One problem found in a file, located by line and (when known) question id."""

    path: str
    line: int
    question_id: str | None
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity == "error"

    @property
    def is_note(self) -> bool:
        """True for notes, which are neither errors nor warnings."""
        return self.severity == "note"

    def describe(self) -> str:
        """The part after the location: "question 'qid': message" or just the message."""
        if self.question_id is None:
            return self.message
        return f"question '{self.question_id}': {self.message}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.describe()}"


@dataclass(frozen=True)
class LoadResult:
    """The outcome of loading one bank file; `bank` is None whenever there are errors."""

    path: str
    bank: Bank | None
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    # Facts worth knowing that are not problems (a question whose choices stay put).
    notes: tuple[Issue, ...] = ()
    # How many question entries the file has, valid or not (for summaries).
    question_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the file loaded without errors."""
        return not self.errors


class Kind(StrEnum):
    """What a YAML value must be."""

    TEXT = "text"
    NUMBER = "a number"
    INTEGER = "a whole number"
    BOOL = "true or false"
    LIST = "a list"
    MAP = "a mapping (one 'key: value' per line)"
    RECORD = "a mapping of keys"
    NODE = "anything"  # handed over unchecked, for the loader to look at itself


@dataclass(frozen=True)
class Shape:
    """The expected shape of a YAML value, used by the loader to check and convert it."""

    kind: Kind
    item: Shape | None = None  # LIST items and MAP values
    keys: Shape | None = None  # MAP keys (TEXT or BOOL)
    fields: Mapping[str, Shape] = field(default_factory=dict)  # RECORD
    required: tuple[str, ...] = ()  # RECORD
    allow_empty: bool = False  # TEXT
    one_of: tuple[str, ...] = ()  # TEXT
    pattern: str | None = None  # TEXT, matched in full
    hint: str = ""  # what `pattern` means, for messages


def text(
    *,
    allow_empty: bool = False,
    one_of: tuple[str, ...] = (),
    pattern: str | None = None,
    hint: str = "",
) -> Shape:
    """A text value (YAML scalars are taken as written, so `No` stays the text 'No')."""
    return Shape(Kind.TEXT, allow_empty=allow_empty, one_of=one_of, pattern=pattern, hint=hint)


def slug() -> Shape:
    """A lowercase slug id."""
    return text(pattern=SLUG_PATTERN, hint=SLUG_HINT)


def number() -> Shape:
    """A finite number."""
    return Shape(Kind.NUMBER)


def integer() -> Shape:
    """A whole number."""
    return Shape(Kind.INTEGER)


def boolean() -> Shape:
    """true or false."""
    return Shape(Kind.BOOL)


def list_of(item: Shape) -> Shape:
    """A list whose items have the shape `item`."""
    return Shape(Kind.LIST, item=item)


def map_of(value: Shape, keys: Shape | None = None) -> Shape:
    """A mapping with free keys (shape `keys`, text by default) and values of shape `value`."""
    return Shape(Kind.MAP, item=value, keys=keys or text())


def record(fields: Mapping[str, Shape], required: tuple[str, ...] = ()) -> Shape:
    """A mapping with a fixed set of known keys."""
    return Shape(Kind.RECORD, fields=MappingProxyType(dict(fields)), required=required)


def freeze(value: Any) -> Any:
    """Make plain data read-only: dicts become mapping proxies, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Undo `freeze` so the data can be written as YAML."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


class _Flow(list):
    """A short list written inline: `tags: [a, b]`."""


class _BankDumper(yaml.SafeDumper):
    """Writes banks the way people write them: indented lists, `|` blocks, inline tags."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # PyYAML puts "- " flush with the parent key by default; the spec indents it.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a `|` block (the loader strips the final newline back off)."""
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value + "\n", style="|")
    return dumper.represent_str(value)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    """Whole floats as integers (`points: 1`, not `1.0`); they load back equal."""
    # Past 1e15 a float's integer digits are binary noise (6.022e23 would be written
    # 602200000000000027262976), so large values keep their exponent form.
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_BankDumper.add_representer(str, _represent_str)
_BankDumper.add_representer(float, _represent_float)
_BankDumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)

# Type keys written inline when they are lists of short texts.
_INLINE_LISTS = frozenset({"answer", "answers"})


def _question_doc(question: Question) -> dict[str, Any]:
    """A question as plain data in the documented key order."""
    doc: dict[str, Any] = {
        "id": question.id,
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
    }
    if question.tags:
        doc["tags"] = _Flow(question.tags)
    doc["difficulty"] = question.difficulty
    if question.source is not None:
        doc["source"] = str(question.source)
    doc["explanation"] = question.explanation
    for key, value in thaw(question.spec).items():
        doc[key] = _inline(value) if key in _INLINE_LISTS else value
    blanks = doc.get("blanks")
    if isinstance(blanks, dict):
        doc["blanks"] = {name: _inline(answers) for name, answers in blanks.items()}
    return doc


def _inline(value: Any) -> Any:
    """Write a list of short single-line texts inline."""
    short = isinstance(value, list) and all(isinstance(v, str) and "\n" not in v for v in value)
    return _Flow(value) if short and sum(len(v) for v in value) <= 60 else value


def dump_bank(bank: Bank) -> str:
    """Write a bank as YAML text in the bank format; loading it gives back an equal Bank."""
    doc: dict[str, Any] = {"id": bank.id, "title": bank.title}
    if bank.description:
        doc["description"] = bank.description
    if bank.source_default:
        doc["source"] = bank.source_default
    doc["questions"] = [_question_doc(q) for q in bank.questions]
    # A huge width: PyYAML would otherwise fold long lines into plain multi-line scalars,
    # which are easy to break when the file is edited by hand.
    raw = yaml.dump(
        doc,
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )
    spaced = re.sub(r"(?<!\nquestions:)\n(  - id: )", r"\n\n\1", raw)
    # The blank lines are cosmetic; keep them only if they provably changed nothing.
    return spaced if _plain_load(spaced) == _plain_load(raw) else raw


def _plain_load(text: str) -> Any:
    """The data of YAML this module wrote (libyaml when present: it is ten times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
