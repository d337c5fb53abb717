"""Turn submitted form fields into a stored response, and a stored response into form state.

The same parser serves the no-JavaScript form post and the autosave request (which sends
the fields of one question), so both save exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from studyapp.banks.types import keys_from_positions, positions_from_keys

MAX_FIELD = 50_000


def _prefixed(form: MultiDict, name: str) -> dict[str, str]:
    start = name + "."
    return {k[len(start) :]: v for k, v in form.items() if k.startswith(start) and v != ""}


def response_from_form(
    kind: str, name: str, form: MultiDict, order: list[str] | None = None
) -> Any:
    """The grader-format response for question ``name`` of type ``kind`` (None: unanswered).

    Choices are posted by display position; ``order`` (the delivery's choice keys) turns
    them back into keys. Without it the positions are returned as posted.
    """
    if kind == "multiple":
        picked = [v for v in form.getlist(name) if v] or None
        return keys_from_positions(picked, order) if order is not None else picked
    if kind == "single":
        value = form.get(name) or None
        return keys_from_positions(value, order) if order is not None else value
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


def form_state(kind: str, response: Any, order: list[str] | None = None) -> Any:
    """The response as the question template shows it: display positions for choices (by
    the delivery's ``order``), {token: position} for ordering."""
    if kind == "ordering" and isinstance(response, list):
        return {token: i for i, token in enumerate(response, start=1)}
    if kind in ("single", "multiple") and order is not None:
        return positions_from_keys(response, order)
    return response


def flag_from_form(form: MultiDict, name: str) -> bool | None:
    """The flag box of question ``name``: the last value posted wins, None when absent.

    The page sends a hidden ``<name>-flag=0`` before the box, so a ticked box arrives as
    0 then 1; reading the first value would lose every flag.
    """
    values = form.getlist(f"{name}-flag")
    return values[-1] == "1" if values else None


@dataclass(frozen=True)
class PostedAnswer:
    """One question's answer as the attempt page's script posts it, named as ``save_answer``
    takes it."""

    response: Any
    base_revision: int | None
    flagged: bool | None
    #: Set for an answer replayed from the browser's journal: save only over this revision.
    only_over: int | None
    #: With ``only_over``: what this browser sent last without hearing back.
    sent_before: Any


def posted_answer(form: MultiDict, position: int, kind: str, order: list[str]) -> PostedAnswer:
    """The autosave request of question ``position``: its answer, flag, base revision and,
    for a journal replay, what the browser sent before."""
    name = f"q{position}"
    base = form.get("revision", type=int)
    replay = form.get("journal") == "1"
    return PostedAnswer(
        response=response_from_form(kind, name, form, order),
        base_revision=base,
        flagged=flag_from_form(form, name),
        only_over=base if replay else None,
        # A replay also carries, as was<position>, what this browser sent last without an answer.
        sent_before=response_from_form(kind, f"was{position}", form, order) if replay else None,
    )
