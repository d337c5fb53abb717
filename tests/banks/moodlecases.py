"""Moodle's samples as data, each run through our import and held against Moodle's result.

`gift-cases.yaml` and `moodle-xml-cases.yaml` (in data/moodle/) give each sample with
what Moodle makes of it, as studyapp keeps it: `expect` (type, prompt and the type's
keys; `points`, `explanation` and `tags` beside it), or `refused` (part of the reason),
and `notes` (parts of the notes the import must print). `graded` maps responses to
whether they are right (`"[A, C]"` is read as a list). The test runs each case; run
this module to print the table of outcomes that DEVELOPERS.md quotes:

    .venv/bin/python -m tests.banks.moodlecases
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from studyapp.banks.gift import import_gift
from studyapp.banks.moodlexml import import_moodle_xml
from studyapp.banks.schema import Question
from studyapp.banks.types import grade

DATA = Path(__file__).parent / "data" / "moodle"
FORMATS = {"GIFT": "gift-cases.yaml", "Moodle XML": "moodle-xml-cases.yaml"}
OUTCOMES = {
    "right": "imported right",
    "refused": "refused clearly",
    "wrong": "imported wrong",
    "lost": "refused, though Moodle imports it",
}


def load_cases(file_name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / file_name).read_text(encoding="utf-8"))


def imported(case: dict[str, Any]) -> tuple[list[Question], str]:
    """The questions our import makes of a case's sample, and its notes as one text."""
    if "gift" in case:
        result = import_gift(case["gift"], "moodle-cases", "Moodle cases", {})
    else:
        result = import_moodle_xml(f"<quiz>{case['xml']}</quiz>", "moodle-cases", None, {})
    bank = result.result.bank
    return (list(bank.questions) if bank else []), "\n".join(result.notes)


def thaw(value: Any) -> Any:
    """Frozen spec values as plain dicts and lists."""
    if hasattr(value, "items"):
        return {k: thaw(v) for k, v in value.items()}
    return [thaw(v) for v in value] if isinstance(value, tuple) else value


def problems(case: dict[str, Any], questions: list[Question], notes: str) -> list[str]:
    """How the import differs from Moodle's result for this case (empty: it matches)."""
    if "refused" in case:
        if questions:
            return ["imported, but Moodle's result is a refusal"]
        found = case["refused"] in notes and "skipped" in notes
        return [] if found else [f"refused without the reason {case['refused']!r}: {notes}"]
    if len(questions) != 1:
        return [f"{len(questions)} questions imported, not 1: {notes}"]
    (question,) = questions
    expect = dict(case["expect"])
    found = [
        f"{name}: {got!r} != {want!r}"
        for name, got, want in (
            ("type", question.type, expect.pop("type")),
            ("prompt", question.prompt, expect.pop("prompt")),
            ("points", question.points, expect.pop("points", question.points)),
            ("explanation", question.explanation, case.get("explanation", question.explanation)),
            ("tags", question.tags, tuple(case.get("tags", ()))),
        )
        if got != want
    ]
    spec = thaw(question.spec)
    if question.type == "essay" and "model_answer" not in expect:
        spec.pop("model_answer")
    if spec != expect:
        found.append(f"spec: {spec!r} != {expect!r}")
    found += [f"no note saying {part!r}" for part in case.get("notes", ()) if part not in notes]
    for response, right in case.get("graded", {}).items():
        answer = yaml.safe_load(response) if response.startswith("[") else response
        if grade(question, answer).correct is not right:
            found.append(f"{response!r} graded {'wrong' if right else 'right'}")
    return found


def outcome(case: dict[str, Any]) -> str:
    """One of OUTCOMES' keys for this case under our import."""
    questions, notes = imported(case)
    if not problems(case, questions, notes):
        return "refused" if "refused" in case else "right"
    return "wrong" if questions else "lost"


def table() -> str:
    """The outcomes of every sample, per format, as a Markdown table."""
    rows = ["| samples | " + " | ".join(OUTCOMES.values()) + " |", "|---" * 5 + "|"]
    for label, file_name in FORMATS.items():
        counts = Counter(outcome(case) for case in load_cases(file_name))
        cells = " | ".join(str(counts[key]) for key in OUTCOMES)
        rows.append(f"| {label} ({sum(counts.values())}) | {cells} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
