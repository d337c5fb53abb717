"""Warnings about banks a student could pass without reading them.

Pure, like the loader: `check_bank` looks at a loaded `Bank` and returns warnings (never
errors: a guessable bank still loads) and notes. Bank-wide patterns (where the keys sit,
how long they are, which way true/false leans) are reported at the line of the bank's
`questions:` key; the rest at the line of the question concerned.

Texts are compared after `normalize_answer` (case, accents and punctuation ignored) and
as whole words, so "MAKS-2019" is found in "the MAKS 2019 air show" but "Iran" is not
found in "Iranian".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from studyapp.banks.numbers import format_number, to_decimal
from studyapp.banks.schema import Bank, Issue, Question
from studyapp.banks.text import normalize_answer

# Thresholds of the bank-wide checks. A bank below a minimum is too small to judge.
MIN_SINGLE = 5
LETTER_SHARE = 0.40
LONGEST_SHARE = 1 / 3
MIN_MULTIPLE = 2
MIN_TRUEFALSE = 3
TRUEFALSE_SHARE = 2 / 3
MIN_KEY_CHOICE = 4  # characters: shorter key choices ("Yes", "UK") are too common to track

# Words of an id that say what kind of answer is wanted, or nothing at all.
_COMMON = """
    the and for with from into onto over under about after before than then that this these
    those its his her their our your not nor but are was were has have had does did who whom
    whose what which when where why how name names count number numbers year years date dates
    day days month months amount total figure figures value share percent term terms word
    words kind type list pair pairs match matching order ordering sequence chronology timeline
    first second third last main key fact facts claim claims reason reasons role roles place
    places person people country countries city cities short long single multiple truefalse
    true false blank blanks essay numeric question answer answers example evidence cause
    consequence effect result results
"""
COMMON_ID_WORDS = frozenset(_COMMON.split())

_MARKER = re.compile(r"\[\[.*?\]\]", re.S)
_SCALE_WORDS = ((12, "trillion"), (9, "billion"), (6, "million"), (3, "thousand"))


@dataclass(frozen=True)
class _Shown:
    """What a question shows a student while answering, and the texts of its key."""

    prompt: str
    options: tuple[str, ...]  # choices, items, pair sides, distractors
    key_texts: tuple[str, ...]  # every text that is (part of) the answer
    wrong: tuple[str, ...]  # options that are not part of the answer


def check_bank(bank: Bank) -> tuple[list[Issue], list[Issue]]:
    """The bank's guessability warnings and its notes (questions whose choices stay put)."""
    warnings: list[Issue] = []

    def warn(line: int, qid: str | None, message: str) -> None:
        warnings.append(Issue(bank.path, line, qid, message, "warning"))

    line = bank.questions_line
    for message in _position_problems(bank.questions):
        warn(line, None, message)
    for question in bank.questions:
        for message in _id_problems(question):
            warn(question.line, question.id, message)
        for message in _self_problems(question, bank):
            warn(question.line, question.id, message)
        for message in _sibling_problems(question, bank.questions):
            warn(question.line, question.id, message)
    notes = [
        Issue(
            bank.path,
            q.line,
            q.id,
            "shuffle: false keeps the choices in the order written, for every student",
            "note",
        )
        for q in bank.questions
        if q.spec.get("shuffle") is False
    ]
    return warnings, notes


# ---- where the keys sit -------------------------------------------------------------------


def _position_problems(questions: tuple[Question, ...]) -> Iterator[str]:
    """Bank-wide: one letter, the longest option, the first options, or one truth value wins."""
    singles = [q for q in questions if q.type == "single"]
    if len(singles) >= MIN_SINGLE:
        letter, count = Counter(q.spec["answer"] for q in singles).most_common(1)[0]
        if count > LETTER_SHARE * len(singles):
            yield (
                f"'{letter}' is the key of {count} of the {len(singles)} single-choice questions "
                f"({_percent(count, len(singles))}); spread the keys so no letter has more "
                f"than {_percent(LETTER_SHARE)}"
            )
        longest = [q.id for q in singles if _key_is_longest(q)]
        if len(longest) > LONGEST_SHARE * len(singles):
            yield (
                f"the key is the longest option in {len(longest)} of the {len(singles)} "
                f"single-choice questions ({_percent(len(longest), len(singles))}; at most a "
                f"third): {_names(longest)}; give distractors of similar length"
            )
    multiples = [q for q in questions if q.type == "multiple"]
    if len(multiples) >= MIN_MULTIPLE and all(_key_is_first(q) for q in multiples):
        yield (
            f"in all {len(multiples)} multiple-answer questions the correct options are the "
            "first ones listed; put them in varied positions"
        )
    truths = [bool(q.spec["answer"]) for q in questions if q.type == "truefalse"]
    if len(truths) >= MIN_TRUEFALSE:
        value, count = Counter(truths).most_common(1)[0]
        if count > TRUEFALSE_SHARE * len(truths):
            yield (
                f"{count} of the {len(truths)} true/false keys are {str(value).lower()} "
                f"({_percent(count, len(truths))}; at most two-thirds); balance them"
            )


def _key_is_longest(question: Question) -> bool:
    """The key is strictly longer (trimmed, in characters) than every other choice."""
    choices = {k: len(v.strip()) for k, v in question.spec["choices"].items()}
    key = choices.pop(question.spec["answer"])
    return all(key > other for other in choices.values())


def _key_is_first(question: Question) -> bool:
    """The correct options are exactly the first k choices as written."""
    answer = set(question.spec["answer"])
    return set(list(question.spec["choices"])[: len(answer)]) == answer


def _percent(part: float, whole: float = 1) -> str:
    return f"{100 * part / whole:.0f} %"


def _names(ids: list[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# ---- what a question shows and what its key is ------------------------------------------


def _shown(question: Question) -> _Shown:
    """Split a question into what the student sees and what the key says."""
    spec, kind = question.spec, question.type
    prompt = _MARKER.sub(" ", question.prompt)
    if kind in ("single", "multiple"):
        choices = spec["choices"]
        answer = {spec["answer"]} if kind == "single" else set(spec["answer"])
        keys = tuple(v for k, v in choices.items() if k in answer)
        wrong = tuple(v for k, v in choices.items() if k not in answer)
        return _Shown(prompt, tuple(choices.values()), keys, wrong)
    if kind == "truefalse":
        return _Shown(prompt, (), (str(spec["answer"]).lower(),), ())
    if kind == "short":
        return _Shown(prompt, (), tuple(spec.get("answers", ())), ())
    if kind == "numeric":
        # A range question (min/max, from Moodle's {#a..b}) has its ends as its key.
        ends = [spec[k] for k in ("answer", "min", "max") if k in spec]
        return _Shown(prompt, (), tuple(f for end in ends for f in _number_forms(end)), ())
    if kind == "blanks":
        answers = tuple(a for accepted in spec["blanks"].values() for a in accepted)
        return _Shown(prompt, (), answers, ())
    if kind == "ordering":
        items = tuple(spec["items"])
        return _Shown(prompt, items, items, ())
    if kind == "matching":
        sides = tuple(x for pair in spec["pairs"].items() for x in pair)
        distractors = tuple(spec.get("distractors", ()))
        return _Shown(prompt, sides + distractors, sides, distractors)
    return _Shown(prompt, (), (), ())


def _number_forms(value: float | int) -> list[str]:
    """A numeric key as students could meet it: '1500', '1,500', '1.5 thousand'."""
    number = to_decimal(value).normalize()
    forms = [format_number(number)]
    if number == number.to_integral_value():
        forms.append(str(int(number)))
    for exponent, word in _SCALE_WORDS:
        scaled = (number / Decimal(10) ** exponent).normalize()
        if 1 <= abs(scaled) < 1000 and -scaled.as_tuple().exponent <= 3:
            forms.append(f"{format_number(scaled)} {word}")
            break
    return list(dict.fromkeys(forms))


# Every text is compared with every other question's: normalize and compile each once.
@lru_cache(maxsize=4096)
def _normal(text: str) -> str:
    return normalize_answer(text)


@lru_cache(maxsize=4096)
def _whole_words(needle: str) -> re.Pattern[str] | None:
    folded = _normal(needle)
    return re.compile(rf"(?<![\w.,]){re.escape(folded)}(?![\w]|[.,]\d)") if folded else None


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    """The letter and digit runs of a normalized text, for a quick first filter."""
    return frozenset(re.findall(r"\w+", _normal(text)))


def _words(text: str) -> set[str]:
    return set(_normal(text).split())


def _contains(haystack: str, needle: str) -> bool:
    """`needle` occurs in `haystack` as whole words, once both are normalized."""
    pattern = _whole_words(needle)
    return pattern is not None and pattern.search(_normal(haystack)) is not None


# ---- ids, prompts and siblings ----------------------------------------------------------


def _id_problems(question: Question) -> Iterator[str]:
    """An id word that only the key contains names the answer."""
    shown = _shown(question)
    key_words = set().union(*(_words(t) for t in shown.key_texts)) if shown.key_texts else set()
    visible = _words(shown.prompt).union(*(_words(t) for t in shown.wrong))
    for word in dict.fromkeys(re.split(r"[-_]", question.id.lower())):
        if sum(c.isalpha() for c in word) < 3 or word in COMMON_ID_WORDS:
            continue
        if word in key_words and word not in visible:
            yield (
                f"the id contains '{word}', which is in the key but not in the prompt or the "
                "wrong options; choose an id that does not name the answer"
            )


def _accepted(question: Question) -> list[str]:
    """The accepted answers a student types: short answers and every blank's answers."""
    if question.type == "short":
        return list(question.spec["answers"])
    if question.type == "blanks":
        return [a for answers in question.spec["blanks"].values() for a in answers]
    return []


def _self_problems(question: Question, bank: Bank) -> Iterator[str]:
    """The prompt, or the bank's title or description, must not print an accepted answer."""
    places = (
        ("the prompt", _MARKER.sub(" ", question.prompt)),
        ("the bank's title", bank.title),
        ("the bank's description", bank.description),
    )
    for answer in dict.fromkeys(_accepted(question)):
        for where, text in places:
            if _contains(text, answer):
                yield f"{where} contains the accepted answer '{answer}'"


def _leakable(question: Question) -> list[str]:
    """Texts of this question's key that must not appear in another question."""
    texts = _accepted(question)
    if question.type == "numeric":
        texts += list(_shown(question).key_texts)
    if question.type in ("single", "multiple"):
        texts += [
            t
            for t in _shown(question).key_texts
            if len(t.strip()) >= MIN_KEY_CHOICE and normalize_answer(t) not in ("true", "false")
        ]
    return list(dict.fromkeys(texts))


def _sibling_problems(question: Question, questions: Iterable[Question]) -> Iterator[str]:
    """Another question of the bank prints this one's answer where a student sees it."""
    texts = _leakable(question)
    if not texts:
        return
    questions = tuple(questions)
    index = _word_index(questions)
    # Only a question showing every word of a text can show the text itself.
    showing = {
        text: set.intersection(*(index.get(w, set()) for w in _tokens(text)))
        for text in texts
        if _tokens(text)
    }
    for i in sorted(set().union(*showing.values())):
        other = questions[i]
        if other.id == question.id:
            continue
        candidates = [t for t in texts if i in showing.get(t, ())]
        shown = _shown(other)
        for text in candidates:
            where = _where_shown(text, shown)
            if where:
                at = f" (line {other.line})" if other.line else ""
                yield f"the answer '{text}' is shown in {where} of question '{other.id}'{at}"
                break


_INDEX: dict[int, tuple[tuple[Question, ...], dict[str, set[int]]]] = {}


def _word_index(questions: tuple[Question, ...]) -> dict[str, set[int]]:
    """Word -> positions of the questions that show it (built once per bank check)."""
    held = _INDEX.get(id(questions[0])) if questions else None
    if held is not None and held[0] is questions:
        return held[1]
    index: dict[str, set[int]] = {}
    for i, other in enumerate(questions):
        shown = _shown(other)
        for text in (shown.prompt, *shown.options):
            for word in _tokens(text):
                index.setdefault(word, set()).add(i)
    _INDEX.clear()
    _INDEX[id(questions[0]) if questions else 0] = (questions, index)
    return index


def _where_shown(text: str, shown: _Shown) -> str | None:
    """'the prompt' or 'the choices' when `text` is there, else None."""
    if _contains(shown.prompt, text):
        return "the prompt"
    if any(_contains(option, text) for option in shown.options):
        return "the options"
    return None
