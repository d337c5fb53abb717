"""Benchmark: what a student who does not read scores on the banks, per bank and overall.

Each strategy answers every question a guess can answer (single, multiple, true/false,
ordering, matching) without reading it; typed answers (short, numeric, blanks) score
nothing for such a student and essays are graded by hand, so the percentages are of the
points of the guessable questions. A strategy covers some types and guesses uniformly at
random on the others, so every column is comparable with the random one:

- first: the first choice shown (single), "True" (listed first), the first option for
  every matching item, the ordering items left as shown;
- longest: the longest choice (single; alone on multiple), the longest option for every
  matching item;
- false: "False" on every true/false question;
- first 1, first 2: the first k choices shown on multiple-answer questions;
- A/false/A+B: all of these at once, as measured before the banks were rewritten: the
  first choice shown, "False", the first two choices of a multiple-answer question, the
  first matching option, the ordering as shown;
- random: a uniform guess everywhere (every choice, every non-empty set of choices,
  every order, every option for each matching item, equally likely).

"delivered" is what the app shows: the app's own delivery code (`deliver`), averaged
over many attempt seeds. "as written" keeps the choices of single and multiple questions
in file order; ordering items and matching options are shuffled either way, because the
app always shuffles them (an ordering question's items are written in the right order).
Every answer is graded by the app's graders, partial credit included.

    .venv/bin/python bench/guessing.py [questions/] [--seeds 200]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studyapp.banks.loader import READINGS_FILE, load_banks, load_readings  # noqa: E402
from studyapp.banks.schema import Question  # noqa: E402
from studyapp.banks.types import deliver, grade, keys_from_positions, token  # noqa: E402

GUESSABLE = ("single", "multiple", "truefalse", "ordering", "matching")
STRATEGIES = ("first", "longest", "false", "first 1", "first 2", "A/false/A+B", "random")
MAX_ENUMERATED = 5_040  # answers enumerated exactly for the random guess; beyond, sampled
SAMPLES = 2_000

Answer = Callable[[Question, dict[str, Any], list[str]], Any]


def _score(question: Question, response: Any) -> float:
    """The fraction of the question's points the real grader gives."""
    score = grade(question, response)
    return score.points / score.max_points if score.max_points else 0.0


# ---- the random guess, exactly ---------------------------------------------------------


# Caches keyed by id(question); each entry holds the question so its id is not reused.
_RANDOM: dict[int, tuple[Question, float]] = {}


def _random_fraction(question: Question) -> float:
    """Expected fraction for a uniform guess (the same delivered or as written)."""
    if id(question) not in _RANDOM:
        value = _mean(_score(question, r) for r in _all_answers(question))
        _RANDOM[id(question)] = (question, value)
    return _RANDOM[id(question)][1]


def _all_answers(question: Question) -> Iterable[Any]:
    """Every answer a uniform guess can give, each equally likely (or a uniform sample)."""
    spec, kind = question.spec, question.type
    if kind == "single":
        return list(spec["choices"])
    if kind == "truefalse":
        return [True, False]
    if kind == "multiple":
        keys = list(spec["choices"])
        return [list(c) for r in range(1, len(keys) + 1) for c in itertools.combinations(keys, r)]
    if kind == "ordering":
        tokens = [token(item) for item in spec["items"]]
        if _factorial(len(tokens)) <= MAX_ENUMERATED:
            return [list(p) for p in itertools.permutations(tokens)]
        rng = random.Random(0)
        return [rng.sample(tokens, len(tokens)) for _ in range(SAMPLES)]
    lefts = [token(left) for left in spec["pairs"]]
    options = [token(o) for o in [*spec["pairs"].values(), *spec.get("distractors", ())]]
    if len(options) ** len(lefts) <= MAX_ENUMERATED:
        return [
            dict(zip(lefts, combo, strict=True))
            for combo in itertools.product(options, repeat=len(lefts))
        ]
    rng = random.Random(0)
    return [{left: rng.choice(options) for left in lefts} for _ in range(SAMPLES)]


def _factorial(n: int) -> int:
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# ---- the positional strategies ---------------------------------------------------------


def _first(question: Question, view: dict[str, Any], order: list[str]) -> Any:
    kind = question.type
    if kind == "single":
        return keys_from_positions("1", order)
    if kind == "truefalse":
        return True
    if kind == "ordering":
        return [item["token"] for item in view["items"]]
    if kind == "matching":
        return {left["token"]: view["options"][0]["token"] for left in view["lefts"]}
    return None


def _longest(question: Question, view: dict[str, Any], order: list[str]) -> Any:
    kind = question.type
    if kind in ("single", "multiple"):
        texts = [c["text"].strip() for c in view["choices"]]
        best = max(range(len(texts)), key=lambda i: (len(texts[i]), -i))
        picked = keys_from_positions(str(best + 1), order)
        return picked if kind == "single" else [picked]
    if kind == "matching":
        longest = max(view["options"], key=lambda o: len(o["text"]))
        return {left["token"]: longest["token"] for left in view["lefts"]}
    return None


def _false(question: Question, view: dict[str, Any], order: list[str]) -> Any:
    return False if question.type == "truefalse" else None


def _first_k(k: int) -> Answer:
    def answer(question: Question, view: dict[str, Any], order: list[str]) -> Any:
        if question.type != "multiple":
            return None
        return keys_from_positions([str(i) for i in range(1, k + 1)], order)

    return answer


def _combined(question: Question, view: dict[str, Any], order: list[str]) -> Any:
    if question.type == "truefalse":
        return False
    if question.type == "multiple":
        return _first_k(2)(question, view, order)
    return _first(question, view, order)


ANSWERS: dict[str, Answer] = {
    "first": _first,
    "longest": _longest,
    "false": _false,
    "first 1": _first_k(1),
    "first 2": _first_k(2),
    "A/false/A+B": _combined,
}


def strategy_fraction(question: Question, strategy: str, seeds: int, delivered: bool) -> float:
    """Expected fraction of the question's points a strategy earns.

    A strategy that does not cover the question's type guesses at random there.
    """
    random_fraction = _random_fraction(question)
    if strategy == "random":
        return random_fraction
    answer = ANSWERS[strategy]
    fractions = []
    for seed in range(seeds):
        # As written: choices in file order; ordering and matching shuffled all the same.
        shown = deliver(question, seed, 0, shuffle=delivered)
        response = answer(question, shown.view, shown.order)
        if response is None:
            return random_fraction
        fractions.append(_score(question, response))
        if not delivered and question.type in ("single", "multiple", "truefalse"):
            break  # nothing moves between seeds
    return _mean(fractions)


# ---- the table -------------------------------------------------------------------------


_FRACTIONS: dict[tuple[int, str, bool, int], tuple[Question, float]] = {}


def _fraction(question: Question, strategy: str, seeds: int, delivered: bool) -> float:
    key = (id(question), strategy, delivered, seeds)
    if key not in _FRACTIONS:
        _FRACTIONS[key] = (question, strategy_fraction(question, strategy, seeds, delivered))
    return _FRACTIONS[key][1]


def bank_table(questions: list[Question], seeds: int) -> dict[tuple[str, str], float]:
    """Percent of the guessable points per (mode, strategy)."""
    total = sum(q.points for q in questions)
    table = {}
    for mode, delivered in (("delivered", True), ("as written", False)):
        for strategy in STRATEGIES:
            earned = sum(q.points * _fraction(q, strategy, seeds, delivered) for q in questions)
            table[(mode, strategy)] = 100 * earned / total if total else 0.0
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="?", default="questions", type=Path)
    parser.add_argument("--seeds", type=int, default=200, help="attempt seeds per question")
    args = parser.parse_args(argv)
    readings, _ = load_readings(args.questions / READINGS_FILE)
    results = [r for r in load_banks(args.questions, readings) if r.bank is not None]
    everything: list[Question] = []
    rows = []
    for result in results:
        questions = [q for q in result.bank.questions if q.type in GUESSABLE]
        everything += questions
        rows.append((result.bank.id, questions))
    rows.append(("all banks", everything))
    tables = {name: bank_table(questions, args.seeds) for name, questions in rows}
    sizes = {name: (len(qs), sum(q.points for q in qs)) for name, qs in rows}
    for mode in ("delivered", "as written"):
        print(f"\n{mode}: percent of the guessable points\n")
        header = ["bank", "questions", "points", *STRATEGIES]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name, table in tables.items():
            count, points = sizes[name]
            cells = [name, str(count), f"{points:g}"]
            cells += [f"{table[(mode, s)]:.1f}" for s in STRATEGIES]
            print("| " + " | ".join(cells) + " |")
    print()
    for mode, limit in (("delivered", 5), ("as written", 10)):
        for name, table in tables.items():
            base = table[(mode, "random")]
            best = max((s for s in STRATEGIES if s != "random"), key=lambda s: table[(mode, s)])
            margin = table[(mode, best)] - base
            if name == "all banks" or margin > limit:
                verdict = "meets" if margin <= limit else "misses"
                print(
                    f"{mode}, {name}: best '{best}' {table[(mode, best)]:.1f} % vs random "
                    f"{base:.1f} % ({margin:+.1f} points; target at most +{limit}: {verdict})"
                )


if __name__ == "__main__":
    main()
