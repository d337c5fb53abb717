"""GIFT import: a question's metadata, from our comment and Moodle's `[tag:...]` comments."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from studyapp.banks.gift.answers import number_or_none
from studyapp.banks.gift.common import clean, number_text, protect
from studyapp.banks.schema import (
    DEFAULT_DIFFICULTY,
    DEFAULT_POINTS,
    DIFFICULTIES,
    SLUG_PATTERN,
    Reading,
    Source,
)

_META_KEYS = ("source", "tags", "difficulty", "points", "unit")
_META_START = re.compile(rf"(?:{'|'.join(_META_KEYS)}):")
# Moodle's own reading of `[tag:...]`: a backslash keeps the next character (`\]`) in.
_MOODLE_TAG = re.compile(r"\[(tag|id):((?:\\.|[^\]\\])+)\]")


@dataclass(frozen=True)
class Meta:
    """Question metadata read from comments."""

    source: Source | None = None
    tags: tuple[str, ...] = ()
    difficulty: str = DEFAULT_DIFFICULTY
    points: float = DEFAULT_POINTS
    unit: str | None = None


def slug(text: str) -> str:
    """A lowercase slug of a title or tag: `Q1 Capital?` -> `q1-capital`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", folded))[:60].strip("-")


def _metadata_fields(comment: str) -> dict[str, str]:
    """Our comment `source: ...; tags: ...; ...` as fields; other comments give none."""
    if not _META_START.match(comment):
        return {}
    fields: dict[str, str] = {}
    rest = comment
    while rest:
        key, _, rest = rest.partition(":")
        if key.strip() == "unit":  # the unit is last and may contain '; '
            fields["unit"] = rest
            break
        value, _, rest = rest.partition("; ")
        fields[key.strip()] = value
    return {k: clean(protect(v)) for k, v in fields.items()}


def metadata(comments: tuple[str, ...], readings: Mapping[str, Reading], lost: list[str]) -> Meta:
    """Our metadata comment and Moodle's `[tag:x]` / `[id:x]` comments; bad values noted."""
    fields: dict[str, str] = {}
    for comment in comments:
        fields.update(_metadata_fields(comment))
    for key in fields.keys() - set(_META_KEYS):
        lost.append(f"unknown metadata '{key}' in the comment ignored")
    tags = tags_of([t.strip() for t in fields.get("tags", "").split(",")], lost)
    for comment in comments:
        for kind, escaped in _MOODLE_TAG.findall(comment):
            value = re.sub(r"\\(.)", r"\1", escaped).strip()
            if kind == "tag":
                tags = tags + tuple(t for t in tags_of([value], lost) if t not in tags)
            else:
                lost.append(f"Moodle ID number '{value}' dropped")
    return Meta(
        source_of(fields.get("source"), readings, lost),
        tags,
        difficulty_of(fields.get("difficulty"), lost),
        _points(fields.get("points"), lost),
        fields.get("unit") or None,
    )


def tags_of(values: list[str], lost: list[str]) -> tuple[str, ...]:
    """Tags as slugs; one that gives an empty slug is noted and dropped."""
    tags: list[str] = []
    for value in filter(None, values):
        tag = value if re.fullmatch(SLUG_PATTERN, value) else slug(value)
        if not tag:
            lost.append(f"tag '{value}' dropped: it has no letters or digits")
        elif tag not in tags:
            tags.append(tag)
            if tag != "-".join(value.casefold().split()):
                lost.append(f"tag '{value}' kept as '{tag}' (tags are lowercase slugs)")
    return tuple(tags)


def source_of(value: str | None, readings: Mapping[str, Reading], lost: list[str]) -> Source | None:
    """The comment's source, if it names a known reading and existing paragraphs."""
    if not value:
        return None
    try:
        source = Source.parse(value)
    except ValueError as exc:
        lost.append(f"{exc}; source dropped")
        return None
    reading = readings.get(source.reading)
    if reading is None:
        lost.append(f"source '{value}' names unknown reading '{source.reading}'; source dropped")
        return None
    if any(not 1 <= n <= reading.paragraphs for n in source.paragraphs):
        lost.append(
            f"source '{value}' names a paragraph outside {reading.id} "
            f"¶1-¶{reading.paragraphs}; source dropped"
        )
        return None
    return source


def difficulty_of(value: str | None, lost: list[str]) -> str:
    """The comment's difficulty, or the default."""
    if value is None or value in DIFFICULTIES:
        return value or DEFAULT_DIFFICULTY
    lost.append(
        f"difficulty '{value}' is not one of {', '.join(DIFFICULTIES)}; '{DEFAULT_DIFFICULTY}' used"
    )
    return DEFAULT_DIFFICULTY


def _points(value: str | None, lost: list[str]) -> float:
    """The comment's points, or the default."""
    if value is None:
        return DEFAULT_POINTS
    number = number_or_none(value)
    if number is None or number <= 0:
        lost.append(
            f"points '{value}' is not a number greater than 0; {number_text(DEFAULT_POINTS)} used"
        )
        return DEFAULT_POINTS
    return float(number)
