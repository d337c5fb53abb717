"""Reading a page's own form fields, so tests post exactly what the page would send."""

from __future__ import annotations

import html
import re

_CHOICE = re.compile(
    r'<input type="(?:radio|checkbox)" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"'
    r"(?P<attrs>[^>]*)>\s*(?P<label>.*?)</label>",
    re.S,
)


def choices(page: str, name: str) -> dict[str, str]:
    """The choice inputs named `name`: their label text mapped to the value they post."""
    return {
        html.unescape(re.sub(r"<[^>]+>", "", m["label"])).strip(): m["value"]
        for m in _CHOICE.finditer(page)
        if m["name"] == name
    }


def choice_value(page: str, name: str, label: str) -> str:
    """The value the input of question field `name` labelled `label` posts."""
    found = choices(page, name)
    assert label in found, f"no choice '{label}' for {name}: {sorted(found)}"
    return found[label]


def checked(page: str, name: str) -> set[str]:
    """Labels of the ticked choice inputs named `name`."""
    return {
        html.unescape(re.sub(r"<[^>]+>", "", m["label"])).strip()
        for m in _CHOICE.finditer(page)
        if m["name"] == name and " checked" in m["attrs"]
    }
