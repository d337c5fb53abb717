"""What Moodle XML export and import share: formats, fractions and our metadata comment."""

from __future__ import annotations

import json
import re
from typing import Any

# Moodle's names for text formats, and ours (the markup module's).
FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
# What Moodle cannot hold rides in an XML comment in each question (Moodle ignores
# comments); our importer reads it back, so a bank round-trips through Moodle XML.
META_PREFIX = " studyapp "
_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def meta_comment(values: dict[str, Any]) -> str | None:
    """The comment text for metadata, or None when there is none.

    XML comments may not hold `--`; every value is a JSON string or structure of strings
    and numbers, so `-` is written as the JSON escape `\\u002d` inside strings.
    """
    if not values:
        return None
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    # Only inside strings: a minus sign of a number stays as it is (it never doubles).
    text = _JSON_STRING.sub(lambda m: m[0].replace("-", "\\u002d"), text)
    return META_PREFIX + text + " "


def read_meta(comment: str) -> dict[str, Any] | None:
    """The metadata of one of our comments, or None for any other comment."""
    if not comment.startswith(META_PREFIX):
        return None
    try:
        value = json.loads(comment[len(META_PREFIX) :])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def fraction_text(percent: float) -> str:
    """A grade percentage as Moodle writes it: `100`, `33.33333`, `-50`."""
    return f"{percent:.7f}".rstrip("0").rstrip(".")
