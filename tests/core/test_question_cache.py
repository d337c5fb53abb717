"""Rendered questions are reused for equal arguments (an exam's start crush): a reused one
must never carry another student's answer or state."""

from __future__ import annotations

from studyapp.core import templating


def test_a_reused_question_rendering_never_shows_another_students_answer(app, monkeypatch):
    monkeypatch.setattr(templating, "QUESTION_CACHE_SIZE", 2)
    render = templating.question_renderer(app)
    view = {
        "type": "single",
        "prompt": "Which *town*?",
        "points": 1.0,
        "choices": [{"value": "1", "text": "River"}, {"value": "2", "text": "Hill"}],
    }
    with app.test_request_context():
        blank = render(view, "q0")
        assert render(view, "q0") is blank  # reused
        first, second = render(view, "q0", "1"), render(view, "q0", "2")  # the second empties it
        assert 'value="1" checked' in first and 'value="2" checked' not in first
        assert 'value="2" checked' in second and "checked" not in blank
        assert 'value="2" checked' in render(view, "q0", "2")  # after the cache was emptied
        assert "disabled" in render(view, "q0", "1", disabled=True)
