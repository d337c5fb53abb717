"""What GIFT export and import share: Moodle's escapes, percentages and choice keys."""

from __future__ import annotations

import re

from studyapp.banks.markup import escape_markdown, plain_text, to_markdown
from studyapp.banks.text import normalize_answer

# Where a missing-word answer block stood; it becomes `_____` once the text is Markdown,
# so the conversion never escapes the blank's underscores.
BLANK = chr(0xF00FF)
NO_EXPLANATION = "(No explanation was given in the GIFT file.)"
NO_MODEL_ANSWER = "(none given in GIFT)"
# GIFT has one general feedback; an essay's explanation and model answer share it.
MODEL_ANSWER_HEADING = "\n\n**Model answer:**\n"
# Moodle rejects any other grade percentage (question_bank::fraction_options_full).
MOODLE_PERCENTS = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)
_FORMAT_MARKER = re.compile(r"\[(html|markdown|moodle|plain)\]")
WEIGHT = re.compile(r"%(-*)(\d{1,2}\.?\d*)%")  # Moodle's answer-weight prefix, e.g. %-50%
_SPECIAL = re.compile(r"[\\~=#{}:]")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def escape(text: str, inline: bool = False) -> str:
    """Backslash GIFT's special characters; encode line breaks GIFT would misread as `\\n`."""
    escaped = _SPECIAL.sub(lambda m: "\\" + m[0], text)
    return escaped.replace("\n", "\\n") if inline else _break_lines(escaped)


def _break_lines(text: str) -> str:
    """Keep a line break real when a GIFT reader gives it back as is, else write `\\n`."""
    # Readers trim every line, end a question at a blank line and drop `//` lines, so a
    # break before a blank, indented or `//` line (or after trailing spaces) is escaped.
    # Moodle also takes a line of just `0` for a blank one (PHP's empty("0") is true).
    lines = text.split("\n")
    out = [lines[0]]
    for before, line in zip(lines, lines[1:], strict=False):
        real = before == before.rstrip() and line and line == line.lstrip() and line != "0"
        out.append(("\n" if real and not line.startswith("//") else "\\n") + line)
    return "".join(out)


def guard(escaped: str) -> str:
    """Escaped answer or feedback text, protected from being read as a format marker."""
    return "[markdown]" + escaped if _FORMAT_MARKER.match(escaped) else escaped


# Escapes are swapped for private-use characters before parsing, as Moodle does with its
# "&&058;" placeholders, so an escaped '=' or '}' is never taken for syntax.
_PLACEHOLDERS = {ch: chr(0xF0000 + i) for i, ch in enumerate("\\:#={}~n")}
_PROTECT = re.compile(r"\\([\\:#={}~n])")
_RESTORE = str.maketrans({v: "\n" if k == "n" else k for k, v in _PLACEHOLDERS.items()})


def protect(text: str) -> str:
    """Hide escaped characters from the parser."""
    return _PROTECT.sub(lambda m: _PLACEHOLDERS[m[1]], text)


def restore(text: str) -> str:
    """Turn hidden escapes back into the characters they stand for."""
    return text.translate(_RESTORE)


def strip_format(text: str) -> tuple[str | None, str]:
    """Split a leading [html]/[markdown]/[moodle]/[plain] marker off a text."""
    match = _FORMAT_MARKER.match(text)
    return (match[1], text[match.end() :]) if match else (None, text)


def clean(text: str) -> str:
    """A protected GIFT text as plain text: no format marker, escapes restored, trimmed."""
    return restore(strip_format(text.strip())[1]).strip()


def number_text(value: float) -> str:
    """A number as GIFT and our comment write it: `2`, not `2.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def percent_text(value: float) -> str:
    """A percentage with Moodle's five decimals at most: 50, -33.33333."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def moodle_percent(exact: float) -> float:
    """The percentage Moodle accepts that is nearest to `exact`."""
    nearest = min(MOODLE_PERCENTS, key=lambda p: abs(p - abs(exact)))
    return -nearest if exact < 0 else nearest


def choice_keys(count: int) -> list[str]:
    """A, B, ..., Z, AA, AB, ...: the keys an import gives choices, in order."""
    keys = []
    for i in range(1, count + 1):
        key = ""
        while i:
            i, rest = divmod(i - 1, 26)
            key = chr(65 + rest) + key
        keys.append(key)
    return keys


# PHP's trim(), which Moodle uses: a no-break space is text, not blank.
_PHP_SPACE = " \t\n\r\0\x0b"


def php_trim(text: str) -> str:
    """Trim as Moodle does, so a line of only a no-break space is not a blank line."""
    return text.strip(_PHP_SPACE)


def answer_text(protected: str, fmt: str | None) -> str:
    """A choice, answer or matching item as plain words, in its own format or `fmt`."""
    own, body = strip_format(php_trim(protected))
    return php_trim(plain_text(php_trim(restore(body)), own or fmt))


def choice_text(protected: str, fmt: str | None) -> str:
    """A choice as the inline Markdown choices are shown in, reading as Moodle shows it."""
    own, _ = strip_format(php_trim(protected))
    text = answer_text(protected, fmt)
    return text if (own or fmt) == "markdown" else escape_markdown(text)


def feedback_text(protected: str, fmt: str | None, lost: list[str]) -> str:
    """Feedback as safe Markdown, in its own format or `fmt`; what HTML loses is noted."""
    own, body = strip_format(php_trim(protected))
    markdown, dropped = to_markdown(php_trim(restore(body)), own or fmt)
    if dropped:
        lost.append(f"HTML in a feedback lost: {', '.join(dropped)}")
    return markdown.strip()


_STAR = re.compile(r"(?<!\\)\*")


def wildcards(accepted: list[str], lost: list[str]) -> dict[str, object]:
    """Short answers with Moodle's `*` wildcard as a pattern; `\\*` is a literal star."""
    answers: list[str] = []
    patterns: list[str] = []
    for text in accepted:
        pieces = [p.replace("\\*", "*") for p in _STAR.split(text)]
        literal = "".join(pieces)
        if len(pieces) > 1:
            patterns.append(".*".join(re.escape(normalize_answer(p)) for p in pieces))
            lost.append(
                f"answer '{text}' uses Moodle's '*' wildcard; it became the pattern "
                f"'{patterns[-1]}' (compared after case, accents and punctuation are folded)"
            )
        if normalize_answer(literal) and literal not in answers:
            answers.append(literal)
    if not answers:
        raise ValueError(
            "no accepted answer is left once '*' wildcards and punctuation are set aside"
        )
    spec: dict[str, object] = {"answers": answers}
    if patterns:
        spec["pattern"] = "|".join(f"(?:{p})" for p in patterns)
    return spec
