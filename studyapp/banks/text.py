"""Answer normalization for short-answer and fill-in-the-blank comparison."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose but that students type without the mark.
_FOLD = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe"})


def normalize_answer(text: str) -> str:
    """Fold text for comparison: case, accents, punctuation and extra spaces are ignored.

    Steps, in order: casefold; NFKD and drop combining marks (é -> e, ğ -> g, İ -> i);
    fold ı ø ł đ ħ æ œ; dashes and slashes become spaces; other punctuation is removed,
    except a '.' or ',' between two digits (so '1.5' never equals '15'); runs of
    whitespace become one space and the ends are trimmed.
    """
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)
    kept = [_fold_char(folded, i) for i in range(len(folded))]
    return " ".join("".join(kept).split())


def _fold_char(text: str, i: int) -> str:
    """What character i of an NFKD-decomposed text becomes after normalization."""
    ch = text[i]
    category = unicodedata.category(ch)
    if category == "Mn":
        return ""
    if not category.startswith("P"):
        return ch
    if ch in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
        return ch
    # "Russo-Turkish" and "Russo Turkish" are the same answer; "U.S." and "US" too.
    return " " if category == "Pd" or ch == "/" else ""


# Punctuation a reader passes over: "Salt" and "salt." are one answer. Other marks
# (# { } \ % & * @ _) tell texts apart: "C" and "C#", or "\" and "#" as answers.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SENTENCE_MARKS = frozenset(".,;:!?¿¡…'\"‘’“”«»‹›()[]/")


def duplicate_key(text: str) -> tuple[str, str]:
    """What two options must share to read as the same option to a student.

    Their normalized text, and the marks normalization drops that are not sentence
    punctuation, in order; so case, accents, spacing and a final full stop never make
    two options different, but "C#" differs from "C" and "\\" from "#". A Markdown
    escape (`C\\#`) shows as the mark alone, so it counts as the mark alone.
    """
    shown = _MARKDOWN_ESCAPE.sub(r"\1", text)
    marks = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", shown)
        if unicodedata.category(ch).startswith("P")
        and unicodedata.category(ch) != "Pd"
        and ch not in _SENTENCE_MARKS
    )
    return normalize_answer(text), marks
