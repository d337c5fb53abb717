"""The guessability checker: one test per warning, on bank files written to tmp_path.

Each test writes a bank that trips exactly one rule, runs `flask banks check` on it (the
command itself, through click's runner), and reads the printed lines, so file, line and
the summary are checked as an author meets them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from studyapp.banks.cli import check_command

READINGS = """\
readings:
  - id: aras
    title: Turkey and Russia
    author: Bulent Aras
    published: 2019-09
    paragraphs: 10
"""


def single(qid: str, answer: str, choices: dict[str, str], prompt: str = "Pick one.") -> str:
    lines = "".join(f"      {k}: {v}\n" for k, v in choices.items())
    return (
        f"  - id: {qid}\n    type: single\n    prompt: {prompt}\n    explanation: e\n"
        f"    choices:\n{lines}    answer: {answer}\n"
    )


def bank(*questions: str, title: str = "Checks", description: str = "") -> str:
    head = f"id: checks\ntitle: {title}\n"
    if description:
        head += f"description: {description}\n"
    return head + "questions:\n" + "".join(questions)


def check(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    (tmp_path / "readings.yaml").write_text(READINGS)
    (tmp_path / "checks.yaml").write_text(text)
    result = CliRunner().invoke(check_command, [str(tmp_path)])
    return result.exit_code, result.output.splitlines()


def warnings(lines: list[str]) -> list[str]:
    return [line for line in lines if ": warning: " in line]


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


SPREAD = ["A", "B", "C", "D", "A", "B", "C", "D", "A", "B"]  # 3 of 10 are A: 30 %


def balanced_singles(keys: list[str]) -> list[str]:
    """Single-choice questions with the given keys and options of equal length.

    Every question has options of its own, so no question shows another's key.
    """
    return [single(f"q{i}", key, options(i)) for i, key in enumerate(keys, 1)]


def options(i: int, long: str = "") -> dict[str, str]:
    """Four options of equal length, unique to question i; `long` lengthens one letter's."""
    return {k: f"Town {i:02d}{k}" + (" on the river" if k == long else "") for k in "ABCD"}


def test_a_clean_bank_has_no_warnings(tmp_path):
    code, lines = check(tmp_path, bank(*balanced_singles(SPREAD)))
    assert (code, lines) == (0, ["1 file(s): 0 errors, 0 warnings"])


def test_one_letter_keying_over_40_percent_warns_at_the_questions_key(tmp_path):
    # 5 of 10 keys are A (50 %); 4 of 10 (exactly 40 %) would be allowed.
    text = bank(*balanced_singles(["A", "A", "A", "A", "A", "B", "C", "D", "B", "C"]))
    code, lines = check(tmp_path, text)
    assert code == 0  # warnings never fail the check
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'questions:')}: warning: 'A' is the key of "
        "5 of the 10 single-choice questions (50 %); spread the keys so no letter has more "
        "than 40 %"
    ]
    assert lines[-1] == "1 file(s): 0 errors, 1 warnings"
    allowed = bank(*balanced_singles(["A", "A", "A", "A", "B", "B", "C", "D", "C", "D"]))
    assert warnings(check(tmp_path, allowed)[1]) == []


def test_letter_rule_needs_five_single_choice_questions(tmp_path):
    assert warnings(check(tmp_path, bank(*balanced_singles(["A"] * 4)))[1]) == []


def test_key_strictly_longest_in_over_a_third_warns(tmp_path):
    keys = ["A", "B", "C", "D", "A", "B", "C"]
    questions = [single(f"q{i}", k, options(i, k if i <= 2 else "")) for i, k in enumerate(keys, 1)]
    # q1 and q2 have the longest key: 2 of 7 is under a third.
    assert warnings(check(tmp_path, bank(*questions))[1]) == []
    questions[6] = single("q7", "C", options(7, "C"))
    text = bank(*questions)
    _, lines = check(tmp_path, text)
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'questions:')}: warning: the key is the "
        "longest option in 3 of the 7 single-choice questions (43 %; at most a third): "
        "q1, q2, q7; give distractors of similar length"
    ]


def test_a_key_as_long_as_another_option_is_not_longest(tmp_path):
    # Trimmed, "Town 01D  " is as long as the other options: not strictly longest.
    keys = ["D", "A", "B", "C", "D", "A"]
    questions = [
        single(f"q{i}", k, {**options(i), k: f"'Town {i:02d}{k}  '"}) for i, k in enumerate(keys, 1)
    ]
    assert warnings(check(tmp_path, bank(*questions))[1]) == []


def multiple(qid: str, answer: list[str]) -> str:
    return (
        f"  - id: {qid}\n    type: multiple\n    prompt: Pick all that apply.\n"
        "    explanation: e\n    choices:\n"
        + "".join(f"      {k}: {v}\n" for k, v in options(int(qid[1:])).items())
        + f"    answer: [{', '.join(answer)}]\n"
    )


def test_multiple_answers_always_first_warns(tmp_path):
    text = bank(multiple("m1", ["A", "B"]), multiple("m2", ["A"]), multiple("m3", ["B", "A"]))
    _, lines = check(tmp_path, text)
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'questions:')}: warning: in all 3 "
        "multiple-answer questions the correct options are the first ones listed; put them "
        "in varied positions"
    ]
    varied = bank(multiple("m1", ["A", "B"]), multiple("m2", ["B", "D"]))
    assert warnings(check(tmp_path, varied)[1]) == []
    assert warnings(check(tmp_path, bank(multiple("m1", ["A", "B"])))[1]) == []


def truefalse(qid: str, answer: bool) -> str:
    return (
        f"  - id: {qid}\n    type: truefalse\n    prompt: The sky is green.\n"
        f"    explanation: e\n    answer: {str(answer).lower()}\n"
    )


def test_truefalse_leaning_over_two_thirds_warns(tmp_path):
    text = bank(*(truefalse(f"t{i}", i != 4) for i in range(1, 5)))  # 3 of 4 true: 75 %
    _, lines = check(tmp_path, text)
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'questions:')}: warning: 3 of the 4 "
        "true/false keys are true (75 %; at most two-thirds); balance them"
    ]
    two_of_three = bank(truefalse("t1", True), truefalse("t2", True), truefalse("t3", False))
    assert warnings(check(tmp_path, two_of_three)[1]) == []
    assert warnings(check(tmp_path, bank(truefalse("t1", False), truefalse("t2", False)))[1]) == []


def short(qid: str, answers: list[str], prompt: str = "Who shot the ambassador?") -> str:
    return (
        f"  - id: {qid}\n    type: short\n    prompt: {prompt}\n    explanation: e\n"
        f"    answers: [{', '.join(answers)}]\n"
    )


def test_an_id_word_found_only_in_the_key_warns(tmp_path):
    text = bank(
        short("karlov-name", ["Andrei Karlov", "Karlov"], "Which ambassador was shot in 2016?")
    )
    _, lines = check(tmp_path, text)
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'id: karlov-name')}: warning: question "
        "'karlov-name': the id contains 'karlov', which is in the key but not in the prompt or "
        "the wrong options; choose an id that does not name the answer"
    ]


def test_id_words_in_the_prompt_or_wrong_options_or_common_are_fine(tmp_path):
    text = bank(
        # "ambassador" is in the prompt; "name" is a type word.
        short("ambassador-name", ["Andrei Karlov"], "Which ambassador was shot in 2016?"),
        # "syria" is in the key but also in a wrong option... of another key: here a wrong one.
        single("syria-or-iraq", "A", {"A": "Syria", "B": "Iraq and Syria"}, "Where did they go?"),
    )
    assert warnings(check(tmp_path, text)[1]) == []


def test_id_word_check_covers_numeric_blanks_and_matching_keys(tmp_path):
    text = bank(
        "  - id: march-blank\n    type: blanks\n    prompt: They went in [[month]].\n"
        "    explanation: e\n    blanks:\n      month: [March]\n",
        "  - id: russia-turkey-pairs\n    type: matching\n    prompt: Match the sides.\n"
        "    explanation: e\n    pairs:\n      Russia: restrain Damascus\n"
        "      Turkey: clear out radicals\n",
    )
    found = warnings(check(tmp_path, text)[1])
    assert [w.split("warning: ")[1].split(", which")[0] for w in found] == [
        "question 'march-blank': the id contains 'march'",
        "question 'russia-turkey-pairs': the id contains 'russia'",
        "question 'russia-turkey-pairs': the id contains 'turkey'",
    ]


def test_a_prompt_that_prints_its_own_accepted_answer_warns(tmp_path):
    text = bank(short("venue", ["MAKS-2019", "MAKS"], "At the MAKS 2019 air show, what was shown?"))
    _, lines = check(tmp_path, text)
    assert warnings(lines) == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'id: venue')}: warning: question 'venue': "
        "the prompt contains the accepted answer 'MAKS-2019'",
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'id: venue')}: warning: question 'venue': "
        "the prompt contains the accepted answer 'MAKS'",
    ]


def test_a_bank_title_or_description_with_an_accepted_answer_warns(tmp_path):
    blanks = (
        "  - id: talks\n    type: blanks\n    prompt: Peace talks were held in [[city]].\n"
        "    explanation: e\n    blanks:\n      city: [Astana, Nur-Sultan]\n"
    )
    text = bank(blanks, title="The Astana process", description="Talks in Nur-Sultan.")
    found = warnings(check(tmp_path, text)[1])
    assert [w.split("'talks': ")[1] for w in found] == [
        "the bank's title contains the accepted answer 'Astana'",
        "the bank's description contains the accepted answer 'Nur-Sultan'",
    ]
    # Whole words only: "Astanaville" does not contain "Astana".
    assert warnings(check(tmp_path, bank(blanks, title="Astanaville notes"))[1]) == []


def test_a_sibling_showing_an_accepted_answer_warns_at_the_answered_question(tmp_path):
    text = bank(
        short("show-name", ["MAKS-2019"], "At which air show was the Su-57 shown?"),
        "  - id: weapons\n    type: matching\n    prompt: Match each aircraft to an event.\n"
        "    explanation: e\n    pairs:\n      Su-57: MAKS-2019\n      F-35: the programme\n",
    )
    found = warnings(check(tmp_path, text)[1])
    assert found == [
        f"{tmp_path / 'checks.yaml'}:{line_of(text, 'id: show-name')}: warning: question "
        "'show-name': the answer 'MAKS-2019' is shown in the options of question 'weapons' "
        f"(line {line_of(text, 'id: weapons')})"
    ]


def test_a_sibling_showing_a_numeric_answer_in_digits_or_words_warns(tmp_path):
    numeric = (
        "  - id: work\n    type: numeric\n    prompt: How much work could Turkish firms lose?\n"
        "    explanation: e\n    answer: 12000000000\n    unit: US dollars\n"
    )
    for shown in ("12 billion dollars", "$12,000,000,000", "12000000000 dollars"):
        text = bank(numeric, short("other", ["x"], f"Besides the {shown} of work, what else?"))
        found = warnings(check(tmp_path, text)[1])
        assert len(found) == 1 and "question 'work': the answer '" in found[0], shown
        assert "shown in the prompt of question 'other'" in found[0]
    # 120 billion or 1.12 billion are other numbers.
    for shown in ("120 billion", "1.12 billion", "2012"):
        text = bank(numeric, short("other", ["x"], f"Besides the {shown} of work, what else?"))
        assert warnings(check(tmp_path, text)[1]) == [], shown


def test_a_sibling_printing_a_key_choice_warns_but_short_keys_and_explanations_do_not(tmp_path):
    key_q = single(
        "where-fled", "C", {"A": "Iraq", "B": "Iran", "C": "Syria", "D": "Egypt"}, "Where to?"
    )
    leak = short("who-welcomed", ["Hafez al-Assad"], "Who welcomed PKK members in Syria?")
    _, lines = check(tmp_path, bank(key_q, leak))
    assert [w.split("warning: ")[1] for w in warnings(lines)] == [
        "question 'where-fled': the answer 'Syria' is shown in the prompt of question "
        f"'who-welcomed' (line {line_of(bank(key_q, leak), 'id: who-welcomed')})"
    ]
    # Only in the explanation (seen after answering): no warning.
    hidden = leak.replace("in Syria?", "there?").replace("explanation: e", "explanation: In Syria.")
    assert warnings(check(tmp_path, bank(key_q, hidden))[1]) == []
    # A key choice under 4 characters is too common a string to track.
    short_key = single("which-ally", "A", {"A": "USA", "B": "Iran"}, "Which ally?")
    usa = short("usa-role", ["x"], "What did the USA do?")
    assert warnings(check(tmp_path, bank(short_key, usa))[1]) == []


def test_shuffle_false_is_a_note_not_a_warning(tmp_path):
    both = single("ankara-moscow", "C", {"A": "Ankara", "B": "Moscow", "C": "Both of the above"})
    text = bank(both.replace("    answer: C\n", "    answer: C\n    shuffle: false\n"))
    code, lines = check(tmp_path, text)
    assert (code, lines) == (
        0,
        [
            f"{tmp_path / 'checks.yaml'}:{line_of(text, 'id: ankara')}: note: "
            "question 'ankara-moscow': shuffle: false keeps the choices in the order written, "
            "for every student",
            "1 file(s): 0 errors, 0 warnings",
        ],
    )


def test_shuffle_is_only_a_key_of_choice_questions(tmp_path):
    text = bank(truefalse("t1", True).replace("answer: true", "answer: true\n    shuffle: false"))
    code, lines = check(tmp_path, text)
    assert code == 1
    assert "key 'shuffle' is not used by type 'truefalse'" in lines[0]


def test_warnings_never_block_loading(tmp_path):
    from studyapp.banks.loader import load_bank, load_readings

    text = bank(*balanced_singles(["A"] * 6))  # one warning: every key is A
    (tmp_path / "readings.yaml").write_text(READINGS)
    (tmp_path / "checks.yaml").write_text(textwrap.dedent(text))
    readings, _ = load_readings(tmp_path / "readings.yaml")
    result = load_bank(tmp_path / "checks.yaml", readings)
    assert result.ok and result.bank is not None and len(result.warnings) == 1
