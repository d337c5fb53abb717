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


# Two questions that keep their choices in the order written, and one that does not.
SHUFFLE = """\
id: order
title: Order kept
questions:
  - id: both
    type: single
    prompt: Which?
    explanation: Both.
    choices: {A: Ankara, B: Istanbul, C: Both of the above}
    answer: C
    shuffle: false
  - id: several
    type: multiple
    prompt: Which ones?
    explanation: Two.
    choices: {A: One, B: Two, C: Neither of the above}
    answer: [A, B]
    shuffle: false
  - id: free
    type: single
    prompt: Which city?
    explanation: Ankara.
    choices: {A: Ankara, B: Izmir}
    answer: A
"""
