"""Row ids from addresses and forms, bounded to what the databases store.

Ids are 32-bit integers on PostgreSQL and 64-bit on SQLite; an id past that made the
driver raise instead of the app answering 'not found'. Every id a client sends is read
through here (addresses through the ``int`` converter), so a too-large one is simply an
id that does not exist.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest id any table holds (PostgreSQL's integer).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number past MAX_ID matches no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(text: str | None) -> int | None:
    """The id in a form or query field, or None when it is not one (e.g. too large)."""
    if text is None or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_ID else None
