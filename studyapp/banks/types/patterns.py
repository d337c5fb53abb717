"""Short-answer patterns: refused when they can backtrack without end, and matched on a clock.

A regular expression such as ``(a+)+b`` takes time doubling with every character of an
answer that almost matches. Two defences: a pattern with a repeat inside a repeat, or a
repeat of alternatives, is refused when the bank is loaded or edited; and grading runs
the match with the ``regex`` package's timeout on a bounded answer, so even a pattern
that slipped through (an old version in the database) costs at most MATCH_TIMEOUT.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own parser of the pattern syntax
from typing import Any

import regex

#: Longest answer a pattern is matched against; a short answer is a few words.
MAX_MATCH_CHARS = 500
#: Seconds one match may take before it counts as not matching.
MATCH_TIMEOUT = 0.05

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT}


def pattern_problem(pattern: str) -> str | None:
    """Why a short-answer pattern is refused, or None when it is fine."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"pattern is not a valid regular expression: {exc}"
    danger = _danger(list(parsed), inside_repeat=False)
    if danger:
        return (
            f"pattern can take exponential time on some answers ({danger}); "
            "rewrite it without a repeat inside a repeat, e.g. 'a+b' instead of '(a+)+b'"
        )
    return None


def _danger(items: list[tuple[Any, Any]], inside_repeat: bool) -> str | None:
    """The first construct that backtracks catastrophically inside an unbounded repeat."""
    for op, arg in items:
        if op in _REPEATS:
            low, high, sub = arg
            many = high is sre_parse.MAXREPEAT or high > 1
            if many and inside_repeat and op != sre_parse.POSSESSIVE_REPEAT:
                return "a repeat inside a repeat"
            found = _danger(
                list(sub), inside_repeat or (many and op != sre_parse.POSSESSIVE_REPEAT)
            )
            if found:
                return found
        elif op is sre_parse.SUBPATTERN:
            found = _danger(list(arg[-1]), inside_repeat)
            if found:
                return found
        elif op is sre_parse.ATOMIC_GROUP:
            continue  # an atomic group never backtracks into itself
        elif op is sre_parse.BRANCH:
            if inside_repeat and len(arg[1]) > 1:
                return "alternatives inside a repeat"
            for branch in arg[1]:
                found = _danger(list(branch), inside_repeat)
                if found:
                    return found
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            found = _danger(list(arg[1]), inside_repeat)
            if found:
                return found
        elif op is sre_parse.GROUPREF_EXISTS:
            for branch in arg[1:]:
                if branch is not None:
                    found = _danger(list(branch), inside_repeat)
                    if found:
                        return found
    return None


def pattern_matches(pattern: str, answer: str) -> bool:
    """Does the pattern match the whole (normalized) answer? Bounded in time and length.

    An answer longer than MAX_MATCH_CHARS, or a match still running after MATCH_TIMEOUT
    seconds, does not match.
    """
    if len(answer) > MAX_MATCH_CHARS:
        return False
    try:
        return regex.fullmatch(pattern, answer, regex.IGNORECASE, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        return False
    except regex.error:
        return False
