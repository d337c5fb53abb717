"""Hostile bank input gets a clear message, never a server error or minutes of work."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from studyapp.banks import models

HUGE = "9" * 320


def _numeric_bank(field: str) -> str:
    return (
        "id: huge\ntitle: Huge\nquestions:\n  - id: n\n    type: numeric\n"
        f"    prompt: How many?\n    explanation: Some.\n    {field}\n"
    )


@pytest.mark.parametrize("field", [f"answer: {HUGE}", f"answer: 2\n    tolerance: {HUGE}"])
def test_a_310_digit_integer_in_an_import_is_an_error_at_its_line(
    instructor_client, session, field
):
    reply = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(_numeric_bank(field).encode()), "huge.yaml")},
        content_type="multipart/form-data",
    )
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "huge.yaml:" in body and "is too large a number" in body
    assert session.scalar(select(models.Bank).where(models.Bank.slug == "huge")) is None


def test_a_310_digit_integer_in_the_editor_preview_is_an_error_at_its_line(
    instructor_client, session
):
    instructor_client.post("/teach/banks/new", data={"slug": "web", "title": "Web"})
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "web"))
    snippet = (
        f"id: n\ntype: numeric\nprompt: How many?\nexplanation: Some.\npoints: {HUGE}\nanswer: 2\n"
    )
    reply = instructor_client.post(f"/teach/banks/{bank.id}/preview", data={"text": snippet})
    assert reply.status_code == 200
    assert reply.get_json()["issues"] == [
        "question:5: question 'n': 'points' is too large a number"
    ]
    saved = instructor_client.post(f"/teach/banks/{bank.id}/questions/new", data={"text": snippet})
    assert saved.status_code == 200 and b"is too large a number" in saved.data
