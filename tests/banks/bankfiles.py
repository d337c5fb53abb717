"""Small bank files for the sync and view tests, written into a temporary questions/ folder."""

from __future__ import annotations

from pathlib import Path

READINGS = """readings:
  - id: sample
    title: A Short Sample Reading
    author: Test Author
    published: 2026-01
    paragraphs: 3
"""

BANK = """id: town
title: The river town
description: Questions on the sample reading.
source: sample
questions:
  - id: trade
    type: single
    prompt: What did the town trade for grain?
    source: ¶1
    explanation: The first paragraph names salt.
    choices:
      A: Salt
      B: Iron
    answer: A
  - id: bridge
    type: truefalse
    prompt: The bridge was rebuilt twice.
    source: ¶2
    explanation: After a flood and after a fire.
    answer: true
"""


def write_questions(root: Path, bank: str = BANK, name: str = "town.yaml") -> Path:
    """Create questions/ with the sample readings file and one bank; return the folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "readings.yaml").write_text(READINGS)
    (root / name).write_text(bank)
    return root
