"""Read a page's form the way a browser submits it: the fields in page order, checked boxes
only, the selected option, and nothing from inside <template> elements."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from studyapp.banks import models


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.template = 0
        self.fields: list[list[str]] = []
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_picked = False
        self.option: dict | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.template += 1
        if self.template:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and "name" in a:
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select, self.select_first, self.select_picked = a.get("name"), None, False
        elif tag == "option" and self.select:
            self.option = a
            self.option_text = ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option_text += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "template":
            self.template -= 1
        if self.template:
            return
        if tag == "textarea" and self.textarea is not None:
            # Browsers drop one newline right after <textarea>.
            name, text = self.textarea
            self.fields.append([name, text[1:] if text.startswith("\n") else text])
            self.textarea = None
        elif tag == "option" and self.option is not None:
            value = self.option.get("value", self.option_text)
            if self.select_first is None:
                self.select_first = value
            if "selected" in self.option and not self.select_picked:
                self.fields.append([self.select, value])
                self.select_picked = True
            self.option = None
        elif tag == "select" and self.select:
            if not self.select_picked and self.select_first is not None:
                self.fields.append([self.select, self.select_first])
            self.select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, form_id: str = "form-editor") -> list[list[str]]:
    """[name, value] pairs of the form as the browser would post it (without a button)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def replace(fields: list[list[str]], name: str, *values: str) -> list[list[str]]:
    """The fields with every `name` replaced by `values`, placed where the first one stood."""
    out, placed = [], False
    for field in fields:
        if field[0] == name:
            if not placed:
                out += [[name, v] for v in values]
                placed = True
            continue
        out.append(field)
    if not placed:
        out += [[name, v] for v in values]
    return out


def page_html(client, url: str) -> str:
    """The page at ``url``, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def post_form(client, url: str, fields: list[list[str]], action: str = "save"):
    """Post ``fields`` as the page does when the button with ``action`` is pressed."""
    return client.post(url, data=MultiDict([*map(tuple, fields), ("action", action)]))


def errors_at(html: str, field: str) -> str:
    """The messages shown at one field of the form editor."""
    match = re.search(rf'id="err-{re.escape(field)}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no message box for {field}"
    return match.group(1)


def new_form(client, bank, kind: str) -> tuple[str, list[list[str]]]:
    """The address and the fields of the form for a new question of type ``kind``."""
    url = f"/teach/banks/{bank.id}/form/new?type={kind}"
    return url, form_fields(page_html(client, url))


def version_count(session) -> int:
    """Question versions in the database, to show a refused post changed nothing."""
    session.expire_all()
    return len(session.scalars(select(models.QuestionVersion)).all())
