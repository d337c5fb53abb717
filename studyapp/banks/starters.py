"""The YAML a new question starts from in the browser editor, one per type."""

_COMMON = """id: {qid}
type: {type}
prompt: |
  {prompt}
points: 1
tags: []
difficulty: medium
source: {source}
explanation: |
  Why the answer is right, by the reading.
"""

_KEYS = {
    "single": (
        "Which of these ...?",
        "choices:\n  A: First option\n  B: Second option\n"
        "  C: Third option\nanswer: A\nfeedback:\n  B: Why B is tempting but wrong.\n",
    ),
    "multiple": (
        "Which of these ...? Select all that apply.",
        "choices:\n  A: First\n  B: Second\n  C: Third\nanswer: [A, C]\n",
    ),
    "truefalse": ("True or false: ...", "answer: true\n"),
    "short": ("Name the ...", "answers: [first accepted answer, another accepted answer]\n"),
    "numeric": ("How much ...?", "answer: 1500000000\ntolerance: 0\nunit: US dollars\n"),
    "ordering": (
        "Put these events in order, earliest first.",
        "items:\n  - First event\n  - Second event\n  - Third event\nscoring: pairs\n",
    ),
    "matching": (
        "Match each person to their role.",
        "pairs:\n  First person: first role\n  Second person: second role\n",
    ),
    "blanks": (
        "The deal was signed in [[city]] in [[year]].",
        "blanks:\n  city: [Sochi]\n  year: ['2018']\n",
    ),
    "essay": (
        "Explain ...",
        "model_answer: |\n  What a full answer says.\nrubric:\n"
        "  - criterion: Names the main reason\n    points: 1\n",
    ),
}

TYPES = tuple(_KEYS)


def starter(question_type: str, source: str | None, qid: str = "new-question") -> str:
    """A valid question of ``question_type`` to edit, citing the bank's default reading."""
    prompt, keys = _KEYS.get(question_type, _KEYS["single"])
    text = _COMMON.format(
        qid=qid,
        type=question_type if question_type in _KEYS else "single",
        prompt=prompt,
        source=f"{source} ¶1" if source else "aras ¶1",
    )
    return text + keys
