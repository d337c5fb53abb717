"""Question types: a registry of handlers that check a type's keys and grade plain data.

Each handler declares the shapes of its keys (the loader checks those), `validate`s their
meaning, `grade`s a stored response into a `Score` (pure; never raises), and builds the
`student_view` (what a student may see before review) and the `key_view` (the answer, for
review pages).

Responses are plain JSON, as stored by the app:

- single: "A"; multiple: ["A", "C"]; truefalse: true / false (or "true" / "false");
- short: "text"; numeric: "1.5bn" (the raw text, or a JSON number); essay: "text";
- ordering: the item tokens from `student_view` in the student's order, every item once;
- matching: {"<left token>": "<option token>" or null} using tokens from `student_view`;
- blanks: {"<name>": "text"}.

Ordering items and matching options are identified by `token(text)`, a short hash of the
text, never by their index: indices would give away the correct order or pairing, while a
hash of text the student can already see reveals nothing. `student_view` shuffles them
with the caller's `random.Random` (seed it per attempt so a reload shows the same order).

`Score.parts` and `Score.feedback` describe the key (e.g. which pair was right), so the
app shows them only when the review policy allows, like `key_view`.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from studyapp.banks.numbers import format_number, parse_number, to_decimal
from studyapp.banks.schema import (
    Question,
    Shape,
    boolean,
    integer,
    list_of,
    map_of,
    number,
    record,
    text,
)
from studyapp.banks.text import normalize_answer

MAX_TEXT = 500  # characters in a short, numeric or blank answer
MAX_ESSAY = 50_000
MAX_ENTRIES = 100  # items in a list or mapping response
NO_ANSWER = "No answer."
AWAITING = "Awaiting grading."

CHOICE_KEY = text(
    pattern=r"[A-Z0-9]{1,4}", hint="choice keys are 1-4 capital letters or digits, like A, B, C"
)
BLANK_NAME_PATTERN = r"[A-Za-z0-9_-]{1,40}"
_MARKER = re.compile(r"\[\[(.*?)\]\]", re.S)
Spec = Mapping[str, Any]  # a question's type-specific keys, as loaded


@dataclass(frozen=True)
class Part:
    """One scored part of an answer (a choice, a pair, a blank...)."""

    label: str
    earned: float
    possible: float
    correct: bool


@dataclass(frozen=True)
class Score:
    """A graded response; `correct` is True only for full marks and None when a human grades."""

    points: float
    max_points: float
    parts: tuple[Part, ...] = ()
    feedback: tuple[str, ...] = ()
    correct: bool | None = False


@dataclass(frozen=True)
class Problem:
    """A meaning problem in a type's keys; `path` leads from the question to the culprit."""

    path: tuple[str | int | bool, ...]
    message: str
    warning: bool = False


class Malformed(Exception):
    """A response that does not have the shape its question type expects."""


def token(value: str) -> str:
    """The opaque id of an ordering item or matching option: a short hash of its text."""
    return "t" + hashlib.sha256(value.encode()).hexdigest()[:10]


def _round(value: float) -> float:
    """Points are reported to 4 decimals."""
    return round(float(value), 4)


def _zero(question: Question, message: str) -> Score:
    """No points, with one line of feedback."""
    return Score(0.0, _round(question.points), (), (message,), False)


def _scored(question: Question, parts: Sequence[Part], feedback: Iterable[str] = ()) -> Score:
    """Sum the parts, clamp to [0, points]; full marks exactly when every part is correct."""
    full = all(p.correct for p in parts)
    earned = question.points if full else min(question.points, sum(p.earned for p in parts))
    rounded = tuple(Part(p.label, _round(p.earned), _round(p.possible), p.correct) for p in parts)
    return Score(_round(max(0.0, earned)), _round(question.points), rounded, tuple(feedback), full)


def _show(value: Any) -> str:
    """A short printable form of a response value for feedback messages."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _listing(keys: Iterable[Any]) -> str:
    """'A, B, C' for messages."""
    return ", ".join(str(k) for k in keys)


def _is_empty(response: Any) -> bool:
    """None, blank text, and empty lists or mappings count as no answer."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    return isinstance(response, list | tuple | dict) and not response


def _text(response: Any, limit: int = MAX_TEXT) -> str:
    """The response as text, or Malformed."""
    if not isinstance(response, str):
        raise Malformed(f"expected text, got {_show(response)}")
    if len(response) > limit:
        raise Malformed(f"the answer is longer than {limit} characters")
    return response


def _entries(response: Any, kind: type) -> Any:
    """The response as a list or mapping of bounded size, or Malformed."""
    wanted = (list, tuple) if kind is list else (Mapping,)
    if not isinstance(response, wanted):
        wanted_name = "list" if kind is list else "mapping"
        raise Malformed(f"expected a {wanted_name}, got {_show(response)}")
    if len(response) > MAX_ENTRIES:
        raise Malformed(f"more than {MAX_ENTRIES} entries")
    return response


def _accepts(accepted: Iterable[str], answer: str, pattern: str | None = None) -> bool:
    """Compare like a short answer: normalized equality, or the pattern matching in full."""
    folded = normalize_answer(answer)
    if not folded:
        return False
    if any(folded == normalize_answer(a) for a in accepted):
        return True
    return bool(pattern) and re.fullmatch(pattern, folded, re.IGNORECASE) is not None


def _repeats(values: Sequence[str]) -> list[tuple[int, int]]:
    """(later, earlier) index pairs of values that are equal once normalized."""
    seen: dict[str, int] = {}
    found = []
    for i, value in enumerate(values):
        key = normalize_answer(value)
        if key in seen:
            found.append((i, seen[key]))
        else:
            seen[key] = i
    return found


class QuestionType:
    """Base handler: subclasses declare their keys and implement the type's rules."""

    name: ClassVar[str] = ""
    fields: ClassVar[Mapping[str, Shape]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        """Check what the keys mean; their shapes are already checked by the loader."""
        return []

    def grade(self, question: Question, response: Any) -> Score:
        """Grade a stored response; malformed or missing responses score 0, never raise."""
        if _is_empty(response):
            return _zero(question, NO_ANSWER)
        try:
            return self._grade(question, response)
        except Malformed as exc:
            return _zero(question, f"Answer not understood: {exc}.")

    def _grade(self, question: Question, response: Any) -> Score:
        """Grade a non-empty response; raise Malformed when its shape is wrong."""
        raise NotImplementedError

    def student_view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        """What a student may see before review: never the answer or the explanation."""
        view: dict[str, Any] = {
            "id": question.id,
            "type": question.type,
            "prompt": question.prompt,
            "points": question.points,
        }
        view.update(self._view(question, rng))
        return view

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        """The type's additions to the student view."""
        return {}

    def key_view(self, question: Question) -> dict[str, Any]:
        """The correct answer in displayable form, for review pages."""
        raise NotImplementedError


def _choice_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """Checks shared by single and multiple: enough distinct choices, feedback keys exist."""
    choices = spec.get("choices")
    if choices is None:
        return []
    problems = []
    if len(choices) < 2:
        problems.append(Problem(("choices",), f"needs at least 2 choices, found {len(choices)}"))
    keys = list(choices)
    for later, earlier in _repeats(list(choices.values())):
        problems.append(
            Problem(
                ("choices", keys[later]),
                f"choice {keys[later]} has the same text as choice {keys[earlier]}",
            )
        )
    for key in spec.get("feedback", {}):
        if key not in choices:
            problems.append(
                Problem(
                    ("feedback", key),
                    f"feedback for '{key}', which is not one of the choices {_listing(keys)}",
                )
            )
    return problems


def _choice_feedback(question: Question, picked: Iterable[str]) -> list[str]:
    """The per-choice feedback of every picked choice."""
    feedback = question.spec.get("feedback", {})
    return [feedback[key] for key in picked if key in feedback]


def _choices_view(question: Question) -> dict[str, Any]:
    """Choices as key and text only, in file order (keys like A-D are not the answer)."""
    return {"choices": [{"key": c.key, "text": c.text} for c in question.choices]}


CHOICES = map_of(text(), keys=CHOICE_KEY)
CHOICE_FEEDBACK = map_of(text(), keys=CHOICE_KEY)


class Single(QuestionType):
    """One correct choice; all or nothing."""

    name = "single"
    fields = {"choices": CHOICES, "answer": text(), "feedback": CHOICE_FEEDBACK}
    required = ("choices", "answer")

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _choice_problems(spec)
        choices, answer = spec.get("choices"), spec.get("answer")
        if choices is not None and answer is not None and answer not in choices:
            problems.append(
                Problem(
                    ("answer",), f"answer '{answer}' is not one of the choices {_listing(choices)}"
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        choices = question.spec["choices"]
        if not isinstance(response, str) or response not in choices:
            raise Malformed(f"{_show(response)} is not one of the choices {_listing(choices)}")
        correct = response == question.spec["answer"]
        part = Part(
            f"Choice {response}", question.points if correct else 0.0, question.points, correct
        )
        return _scored(question, [part], _choice_feedback(question, [response]))

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        return _choices_view(question)

    def key_view(self, question: Question) -> dict[str, Any]:
        answer = question.spec["answer"]
        return {"answer": answer, "text": question.spec["choices"][answer]}


class Multiple(QuestionType):
    """Several correct choices; right picks earn, wrong picks cost, clamped to [0, points]."""

    name = "multiple"
    fields = {"choices": CHOICES, "answer": list_of(text()), "feedback": CHOICE_FEEDBACK}
    required = ("choices", "answer")

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _choice_problems(spec)
        choices, answer = spec.get("choices"), spec.get("answer")
        if choices is None or answer is None:
            return problems
        if not answer:
            problems.append(Problem(("answer",), "answer must list at least one choice key"))
        for i, key in enumerate(answer):
            if key not in choices:
                problems.append(
                    Problem(
                        ("answer", i),
                        f"answer '{key}' is not one of the choices {_listing(choices)}",
                    )
                )
            elif key in answer[:i]:
                problems.append(Problem(("answer", i), f"answer lists '{key}' twice"))
        if answer and len(choices) >= 2 and set(choices) <= set(answer):
            problems.append(
                Problem(
                    ("answer",),
                    "every choice is correct, so picking them all gets full marks",
                    warning=True,
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        choices, answer = question.spec["choices"], set(question.spec["answer"])
        entries = _entries(response, list)
        unknown = [k for k in entries if not isinstance(k, str) or k not in choices]
        if unknown:
            raise Malformed(f"{_show(unknown[0])} is not one of the choices {_listing(choices)}")
        picked = set(entries)  # a repeated pick counts once
        wrong_count = len(choices) - len(answer)
        parts = [
            self._part(question, key, key in picked, key in answer, len(answer), wrong_count)
            for key in choices
        ]
        ordered = [k for k in choices if k in picked]
        return _scored(question, parts, _choice_feedback(question, ordered))

    @staticmethod
    def _part(question: Question, key: str, picked: bool, right: bool, k: int, w: int) -> Part:
        """A right choice is worth points/k if picked; a wrong pick costs points/w."""
        if right:
            share = question.points / k
            return Part(f"Choice {key}", share if picked else 0.0, share, picked)
        return Part(f"Choice {key}", -question.points / w if picked else 0.0, 0.0, not picked)

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        return _choices_view(question)

    def key_view(self, question: Question) -> dict[str, Any]:
        answer = list(question.spec["answer"])
        return {"answer": answer, "texts": [question.spec["choices"][k] for k in answer]}


class TrueFalse(QuestionType):
    """A statement to judge true or false; all or nothing."""

    name = "truefalse"
    fields = {"answer": boolean(), "feedback": map_of(text(), keys=boolean())}
    required = ("answer",)

    def _grade(self, question: Question, response: Any) -> Score:
        if isinstance(response, str) and response.strip().lower() in ("true", "false"):
            response = response.strip().lower() == "true"
        if not isinstance(response, bool):
            raise Malformed(f"expected true or false, got {_show(response)}")
        correct = response == question.spec["answer"]
        feedback = question.spec.get("feedback", {})
        # Keys are booleans from YAML, but "true"/"false" once the spec has been through JSON.
        note = feedback.get(response, feedback.get(str(response).lower()))
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return _scored(question, [part], [note] if note else [])

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"answer": question.spec["answer"]}


class Short(QuestionType):
    """A few words, compared after normalization with the accepted answers or a pattern."""

    name = "short"
    fields = {"answers": list_of(text()), "pattern": text()}
    required = ("answers",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _accepted_problems(spec.get("answers"), ("answers",), "'answers'")
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(
                    Problem(("pattern",), f"pattern is not a valid regular expression: {exc}")
                )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        answer = _text(response)
        correct = _accepts(question.spec["answers"], answer, question.spec.get("pattern"))
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return _scored(question, [part])

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"answers": list(question.spec["answers"])}


def _accepted_problems(answers: Sequence[str] | None, path: tuple, what: str) -> list[Problem]:
    """A list of accepted answers must be non-empty and survive normalization."""
    if answers is None:
        return []
    if not answers:
        return [Problem(path, f"{what} has no accepted answers")]
    return [
        Problem(path + (i,), f"accepted answer '{a}' is empty once punctuation is ignored")
        for i, a in enumerate(answers)
        if not normalize_answer(a)
    ]


class Numeric(QuestionType):
    """A number typed as text ('1.5bn', '$1,500,000,000'); right within the tolerance."""

    name = "numeric"
    fields = {"answer": number(), "tolerance": number(), "unit": text()}
    required = ("answer",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        tolerance = spec.get("tolerance")
        if tolerance is not None and tolerance < 0:
            return [Problem(("tolerance",), f"tolerance must be 0 or more, not {tolerance}")]
        return []

    def _grade(self, question: Question, response: Any) -> Score:
        if isinstance(response, bool) or not isinstance(response, str | int | float):
            raise Malformed(f"expected text, got {_show(response)}")
        value = (
            parse_number(_text(response))
            if isinstance(response, str)
            else (to_decimal(response) if abs(response) < float("inf") else None)
        )
        if value is None:
            part = Part("Answer", 0.0, question.points, False)
            return _scored(question, [part], [f"Could not read {_show(response)} as a number."])
        answer = to_decimal(question.spec["answer"])
        correct = abs(value - answer) <= to_decimal(question.spec.get("tolerance", 0))
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return _scored(question, [part])

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        unit = question.spec.get("unit")
        return {"unit": unit} if unit else {}

    def key_view(self, question: Question) -> dict[str, Any]:
        spec = question.spec
        view = {
            "answer": spec["answer"],
            "display": format_number(spec["answer"]),
            "tolerance": spec.get("tolerance", 0),
        }
        if spec.get("unit"):
            view["unit"] = spec["unit"]
        return view


class Ordering(QuestionType):
    """Put items in order; scored by adjacent pairs (default) or by positions."""

    name = "ordering"
    fields = {"items": list_of(text()), "scoring": text(one_of=("pairs", "positions"))}
    required = ("items",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        items = spec.get("items")
        if items is None:
            return []
        problems = []
        if len(items) < 2:
            problems.append(Problem(("items",), f"needs at least 2 items, found {len(items)}"))
        for later, earlier in _repeats(items):
            message = f"item {later + 1} repeats item {earlier + 1} ('{items[earlier]}')"
            problems.append(Problem(("items", later), message))
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        items = list(question.spec["items"])
        by_token = {token(item): item for item in items}
        order = _entries(response, list)
        if not all(isinstance(t, str) for t in order) or sorted(order) != sorted(by_token):
            raise Malformed("expected every item's token exactly once")
        given = [by_token[t] for t in order]
        if question.spec.get("scoring", "pairs") == "positions":
            return _scored(question, _position_parts(question.points, items, given))
        return _scored(question, _pair_parts(question.points, items, given))

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        items = [{"token": token(item), "text": item} for item in question.spec["items"]]
        rng.shuffle(items)
        return {"items": items}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {
            "items": list(question.spec["items"]),
            "scoring": question.spec.get("scoring", "pairs"),
        }


def _position_parts(points: float, items: list[str], given: list[str]) -> list[Part]:
    """One part per item: right when it sits in its correct position."""
    share = points / max(1, len(items))
    return [
        Part(f"{i + 1}. {item}", share if given[i] == item else 0.0, share, given[i] == item)
        for i, item in enumerate(items)
    ]


def _pair_parts(points: float, items: list[str], given: list[str]) -> list[Part]:
    """One part per adjacent pair of the key: right when the student has it adjacent, in order."""
    share = points / max(1, len(items) - 1)
    next_of = dict(zip(given, given[1:], strict=False))
    parts = []
    for first, second in zip(items, items[1:], strict=False):
        right = next_of.get(first) == second
        parts.append(Part(f"{first} → {second}", share if right else 0.0, share, right))
    return parts


class Matching(QuestionType):
    """Match each left item to a right option; the fraction matched correctly."""

    name = "matching"
    fields = {"pairs": map_of(text()), "distractors": list_of(text())}
    required = ("pairs",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        pairs = spec.get("pairs")
        if pairs is None:
            return []
        lefts, rights = list(pairs), list(pairs.values())
        problems = []
        if len(pairs) < 2:
            problems.append(Problem(("pairs",), f"needs at least 2 pairs, found {len(pairs)}"))
        for later, earlier in _repeats(lefts):
            problems.append(
                Problem(
                    ("pairs", lefts[later]),
                    f"left side '{lefts[later]}' repeats '{lefts[earlier]}'",
                )
            )
        for later, earlier in _repeats(rights):
            problems.append(
                Problem(
                    ("pairs", lefts[later]),
                    f"right side '{rights[later]}' is also the match for '{lefts[earlier]}'",
                )
            )
        return problems + _distractor_problems(spec.get("distractors", ()), pairs)

    def _grade(self, question: Question, response: Any) -> Score:
        pairs = question.spec["pairs"]
        answers = _entries(response, dict)
        lefts = {token(left): left for left in pairs}
        options = {token(o) for o in _options(question)}
        if not all(o is None or isinstance(o, str) for o in answers.values()):
            raise Malformed("expected option tokens as text")
        for left, option in answers.items():
            if left not in lefts or not (option is None or option in options):
                raise Malformed("a left item or option token is not part of this question")
        share = question.points / max(1, len(pairs))
        parts = []
        for left, right in pairs.items():
            ok = answers.get(token(left)) == token(right)
            parts.append(Part(f"{left} → {right}", share if ok else 0.0, share, ok))
        return _scored(question, parts)

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        options = [{"token": token(o), "text": o} for o in _options(question)]
        rng.shuffle(options)
        lefts = [{"token": token(left), "text": left} for left in question.spec["pairs"]]
        return {"lefts": lefts, "options": options}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {
            "pairs": [{"left": k, "right": v} for k, v in question.spec["pairs"].items()],
            "distractors": list(question.spec.get("distractors", ())),
        }


def _options(question: Question) -> list[str]:
    """Right-hand options: the rights in file order, then the distractors."""
    return list(question.spec["pairs"].values()) + list(question.spec.get("distractors", ()))


def _distractor_problems(distractors: Sequence[str], pairs: Mapping[str, str]) -> list[Problem]:
    """Distractors must differ from every right side and from each other."""
    rights = {normalize_answer(v): k for k, v in pairs.items()}
    problems = []
    for i, item in enumerate(distractors):
        left = rights.get(normalize_answer(item))
        if left is not None:
            problems.append(
                Problem(
                    ("distractors", i), f"distractor '{item}' is also the right side for '{left}'"
                )
            )
    for later, earlier in _repeats(distractors):
        problems.append(
            Problem(
                ("distractors", later), f"distractor {later + 1} repeats distractor {earlier + 1}"
            )
        )
    return problems


def blank_names(prompt: str) -> list[str]:
    """The [[name]] markers of a prompt, in order."""
    return [m.strip() for m in _MARKER.findall(prompt)]


class Blanks(QuestionType):
    """Fill-in-the-blanks: [[name]] markers in the prompt; each blank compared like `short`."""

    name = "blanks"
    fields = {
        "blanks": map_of(
            list_of(text()),
            keys=text(
                pattern=BLANK_NAME_PATTERN, hint="blank names use letters, digits, '-' or '_'"
            ),
        )
    }
    required = ("blanks",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        markers = blank_names(prompt)
        problems = _marker_problems(markers)
        blanks = spec.get("blanks")
        if blanks is None:
            return problems
        for name in dict.fromkeys(markers):
            if re.fullmatch(BLANK_NAME_PATTERN, name) and name not in blanks:
                problems.append(Problem(("prompt",), f"marker [[{name}]] has no entry in 'blanks'"))
        for name, answers in blanks.items():
            if name not in markers:
                problems.append(
                    Problem(
                        ("blanks", name), f"blank '{name}' has no [[{name}]] marker in the prompt"
                    )
                )
            problems += _accepted_problems(answers, ("blanks", name), f"blank '{name}'")
            if any(normalize_answer(name) == normalize_answer(a) for a in answers):
                problems.append(
                    Problem(
                        ("blanks", name), f"blank name '{name}' gives the answer away", warning=True
                    )
                )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        blanks = question.spec["blanks"]
        answers = _entries(response, dict)
        for name, value in answers.items():
            if name not in blanks:
                raise Malformed(f"there is no blank named {_show(name)}")
            if value is not None:
                _text(value)
        share = question.points / max(1, len(blanks))
        parts = []
        for name, accepted in blanks.items():
            given = answers.get(name)
            ok = isinstance(given, str) and _accepts(accepted, given)
            parts.append(Part(name, share if ok else 0.0, share, ok))
        return _scored(question, parts)

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        return {"blanks": list(dict.fromkeys(blank_names(question.prompt)))}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"blanks": {k: list(v) for k, v in question.spec["blanks"].items()}}


def _marker_problems(markers: list[str]) -> list[Problem]:
    """Markers must exist, have valid names, and appear once each."""
    if not markers:
        return [Problem(("prompt",), "the prompt has no [[name]] blank markers")]
    problems = []
    for i, name in enumerate(markers):
        if not re.fullmatch(BLANK_NAME_PATTERN, name):
            problems.append(
                Problem(
                    ("prompt",),
                    f"marker '[[{name}]]' is not a valid blank name: "
                    "use letters, digits, '-' or '_'",
                )
            )
        elif name in markers[:i]:
            problems.append(Problem(("prompt",), f"marker [[{name}]] appears more than once"))
    return problems


RUBRIC_ITEM = record({"criterion": text(), "points": number()}, required=("criterion", "points"))


class Essay(QuestionType):
    """A written answer graded by hand; grading only records that it awaits a human."""

    name = "essay"
    fields = {
        "model_answer": text(),
        "rubric": list_of(RUBRIC_ITEM),
        "min_words": integer(),
        "max_words": integer(),
    }
    required = ("model_answer",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _word_limit_problems(spec.get("min_words"), spec.get("max_words"))
        rubric = spec.get("rubric")
        if rubric is None:
            return problems
        for i, item in enumerate(rubric):
            if item.get("points", 1) <= 0:
                problems.append(Problem(("rubric", i, "points"), "rubric points must be > 0"))
        total = sum(item.get("points", 0) for item in rubric)
        if points is not None and rubric and abs(total - points) > 1e-9:
            problems.append(
                Problem(
                    ("rubric",),
                    f"rubric points add up to {total:g}, but the question is worth {points:g}",
                    warning=True,
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        words = len(_text(response, MAX_ESSAY).split())
        notes = [AWAITING]
        low, high = question.spec.get("min_words"), question.spec.get("max_words")
        if low is not None and words < low:
            notes.append(f"{words} words; at least {low} were asked for.")
        if high is not None and words > high:
            notes.append(f"{words} words; at most {high} were asked for.")
        return Score(0.0, _round(question.points), (), tuple(notes), None)

    def _view(self, question: Question, rng: random.Random) -> dict[str, Any]:
        spec = question.spec
        return {k: spec[k] for k in ("min_words", "max_words") if k in spec}

    def key_view(self, question: Question) -> dict[str, Any]:
        rubric = [dict(item) for item in question.spec.get("rubric", ())]
        return {"model_answer": question.spec["model_answer"], "rubric": rubric}


def _word_limit_problems(low: int | None, high: int | None) -> list[Problem]:
    """Word limits must be sensible."""
    problems = []
    if low is not None and low < 0:
        problems.append(Problem(("min_words",), "min_words must be 0 or more"))
    if high is not None and high < 1:
        problems.append(Problem(("max_words",), "max_words must be at least 1"))
    if low is not None and high is not None and low > high:
        problems.append(
            Problem(("min_words",), f"min_words ({low}) is more than max_words ({high})")
        )
    return problems


TYPES: dict[str, QuestionType] = {}


def register(handler: QuestionType) -> QuestionType:
    """Add a question type to the registry (a later one with the same name replaces it)."""
    TYPES[handler.name] = handler
    return handler


for _handler in (
    Single(),
    Multiple(),
    TrueFalse(),
    Short(),
    Numeric(),
    Ordering(),
    Matching(),
    Blanks(),
    Essay(),
):
    register(_handler)


def get_type(name: str) -> QuestionType | None:
    """The handler for a type name, or None."""
    return TYPES.get(name)


def grade(question: Question, response: Any) -> Score:
    """Grade a stored response to a question (pure; never raises on bad responses)."""
    handler = TYPES.get(question.type)
    if handler is None:
        return _zero(question, f"Unknown question type '{question.type}'.")
    return handler.grade(question, response)


def student_view(question: Question, rng: random.Random) -> dict[str, Any]:
    """What a student may see before review; shuffles ordering items and matching options."""
    return TYPES[question.type].student_view(question, rng)


def key_view(question: Question) -> dict[str, Any]:
    """The correct answer of a question in displayable form."""
    return TYPES[question.type].key_view(question)
