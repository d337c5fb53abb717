"""A form's question through the bank loader, with each message placed at its field.

The form never validates on its own: it writes the question in the bank format and the
loader (with the type's checks and warnings) reads it, exactly as a file would be read.
The loader reports lines; composing the same text tells which key stands on each line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from studyapp.banks.content import COMMON_KEYS
from studyapp.banks.formeditor.mapping import FieldIssue
from studyapp.banks.loader import load_bank_text
from studyapp.banks.schema import Bank, Issue, Question, Reading, dump_bank, freeze

_WRAPPER = "id: {bank}\ntitle: Preview\n{source}questions:\n"
_MISSING = re.compile(r"missing required key '([a-z_]+)'")
# Fields named after a type key where the form's field has another name.
_FIELD_NAMES = {"id": "qid", "answers": "accepted", "shuffle": "keep_order"}


@dataclass(frozen=True)
class Checked:
    """The loader's verdict on a form: the question when it loads, and every message."""

    question: Question | None
    yaml: str
    issues: tuple[FieldIssue, ...]

    @property
    def errors(self) -> list[FieldIssue]:
        return [i for i in self.issues if i.severity == "error"]


def doc_yaml(doc: Mapping[str, Any]) -> str:
    """The question in the bank format, as the advanced tab shows it; written even when the
    document has errors, so switching tabs never drops what was typed."""
    spec = {k: v for k, v in doc.items() if k not in COMMON_KEYS}
    question = Question(
        id=doc.get("id") or "",
        type=doc.get("type") or "",
        prompt=doc.get("prompt") or "",
        points=doc.get("points", 1),
        tags=tuple(doc.get("tags") or ()),
        difficulty=doc.get("difficulty") or "",
        # The text as typed; str() of it is what the writer puts in the file.
        source=doc.get("source") or None,  # type: ignore[arg-type]
        explanation=doc.get("explanation") or "",
        spec=freeze(spec),
    )
    text = dump_bank(Bank("x", "x", "", None, (question,)))
    body = text.split("questions:\n", 1)[1]
    return textwrap.dedent(body.replace("  - ", "    ", 1)).strip() + "\n"


def check_doc(
    doc: Mapping[str, Any],
    bank_slug: str,
    source_default: str | None,
    readings: Mapping[str, Reading],
    form_issues: list[FieldIssue],
) -> Checked:
    """Load the document as a one-question bank and place the loader's messages."""
    snippet = doc_yaml(doc)
    source = f"source: {source_default}\n" if source_default else ""
    text = (
        _WRAPPER.format(bank=bank_slug, source=source)
        + "  - "
        + textwrap.indent(snippet, "    ")[4:]
    )
    result = load_bank_text(text, "question", readings)
    lines = _key_lines(text)
    placed = [
        FieldIssue(_field_for(_path_of(issue, lines), doc), issue.message, issue.severity)
        for issue in (*result.errors, *result.warnings)
        if issue.message != "the bank has no questions"
    ]
    issues = tuple(form_issues) + tuple(placed)
    ok = result.bank is not None and not any(i.severity == "error" for i in issues)
    return Checked(result.bank.questions[0] if ok else None, snippet, issues)


def _key_lines(text: str) -> dict[int, tuple]:
    """1-based line -> the path of the first key (or list item) that starts on it."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[int, tuple] = {}
    questions = _get(root, "questions")
    if isinstance(questions, SequenceNode) and questions.value:
        _walk(questions.value[0], (), lines)
    return lines


def _get(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def _walk(node: Node, path: tuple, lines: dict[int, tuple]) -> None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            lines.setdefault(key.start_mark.line + 1, path + (key.value,))
            _walk(value, path + (key.value,), lines)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault(item.start_mark.line + 1, path + (i,))
            _walk(item, path + (i,), lines)


def _path_of(issue: Issue, lines: dict[int, tuple]) -> tuple:
    missing = _MISSING.search(issue.message)
    if missing:
        return (missing[1],)
    if issue.line in lines:
        return lines[issue.line]
    earlier = [line for line in lines if line < issue.line]
    return lines[max(earlier)][:1] if earlier else ("form",)


def _field_for(path: tuple, doc: Mapping[str, Any]) -> str:
    """The form field a path into the question lands on: a group, or a row of a list."""
    head = str(path[0])
    if doc.get("type") == "numeric" and head == "answer":
        return "number"
    if head == "feedback" and doc.get("type") == "truefalse":
        return "feedback"
    if head == "feedback" and len(path) > 1:
        head, path = "choices", ("choices", path[1])
    if head == "tags":
        return "tags"
    if len(path) > 1 and head in ("choices", "pairs", "blanks"):
        keys = list(doc.get(head) or {})
        if path[1] in keys:
            return f"{head}-{keys.index(path[1])}"
    if len(path) > 1 and head in ("items", "distractors", "rubric") and isinstance(path[1], int):
        return f"{head}-{path[1]}"
    return _FIELD_NAMES.get(head, head)
