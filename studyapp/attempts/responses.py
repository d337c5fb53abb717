"""Turn submitted form fields into a stored response, and a stored response into form state.

The same parser serves the no-JavaScript form post and the autosave request (which sends
the fields of one question), so both save exactly the same thing.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

MAX_FIELD = 50_000


def _prefixed(form: MultiDict, name: str) -> dict[str, str]:
    start = name + "."
    return {k[len(start) :]: v for k, v in form.items() if k.startswith(start) and v != ""}


def response_from_form(kind: str, name: str, form: MultiDict) -> Any:
    """The grader-format response for question ``name`` of type ``kind`` (None: unanswered)."""
    if kind == "multiple":
        picked = [v for v in form.getlist(name) if v]
        return picked or None
    if kind == "truefalse":
        value = form.get(name)
        return {"true": True, "false": False}.get(value or "")
    if kind == "ordering":
        positions = _prefixed(form, name)
        ranked = sorted(positions.items(), key=lambda kv: (_int(kv[1]), kv[0]))
        return [token for token, _ in ranked] or None
    if kind in ("matching", "blanks"):
        return _prefixed(form, name) or None
    value = form.get(name)
    return value[:MAX_FIELD] if value not in (None, "") else None


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 10_000


def form_state(kind: str, response: Any) -> Any:
    """The response as the question template shows it (positions for ordering)."""
    if kind == "ordering" and isinstance(response, list):
        return {token: i for i, token in enumerate(response, start=1)}
    return response
