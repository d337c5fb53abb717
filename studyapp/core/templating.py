"""Jinja filters shared by every page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape

from studyapp.core.markdown import render_markdown
from studyapp.core.numbers import (
    PERCENT_PLACES,
    POINT_PLACES,
    format_number,
    round_half_up,
    to_decimal,
)
from studyapp.core.timezones import format_local

_MARKER = re.compile(r"\[\[\s*([A-Za-z0-9_-]{1,40})\s*\]\]")


def markdown_inline(text: str | None) -> Markup:
    """Markdown for short texts such as choices: no surrounding paragraph."""
    html = str(render_markdown(text))
    if html.startswith("<p>") and html.rstrip().endswith("</p>") and html.count("<p>") == 1:
        html = html.strip()[3:-4]
    return Markup(html)  # noqa: S704 - built from sanitized HTML


def blanks(prompt: str, name: str, response: dict, disabled: bool = False) -> Markup:
    """A fill-in-the-blanks prompt with a text box in place of each [[name]] marker."""
    html = str(render_markdown(prompt))

    def box(match: re.Match) -> str:
        blank = match[1]
        value = escape(response.get(blank, "")) if isinstance(response, dict) else ""
        return (
            f'<input type="text" class="blank" name="{escape(name)}.{escape(blank)}" '
            f'aria-label="Blank {escape(blank)}" value="{value}" maxlength="500" autocomplete="off"'
            f"{' disabled' if disabled else ''}>"
        )

    return Markup(_MARKER.sub(box, html))  # noqa: S704 - sanitized HTML plus our own inputs


def points(value: float) -> str:
    """Points half up to 2 decimals, no trailing zeros: 2.0 -> '2', 2.91666 -> '2.92'."""
    return format_number(value, POINT_PLACES)


def percent(value: float | None, places: int = PERCENT_PLACES) -> str:
    """A percentage half up to one decimal (76.25 -> '76.3'); '' for None."""
    return format_number(value, places)


def fixed(value: float | None, places: int = 2) -> str:
    """A statistic half up to a fixed number of decimals (0.8 -> '0.80'); '–' for None."""
    return "–" if value is None else format_number(value, places, trim=False)


def localtime(value: datetime | None) -> str:
    """A UTC time in the logged-in user's own time zone."""
    tz = getattr(current_user, "timezone", None) if current_user else None
    return format_local(value, tz)


def rounded(value: float, places: int = PERCENT_PLACES) -> float:
    """A number half up to ``places`` as a number (for chart data, which must stay numeric)."""
    return float(round_half_up(value, places))


def multiply100(value: float) -> float:
    """A 0..1 share as a percentage with one decimal (half up, for the charts' data)."""
    return float(round_half_up(to_decimal(value) * 100, PERCENT_PLACES))


def recall_percent(bank_id: int, recall: dict) -> float | None:
    value = recall.get(bank_id)
    return None if value is None else multiply100(value)


#: Rendered questions kept per app (a few KB each); the cache is emptied when it fills.
QUESTION_CACHE_SIZE = 2048


def question_renderer(app: Flask) -> Callable[..., Markup]:
    """The question macro with its output reused for equal arguments.

    A whole class opens the same questions at the start of an exam, each in one of a few
    choice orders and with nothing answered yet, and rendering them was a quarter of the
    attempt page's CPU (bench/README.md). The macro reads nothing but its arguments (a
    student view is plain data from the bank, never Markup) and its filters are pure, so the
    JSON of the arguments is a complete key. A page with answers filled in mostly misses,
    which costs one ``json.dumps`` per question.
    """
    cache: dict[str, Markup] = {}

    def render_question(
        view: dict[str, Any],
        name: str,
        response: Any = None,
        disabled: bool = False,
        label: str = "Question",
    ) -> Markup:
        key = json.dumps([view, name, response, disabled, label], sort_keys=True, default=str)
        html = cache.get(key)
        if html is None:
            macro = app.jinja_env.get_template("_macros/question.html").module.render_question
            html = macro(view, name, response, disabled, label)
            if len(cache) >= QUESTION_CACHE_SIZE:
                cache.clear()
            cache[key] = html
        return html

    return render_question


def init_app(app: Flask) -> None:
    app.jinja_env.globals["render_question"] = question_renderer(app)
    app.add_template_filter(localtime)
    app.add_template_filter(multiply100)
    app.add_template_filter(recall_percent)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(markdown_inline)
    app.add_template_filter(blanks)
    app.add_template_filter(points)
    app.add_template_filter(percent)
    app.add_template_filter(fixed)
    app.add_template_filter(rounded)
