"""GIFT tests: exact export per type, Moodle-style import samples, notes on losses, round trips."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.banks.gift import (
    NO_EXPLANATION,
    NO_MODEL_ANSWER,
    GiftImport,
    export_gift,
    import_gift,
)
from studyapp.banks.loader import bank_files, load_bank, load_bank_text, load_readings
from studyapp.banks.schema import Bank, Question, Reading, Source, freeze
from studyapp.banks.text import normalize_answer
from tests.banks.bankfiles import SHUFFLE

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
READINGS = {
    "aras": Reading(
        "aras", "Turkey and Russia: An Asymmetrical Partnership?", "Bulent Aras", "2019-09", 10
    ),
    "alliance": Reading("alliance", "The Russo-Turkish Alliance", "(not named)", "2019-11", 10),
}
HEADER = (
    "// studyapp bank 'demo': Demo bank\n"
    "// Moodle: import as GIFT format. Lines starting with // are comments.\n"
    "$CATEGORY: $course$/top/demo\n"
)


def bank(questions: str) -> Bank:
    """A bank loaded (and so validated) from YAML question entries."""
    body = textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ")
    result = load_bank_text(
        f"id: demo\ntitle: Demo bank\nquestions:\n{body}\n", "demo.yaml", READINGS
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.bank is not None
    return result.bank


def gift(text: str) -> GiftImport:
    """Import hand-written GIFT into the bank 'demo'."""
    return import_gift(textwrap.dedent(text).lstrip("\n"), "demo", "Demo bank", READINGS)


def questions(imported: GiftImport) -> dict[str, Question]:
    """The imported questions by id; the import must have loaded cleanly."""
    assert imported.result.ok, [str(e) for e in imported.result.errors]
    assert imported.result.bank is not None
    return {q.id: q for q in imported.result.bank.questions}


def body(text: str) -> str:
    """Exported text without the bank header (and its points line, tested on its own)."""
    text = "".join(line for line in text.splitlines(True) if not line.startswith("// points:"))
    assert text.startswith(HEADER + "\n")
    return text[len(HEADER) + 1 :]


def plain(question: Question) -> dict:
    """A question's spec as plain dicts and lists, for readable comparisons."""

    def thaw(value):
        if isinstance(value, dict) or hasattr(value, "items"):
            return {k: thaw(v) for k, v in value.items()}
        return [thaw(v) for v in value] if isinstance(value, tuple) else value

    return thaw(question.spec)


# ---- export: one exact text per type --------------------------------------------------------


def test_export_single_writes_right_wrong_feedback_and_metadata_comment() -> None:
    exported = export_gift(
        bank("""
        - id: capital
          type: single
          prompt: Which city is the capital of Turkey?
          tags: [geo, easy-one]
          difficulty: easy
          source: aras ¶6
          explanation: Ankara has been the capital since 1923.
          choices:
            A: Ankara
            B: Istanbul
          answer: A
          feedback:
            B: The largest city, not the capital.
    """)
    )
    assert body(exported.text) == (
        "// source: aras ¶6; tags: geo, easy-one; difficulty: easy; points: 1\n"
        "// [tag:geo] [tag:easy-one]\n"
        "::capital::[markdown]Which city is the capital of Turkey? {\n"
        "\t=Ankara\n"
        "\t~Istanbul#The largest city, not the capital.\n"
        "\t####Ankara has been the capital since 1923.\n"
        "}\n"
    )
    assert (exported.skipped, exported.notes, exported.lossy) == ((), (), frozenset())


def test_export_multiple_shares_plus_and_minus_hundred_percent() -> None:
    exported = export_gift(
        bank("""
        - id: figures
          type: multiple
          prompt: Which figures does Aras give?
          points: 2
          explanation: Both dollar figures.
          choices:
            A: $1.5 billion
            B: $12 billion
            C: 6 billion euros
            D: $3.6 billion
          answer: [A, B]
          feedback:
            C: That is EU aid.
    """)
    )
    assert body(exported.text) == (
        "// difficulty: medium; points: 2\n"
        "::figures::[markdown]Which figures does Aras give? {\n"
        "\t~%50%$1.5 billion\n"
        "\t~%50%$12 billion\n"
        "\t~%-50%6 billion euros#That is EU aid.\n"
        "\t~%-50%$3.6 billion\n"
        "\t####Both dollar figures.\n"
        "}\n"
    )
    assert exported.notes == ()


def test_export_multiple_uses_moodle_fractions_and_notes_rounding() -> None:
    choices = ", ".join(f"{chr(65 + i)}: Option {i}" for i in range(12))
    exported = export_gift(
        bank(f"""
        - id: many
          type: multiple
          prompt: Pick A.
          explanation: Only A.
          answer: [A]
          choices: {{{choices}}}
    """)
    )
    assert "\t~%100%Option 0\n" in exported.text
    assert exported.text.count("\t~%-10%Option") == 11  # -100/11 is not a Moodle grade
    assert exported.notes == (
        "question 'many' (multiple): wrong picks weigh -10% instead of -9.09091%, the nearest "
        "grade Moodle accepts",
    )
    assert exported.lossy == frozenset()  # our importer reads the rule back exactly


def test_export_multiple_thirds_use_moodle_five_decimals() -> None:
    exported = export_gift(
        bank("""
        - id: thirds
          type: multiple
          prompt: Pick three.
          explanation: A, B and C.
          choices: {A: a, B: b, C: c, D: d, E: e, F: f}
          answer: [A, B, C]
    """)
    )
    assert "\t~%33.33333%a\n" in exported.text
    assert "\t~%-33.33333%d\n" in exported.text
    assert exported.notes == ()


def test_export_truefalse_puts_wrong_answer_feedback_first() -> None:
    exported = export_gift(
        bank("""
        - id: assurances
          type: truefalse
          prompt: Putin gave the assurances Erdogan hoped for.
          explanation: False.
          answer: false
          feedback:
            true: A warm welcome is not an assurance.
            false: Right.
        - id: only-right
          type: truefalse
          prompt: The S-400 is Russian.
          explanation: True.
          answer: true
          feedback:
            true: Yes.
        - id: bare
          type: truefalse
          prompt: Ankara is a city.
          explanation: True.
          answer: true
    """)
    )
    assert body(exported.text).split("\n\n") == [
        "// difficulty: medium; points: 1\n"
        "::assurances::[markdown]Putin gave the assurances Erdogan hoped for. {\n"
        "\tFALSE#A warm welcome is not an assurance.#Right.\n\t####False.\n}",
        "// difficulty: medium; points: 1\n"
        "::only-right::[markdown]The S-400 is Russian. {\n\tTRUE##Yes.\n\t####True.\n}",
        "// difficulty: medium; points: 1\n"
        "::bare::[markdown]Ankara is a city. {\n\tTRUE\n\t####True.\n}\n",
    ]


def test_export_short_writes_answers_and_reports_the_pattern() -> None:
    exported = export_gift(
        bank("""
        - id: astana
          type: short
          prompt: Which process?
          explanation: Astana.
          answers: [Astana, the Astana process]
          pattern: "(the )?astana( process)?"
    """)
    )
    assert body(exported.text) == (
        "// difficulty: medium; points: 1\n"
        "::astana::[markdown]Which process? {\n"
        "\t=Astana\n"
        "\t=the Astana process\n"
        "\t####Astana.\n"
        "}\n"
    )
    assert exported.notes == (
        "question 'astana' (short): the pattern '(the )?astana( process)?' cannot be expressed "
        "in GIFT; only the accepted answers were exported",
    )
    assert exported.lossy == {"astana"}


def test_export_numeric_writes_value_tolerance_and_unit() -> None:
    exported = export_gift(
        bank("""
        - id: gain
          type: numeric
          prompt: How much could Turkish companies have gained?
          source: aras ¶6
          explanation: $12 billion.
          answer: 1.2e10
          tolerance: 0.5
          unit: US dollars
        - id: year
          type: numeric
          prompt: In which year?
          explanation: 2017.
          answer: 2017
    """)
    )
    assert body(exported.text).split("\n\n") == [
        "// source: aras ¶6; difficulty: medium; points: 1; unit: US dollars\n"
        "::gain::[markdown]How much could Turkish companies have gained? (US dollars) {\n"
        "\t#12000000000:0.5\n\t####$12 billion.\n}",
        "// difficulty: medium; points: 1\n"
        "::year::[markdown]In which year? {\n\t#2017\n\t####2017.\n}\n",
    ]
    assert exported.notes == ()


def test_export_matching_writes_arrows_and_distractors_with_an_empty_left_side() -> None:
    exported = export_gift(
        bank("""
        - id: commitments
          type: matching
          prompt: Match each side to its promise.
          explanation: Russia restrains Damascus; Turkey clears radicals.
          pairs:
            Russia: Prevent Syrian attacks
            Turkey: Clear radical groups
          distractors:
            - Set up a safe haven
    """)
    )
    assert body(exported.text) == (
        "// difficulty: medium; points: 1\n"
        "::commitments::[markdown]Match each side to its promise. {\n"
        "\t=Russia -> Prevent Syrian attacks\n"
        "\t=Turkey -> Clear radical groups\n"
        "\t= -> Set up a safe haven\n"
        "\t####Russia restrains Damascus; Turkey clears radicals.\n"
        "}\n"
    )
    assert len(exported.notes) == 1 and "'= -> text'" in exported.notes[0]
    assert exported.lossy == frozenset()


def test_export_essay_puts_model_answer_in_general_feedback_and_reports_rubric() -> None:
    exported = export_gift(
        bank("""
        - id: idlib-essay
          type: essay
          prompt: Why was the Idlib agreement not working?
          points: 2
          explanation: Both commitments failed.
          model_answer: Russia did not restrain Damascus.
          rubric:
            - criterion: Names both commitments
              points: 2
          min_words: 50
    """)
    )
    assert body(exported.text) == (
        "// difficulty: medium; points: 2\n"
        "::idlib-essay::[markdown]Why was the Idlib agreement not working? {\n"
        "\t####Both commitments failed.\\n\n"
        "**Model answer\\:**\n"
        "Russia did not restrain Damascus.\n"
        "}\n"
    )
    assert exported.notes == (
        "question 'idlib-essay' (essay): the rubric (1 criteria) cannot be expressed in GIFT; "
        "dropped",
        "question 'idlib-essay' (essay): min_words cannot be expressed in GIFT; dropped",
        "question 'idlib-essay' (essay): the model answer follows the explanation in the general "
        "feedback, which Moodle shows students after they answer",
    )
    assert exported.lossy == {"idlib-essay"}


def test_export_skips_ordering_and_blanks_and_says_why() -> None:
    exported = export_gift(
        bank("""
        - id: chronology
          type: ordering
          prompt: Put in order.
          explanation: First a, then b.
          items: [a, b]
        - id: client-blank
          type: blanks
          prompt: The [[leader]] regime.
          explanation: Assad.
          blanks:
            leader: [Assad]
    """)
    )
    assert exported.text == HEADER
    assert exported.skipped == (
        "question 'chronology' (ordering): GIFT has no ordering type; not exported",
        "question 'client-blank' (blanks): GIFT has no fill-in-the-blanks type with several "
        "named blanks; not exported",
    )
    assert exported.lossy == {"chronology", "client-blank"}


def test_export_escapes_special_characters_and_awkward_line_breaks() -> None:
    prompt = "Line one: ~={}#\\\n\nSecond paragraph\n  indented\n// not a comment"
    question = Question(
        "esc",
        "truefalse",
        prompt,
        1.0,
        (),
        "medium",
        None,
        "Why: because {x} = 1 # ~",
        {"answer": True},
    )
    exported = export_gift(Bank("demo", "Demo bank", "", None, (question,)))
    assert body(exported.text) == (
        "// difficulty: medium; points: 1\n"
        "::esc::[markdown]Line one\\: \\~\\=\\{\\}\\#\\\\\\n\n"
        "Second paragraph\\n  indented\\n// not a comment {\n"
        "\tTRUE\n"
        "\t####Why\\: because \\{x\\} \\= 1 \\# \\~\n"
        "}\n"
    )
    back = questions(import_gift(exported.text, "demo", "Demo bank", READINGS))["esc"]
    assert (back.prompt, back.explanation) == (prompt, question.explanation)


def test_export_guards_texts_that_look_like_weights_or_format_markers() -> None:
    original = bank("""
        - id: guarded
          type: single
          prompt: Which?
          explanation: "[plain] The first."
          choices:
            A: "[html] is a format marker"
            B: "%50% of voters"
          answer: A
        - id: short-guarded
          type: short
          prompt: What share?
          explanation: Half.
          answers: ["%50%"]
    """)
    exported = export_gift(original)
    assert "\t=[markdown][html] is a format marker\n\t~%0%%50% of voters\n" in exported.text
    assert "\t####[markdown][plain] The first.\n" in exported.text
    assert "\t=%100%%50%\n" in exported.text
    back = questions(import_gift(exported.text, "demo", "Demo bank", READINGS))
    assert [back[q.id] for q in original.questions] == list(original.questions)


def test_export_reports_choice_keys_an_import_cannot_give_back() -> None:
    exported = export_gift(
        bank("""
        - id: keys
          type: single
          prompt: Which?
          explanation: Two.
          choices: {"1": one, "2": two}
          answer: "2"
    """)
    )
    assert exported.notes == (
        "question 'keys' (single): choice keys 1, 2 come back from an import as A, B",
    )
    assert exported.lossy == {"keys"}


def test_export_reports_arrows_that_gift_would_misread() -> None:
    exported = export_gift(
        bank("""
        - id: arrow-short
          type: short
          prompt: Which?
          explanation: a->b.
          answers: [a->b]
        - id: arrow-left
          type: matching
          prompt: Match.
          explanation: As given.
          pairs: {"x -> y": one, z: two}
    """)
    )
    assert exported.lossy == {"arrow-short", "arrow-left"}
    assert any("'a->b' contains '->'" in n for n in exported.notes)
    assert any("'x -> y' contains '->'" in n for n in exported.notes)


# ---- import: Moodle-style samples -----------------------------------------------------------


MOODLE_SAMPLE = """
    // A hand-written sample in the style of Moodle's GIFT documentation.
    $CATEGORY: $course$/top/Grant

    // question: 1  name: Capital
    ::Grant's tomb::Who's buried in Grant's tomb?{
        ~Grant#Not quite.
        =no one#Right: he is entombed.
        ~Jefferson
        ####Grant lies in a mausoleum above ground.
    }

    ::Grant T/F:: Grant is buried in
    Grant's tomb.{FALSE#He is entombed, not buried.#Right.####Entombed, not buried.}

    ::Tomb short::Who's buried in Grant's tomb?{=no one =nobody####Nobody is buried there.}

    ::Grant born::When was Ulysses S. Grant born?{#1822:5####1822.}

    ::Range::What is a number from 1 to 5?{#1..5####Any of them.}

    ::Capitals::Match the following countries with their corresponding capitals.{
    =Canada -> Ottawa
    =Italy -> Rome
    =Japan -> Tokyo
    ####Ottawa, Rome, Tokyo.
    }

    ::Missing word::Grant is {~buried =entombed ~living####Entombed.} in Grant's tomb.

    ::Essay::Describe Grant's tomb.{####A granite mausoleum.}

    ::Intro::The next questions are about Grant.
"""


def test_import_moodle_sample_gives_every_type() -> None:
    imported = gift(MOODLE_SAMPLE)
    got = questions(imported)
    assert list(got) == [
        "grant-s-tomb",
        "grant-t-f",
        "tomb-short",
        "grant-born",
        "range",
        "capitals",
        "missing-word",
        "essay",
    ]
    tomb = got["grant-s-tomb"]
    assert (tomb.type, tomb.prompt, tomb.explanation) == (
        "single",
        "Who's buried in Grant's tomb?",
        "Grant lies in a mausoleum above ground.",
    )
    assert plain(tomb) == {
        "choices": {"A": "Grant", "B": "no one", "C": "Jefferson"},
        "answer": "B",
        "feedback": {"A": "Not quite.", "B": "Right: he is entombed."},
    }
    assert (tomb.points, tomb.tags, tomb.difficulty, tomb.source) == (1.0, (), "medium", None)
    truefalse = got["grant-t-f"]
    # Moodle's auto-format shows the line break: a hard break in Markdown.
    assert truefalse.prompt == "Grant is buried in  \nGrant's tomb."
    assert plain(truefalse) == {
        "answer": False,
        "feedback": {False: "Right.", True: "He is entombed, not buried."},
    }
    assert plain(got["tomb-short"]) == {"answers": ["no one", "nobody"]}
    assert plain(got["grant-born"]) == {"answer": 1822, "tolerance": 5}
    assert plain(got["range"]) == {"min": 1, "max": 5}
    assert plain(got["capitals"]) == {
        "pairs": {"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo"}
    }
    missing = got["missing-word"]
    assert (missing.type, missing.prompt) == ("single", "Grant is _____ in Grant's tomb.")
    assert plain(missing)["answer"] == "B"
    essay = got["essay"]
    assert plain(essay) == {"model_answer": "A granite mausoleum."}
    assert essay.explanation == "A granite mausoleum."
    assert imported.notes == (
        "line 2: category '$course$/top/Grant' ignored: studyapp has no categories, so every "
        "question goes into bank 'demo'",
        "question 8 'Essay' (line 30): the general feedback is used as both the explanation "
        "and the model answer",
        "question 9 'Intro' (line 32): a description (text without an answer block) has no "
        "studyapp equivalent; skipped",
    )


def test_import_writes_the_bank_yaml_that_the_loader_checked() -> None:
    imported = gift("::Q::Is it?{T####Yes.}")
    assert imported.bank_yaml is not None
    assert imported.bank_yaml.startswith("id: demo\ntitle: Demo bank\nquestions:\n  - id: q\n")
    assert load_bank_text(imported.bank_yaml, "again", READINGS).bank == imported.result.bank
    assert imported.result.path == "<gift import>"


def test_import_reads_escapes_and_newline_escapes() -> None:
    got = questions(
        gift(r"""
        ::Escapes::Is 1 \= 1 \{always\}\: \#1\~ a\\b?\nSecond line \% kept{T####Yes\: always.}
    """)
    )
    question = got["escapes"]
    # Moodle shows the text as written, so Markdown's own characters are escaped.
    assert question.prompt == "Is 1 = 1 {always}: \\#1\\~ a\\\\b?  \nSecond line \\\\% kept"
    assert question.explanation == "Yes: always."


def test_import_format_markers_are_removed_and_html_is_noted() -> None:
    imported = gift("""
        ::Plain::[plain]Plain text?{T####[markdown]Yes.}

        ::Html::[html]<p>Is <b>this</b> HTML?</p>{T####Yes.}
    """)
    got = questions(imported)
    assert got["plain"].prompt == "Plain text?"
    assert got["plain"].explanation == "Yes."
    assert got["html"].prompt == "Is **this** HTML?"
    assert imported.notes == (
        "question 2 'Html' (line 3): the text is marked [html]: it was converted to Markdown "
        "(paragraphs, bold, lists and links kept; tags are never shown)",
    )


def test_import_weights_that_follow_our_rule_make_a_multiple_question_quietly() -> None:
    imported = gift("""
        ::Pick two::Which are even?{
        ~%50%Two
        ~%50%Four
        ~%-100%Three#Odd.
        ####Two and four.
        }
    """)
    question = questions(imported)["pick-two"]
    assert question.type == "multiple"
    assert plain(question) == {
        "choices": {"A": "Two", "B": "Four", "C": "Three"},
        "answer": ["A", "B"],
        "feedback": {"C": "Odd."},
    }
    assert imported.notes == ()


def test_import_weights_that_differ_from_our_rule_are_noted() -> None:
    imported = gift("::W::Pick one.{~%100%Right ~%0%Wrong ~%-50%Worse####Right.}")
    assert plain(questions(imported)["w"])["answer"] == ["A"]
    assert imported.notes == (
        "question 1 'W' (line 1): weights differ from studyapp's rule (right picks share "
        "+100%, wrong picks share -100%): B 0% (rule: -50%); studyapp grades by its rule",
    )


def test_import_single_choice_partial_credit_and_penalties_are_noted() -> None:
    imported = gift("""
        ::Hometown::Jesus Christ was from {
           ~Jerusalem#An important city, but wrong.
           ~%25%Bethlehem#Born here, not raised here.
           ~%50%Galilee#Be more specific.
           ~%-10%Rome
           ~%100%Nazara
           =Nazareth#Yes!
           ####Nazareth.
        }
    """)
    question = questions(imported)["hometown"]
    assert question.type == "single"
    assert plain(question)["answer"] == "F"
    assert plain(question)["feedback"]["C"] == "Be more specific."
    where = "question 1 'Hometown' (line 1)"
    assert imported.notes == (
        f"{where}: partial credit 25% for choice B dropped",
        f"{where}: partial credit 50% for choice C dropped",
        f"{where}: penalty -10% for choice D dropped (a wrong pick scores 0)",
        f"{where}: choice E also gives full marks in GIFT; imported as a wrong choice",
    )


def test_import_short_answer_weights_and_feedback_are_noted() -> None:
    imported = gift("::S::Two plus two?{=four#Good. =%100%4 =%50%for####Four.}")
    assert plain(questions(imported)["s"]) == {"answers": ["four", "4"]}
    assert imported.notes == (
        "question 1 'S' (line 1): feedback for answer 'four' dropped (short answers have no "
        "per-answer feedback)",
        "question 1 'S' (line 1): answer 'for' (50%) dropped: short answers are right or wrong, "
        "without partial credit",
    )


def test_import_numeric_forms() -> None:
    imported = gift("""
        ::Exact::Pi to two places?{#3.14####3.14.}

        ::Tol::Pi?{#3.14159:0.0005####Pi.}

        ::Odd range::A number from 1 to 2?{#1..2####Any.}

        ::Grant::When was Ulysses S. Grant born? {#
                 =1822:0      # Correct! Full credit.
                 =%50%1822:2  # Half credit for being close.
                 ~#Wrong.
                 ####1822.
        }

        ::Sci::Avogadro?{#6.022e23:1e21####6.022e23.}
    """)
    got = questions(imported)
    assert plain(got["exact"]) == {"answer": 3.14}
    assert plain(got["tol"]) == {"answer": 3.14159, "tolerance": 0.0005}
    assert plain(got["odd-range"]) == {"min": 1, "max": 2}
    assert plain(got["grant"]) == {"answer": 1822, "tolerance": 0}
    assert plain(got["sci"]) == {"answer": 6.022e23, "tolerance": 1e21}
    where = "question 4 'Grant' (line 7)"
    assert imported.notes == (
        f"{where}: feedback for wrong answers ('~') dropped",
        f"{where}: feedback for numeric answer '1822:0' dropped",
        f"{where}: numeric answer '1822:2' (50%) dropped: studyapp keeps one answer",
        f"{where}: feedback for numeric answer '1822:2' dropped",
    )


def test_import_missing_word_for_other_types_too() -> None:
    got = questions(
        gift("""
        ::Cat::The {=cat =kitten####Cat.} sat on the mat.

        ::Year::The war ended in {#1945} in Europe.
    """)
    )
    assert (got["cat"].type, got["cat"].prompt) == ("short", "The _____ sat on the mat.")
    assert plain(got["cat"]) == {"answers": ["cat", "kitten"]}
    assert got["year"].prompt == "The war ended in _____ in Europe."
    assert plain(got["year"]) == {"answer": 1945}


def test_import_essay_without_feedback_gets_placeholders_and_notes() -> None:
    imported = gift("::E::Discuss.{}")
    question = questions(imported)["e"]
    assert (question.explanation, plain(question)) == (
        NO_EXPLANATION,
        {"model_answer": NO_MODEL_ANSWER},
    )
    assert imported.notes == (
        f"question 1 'E' (line 1): no general feedback (####): the explanation is "
        f"'{NO_EXPLANATION}' and the model answer '{NO_MODEL_ANSWER}'",
    )


def test_import_missing_explanation_gets_a_placeholder_and_a_valid_bank() -> None:
    imported = gift("Is Ankara the capital?{TRUE}")
    assert questions(imported)["q1"].explanation == NO_EXPLANATION
    assert imported.notes == (
        f"question 1 (line 1): no general feedback (####): the explanation is '{NO_EXPLANATION}'",
    )


def test_import_matching_distractors_and_repeated_left_items() -> None:
    imported = gift("""
        ::M::Match.{
        =Russia -> Restrain Damascus
        =Turkey -> Clear radicals
        =Turkey -> Something else
        = -> Build a safe haven
        ####As agreed.
        }
    """)
    assert plain(questions(imported)["m"]) == {
        "pairs": {"Russia": "Restrain Damascus", "Turkey": "Clear radicals"},
        "distractors": ["Build a safe haven"],
    }
    assert imported.notes == (
        "question 1 'M' (line 1): left item 'Turkey' appears twice; its second pair was dropped",
    )


def test_import_titles_become_unique_ids_and_untitled_questions_are_numbered() -> None:
    imported = gift("""
        ::Same::One?{T####Yes.}

        ::Same::Two?{T####Yes.}

        Three?{T####Yes.}

        ::Çapital İdlib!::Four?{T####Yes.}
    """)
    assert list(questions(imported)) == ["same", "same-2", "q3", "capital-idlib"]
    assert imported.notes == (
        "question 2 'Same' (line 3): id 'same' is already used; renamed 'same-2'",
    )


def test_import_reads_our_metadata_comment_and_moodle_tags() -> None:
    imported = gift("""
        // source: aras ¶6-7; tags: f35, Figures; difficulty: hard; points: 2.5
        // [tag:Moodle Tag] [id:ABC-1]
        ::Meta::Is it?{T####Yes.}
    """)
    question = questions(imported)["meta"]
    assert question.source == Source("aras", (6, 7))
    assert question.tags == ("f35", "figures", "moodle-tag")
    assert (question.difficulty, question.points) == ("hard", 2.5)
    assert imported.notes == ("question 1 'Meta' (line 3): Moodle ID number 'ABC-1' dropped",)


def test_import_notes_bad_metadata_and_keeps_the_question() -> None:
    imported = gift("""
        // source: nowhere ¶2; tags: ok, !!; difficulty: extreme; points: -1; colour: red
        ::Meta::Is it?{T####Yes.}

        // source: aras ¶60; unit: km
        ::Far::Is it?{T####Yes.}
    """)
    got = questions(imported)
    assert (got["meta"].source, got["meta"].tags, got["meta"].difficulty, got["meta"].points) == (
        None,
        ("ok",),
        "medium",
        1.0,
    )
    where, far = "question 1 'Meta' (line 2)", "question 2 'Far' (line 5)"
    assert imported.notes == (
        f"{where}: unknown metadata 'colour' in the comment ignored",
        f"{where}: tag '!!' dropped: it has no letters or digits",
        f"{where}: source 'nowhere ¶2' names unknown reading 'nowhere'; source dropped",
        f"{where}: difficulty 'extreme' is not one of easy, medium, hard; 'medium' used",
        f"{where}: points '-1' is not a number greater than 0; 1 used",
        f"{far}: source 'aras ¶60' names a paragraph outside aras ¶1-¶10; source dropped",
        f"{far}: unit 'km' ignored: only numeric questions have a unit",
    )


def test_import_moodle_export_style() -> None:
    # What Moodle's own GIFT export writes: id comments, explicit weights, [moodle] markers.
    got = questions(
        gift("""
        // question: 12  name: Capital
        ::Capital::[moodle]Capital of Turkey?{
        \t=%100%Ankara#
        \t=%100%ankara city#
        \t####[moodle]Ankara.
        }

        // question: 13  name: Grant
        ::Grant::[moodle]Born?{#
        \t=%100%1822:0#
        }
    """)
    )
    assert plain(got["capital"]) == {"answers": ["Ankara", "ankara city"]}
    assert got["capital"].explanation == "Ankara."
    assert plain(got["grant"]) == {"answer": 1822, "tolerance": 0}


# ---- import: malformed input and rule violations --------------------------------------------


def test_import_reports_malformed_questions_with_their_line_and_keeps_the_rest() -> None:
    imported = gift("""
        ::Good::Is one plus one two?{T####Yes.}

        ::Unclosed::What is
        this {=a ~b

        ::Reversed::What } is {=a ~b}

        ::No arrow::Match {=a -> b =c}

        ::NaN::How many? {#many}

        ::Two blocks::A {=a ~b} and
        B {=c ~d}

        ::Nobody right::Pick {~a ~b}

        ::One choice::Pick {~=a}

        ::Empty::{T}
    """)
    assert list(questions(imported)) == ["good"]
    assert imported.notes == (
        "question 2 'Unclosed' (line 4): '{' is never closed (a blank line ends a question); "
        "skipped",
        "question 3 'Reversed' (line 6): '}' comes before any '{'; skipped",
        "question 4 'No arrow' (line 8): matching answer 'c' has no '->'; skipped",
        "question 5 'NaN' (line 10): numeric answer 'many' is not a number, 'number:tolerance' "
        "or 'min..max'; skipped",
        "question 6 'Two blocks' (line 13): more than one answer block; studyapp reads one per "
        "question; skipped",
        "question 7 'Nobody right' (line 15): no answer has a positive weight, so no choice is "
        "right; skipped",
        "question 8 'One choice' (line 17): a multiple-choice block needs at least 2 answers; "
        "skipped",
        "question 9 'Empty' (line 19): the question has no text; skipped",
    )


def test_import_skips_a_question_our_rules_reject_with_the_loader_message() -> None:
    imported = gift("""
        ::Twice::Which?{=Yes ~yes!####Either.}

        ::Fine::Is it?{T####Yes.}
    """)
    assert list(questions(imported)) == ["fine"]
    assert imported.notes == (
        "question 1 'Twice' (line 1): choice B has the same text as choice A; skipped",
    )


def test_import_with_no_question_returns_no_yaml_and_an_error() -> None:
    imported = gift("// only a comment\n\n$CATEGORY: x\n\n::Intro::Just text.\n")
    assert imported.bank_yaml is None
    assert not imported.result.ok
    assert [e.message for e in imported.result.errors] == [
        "the GIFT text has no question that can be imported"
    ]
    assert len(imported.notes) == 2


def test_import_passes_bank_level_problems_to_the_loader_result() -> None:
    imported = import_gift("Is it?{T####Yes.}", "Not A Slug", "Demo", READINGS)
    assert imported.bank_yaml is not None
    assert [e.message for e in imported.result.errors] == [
        "id 'Not A Slug' is not valid: use lowercase letters, digits and single hyphens, "
        "e.g. 's400-costs'"
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_import_never_raises_on_arbitrary_text(text: str) -> None:
    imported = import_gift(text, "demo", "Demo", READINGS)
    assert (imported.bank_yaml is None) == (
        imported.result.bank is None and imported.result.question_count == 0
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="{}=~#:%->.\\\n /TFabn019[]$:CATEGORY", max_size=80))
def test_import_never_raises_on_gift_like_text(text: str) -> None:
    imported = import_gift(text, "demo", "Demo", READINGS)
    if imported.bank_yaml is not None:
        assert load_bank_text(imported.bank_yaml, "x", READINGS).ok == imported.result.ok


# ---- round trips ----------------------------------------------------------------------------


# Texts as a bank holds them: stripped, any printable characters, GIFT's specials and breaks.
TEXTS = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co"))
        | st.sampled_from("\n\t \\~=#{}:%->[]/"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, TEXTS, TEXTS, TEXTS, TEXTS)
def test_round_trip_keeps_any_text(
    prompt: str, explanation: str, right: str, wrong: str, feedback: str
) -> None:
    if len({normalize_answer(right), normalize_answer(wrong), ""}) < 3:
        return  # the loader rejects equal or empty choices; that is not GIFT's business
    spec = {"choices": {"A": wrong, "B": right}, "answer": "B", "feedback": {"A": feedback}}
    question = Question("q", "single", prompt, 1.0, (), "medium", None, explanation, freeze(spec))
    exported = export_gift(Bank("demo", "Demo bank", "", None, (question,)))
    assert questions(import_gift(exported.text, "demo", "Demo bank", READINGS))["q"] == question


EVERY_TYPE = """
- id: single-one
  type: single
  prompt: |
    Which city is the capital? Special characters: ~ = # { } : \\ and 50%.

    A second paragraph, then a line
      indented by two spaces.
  points: 0.5
  tags: [geo, capitals]
  difficulty: easy
  source: aras ¶2, ¶6-7
  explanation: |
    Ankara: since 1923.
    // This line starts like a GIFT comment.
  choices:
    A: Ankara {the capital}
    B: "[html] Istanbul"
    C: "%25% Izmir"
  answer: A
  feedback:
    A: "Right = correct #1."
    C: Izmir is on the coast.
- id: multiple-one
  type: multiple
  prompt: Which are dollar figures?
  points: 2
  source: aras
  explanation: The first two.
  choices: {A: $1.5 billion, B: $12 billion, C: 6 billion euros}
  answer: [A, B]
  feedback:
    C: "That is euros: EU aid."
- id: truefalse-one
  type: truefalse
  prompt: "True or false: the S-400 is Russian."
  explanation: True.
  answer: true
  feedback:
    true: "Yes: Russian."
    false: "No #1."
- id: short-one
  type: short
  prompt: Which process?
  explanation: Astana.
  answers: [Astana, "the Astana process", "a=b"]
- id: short-pattern
  type: short
  prompt: Which process, again?
  explanation: Astana.
  answers: [Astana]
  pattern: "(the )?astana"
- id: numeric-one
  type: numeric
  prompt: How much, in US dollars?
  explanation: $12 billion.
  answer: 1.2e10
  tolerance: 0
  unit: "US dollars; nominal: (2019)"
- id: numeric-two
  type: numeric
  prompt: What fraction?
  explanation: A quarter.
  answer: -0.25
- id: ordering-one
  type: ordering
  prompt: Put in order.
  explanation: a then b.
  items: [a, b]
- id: matching-one
  type: matching
  prompt: Match.
  explanation: As agreed.
  pairs:
    Russia: "Restrain Damascus -> soon"
    "Turkey: Ankara": Clear radicals
  distractors: [Build a safe haven]
- id: matching-two
  type: matching
  prompt: Match again.
  explanation: As agreed.
  pairs: {a: b, c: d}
- id: blanks-one
  type: blanks
  prompt: The [[leader]] regime.
  explanation: Assad.
  blanks:
    leader: [Assad]
- id: essay-one
  type: essay
  prompt: Discuss.
  points: 2
  explanation: A full answer names both sides.
  model_answer: |
    Russia and Turkey.

    Both failed.
- id: essay-rubric
  type: essay
  prompt: Discuss again.
  points: 2
  explanation: See the rubric.
  model_answer: Russia and Turkey.
  rubric:
    - criterion: Names both
      points: 2
"""


def test_round_trip_of_every_type_keeps_all_that_export_did_not_report() -> None:
    original = bank(EVERY_TYPE)
    exported = export_gift(original)
    assert exported.lossy == {"short-pattern", "ordering-one", "blanks-one", "essay-rubric"}
    imported = import_gift(exported.text, "demo", "Demo bank", READINGS)
    back = questions(imported)
    for question in original.questions:
        if question.id not in exported.lossy:
            assert back[question.id] == question, question.id
    assert plain(back["short-pattern"]) == {"answers": ["Astana"]}
    assert plain(back["essay-rubric"]) == {"model_answer": "Russia and Turkey."}
    assert "ordering-one" not in back and "blanks-one" not in back
    assert [n for n in imported.notes if "category" not in n] == []


@pytest.mark.parametrize("path", bank_files(QUESTIONS), ids=lambda p: p.name)
def test_round_trip_of_real_banks(path: Path) -> None:
    readings, issues = load_readings(QUESTIONS / "readings.yaml")
    assert issues == []
    original = load_bank(path, readings).bank
    assert original is not None
    exported = export_gift(original)
    imported = import_gift(exported.text, original.id, original.title, readings)
    assert imported.result.ok, [str(e) for e in imported.result.errors]
    assert imported.result.bank is not None
    back = {q.id: q for q in imported.result.bank.questions}
    kept = [q for q in original.questions if q.id not in exported.lossy]
    assert kept, "every question was lossy"
    for question in kept:
        assert back[question.id] == question, question.id
    skipped = {q.id for q in original.questions if q.type in ("ordering", "blanks")}
    assert set(back) == {q.id for q in original.questions} - skipped
    # Every question that does not come back as it was is named in the export's report.
    report = exported.skipped + exported.notes
    for qid in exported.lossy:
        assert any(f"question '{qid}'" in line for line in report), qid


def test_export_announces_points_gift_cannot_carry_in_the_header() -> None:
    exported = export_gift(
        bank("""
        - id: heavy
          type: truefalse
          prompt: Is it heavy?
          points: 2.5
          explanation: Yes.
          answer: true
        - id: light
          type: truefalse
          prompt: Is it light?
          explanation: No.
          answer: false
    """)
    )
    assert exported.text.splitlines()[2] == (
        "// points: GIFT cannot carry points, so in Moodle these 1 question(s) are worth "
        "1 point (set their mark in Moodle, or use Moodle XML): heavy (2.5 points)"
    )


def test_export_keeps_a_zero_line_and_a_literal_star_from_being_read_as_syntax() -> None:
    exported = export_gift(
        bank("""
        - id: zero
          type: short
          prompt: "How many?\\n0\\nor more"
          explanation: "Count:\\n0"
          answers: ["5*", "five"]
    """)
    )
    text = body(exported.text)
    assert "\n0\n" not in text  # no line of just 0, which Moodle takes for a blank line
    assert "How many?\\n0\nor more" in text
    assert "\t=5\\*\n" in text
    again = questions(import_gift(exported.text, "demo", "Demo", READINGS))["zero"]
    assert again.prompt == "How many?\n0\nor more"
    assert plain(again) == {"answers": ["5*", "five"]}
    assert again.explanation == "Count:\n0"


def test_export_announces_shuffle_false_which_gift_cannot_carry() -> None:
    original = load_bank_text(SHUFFLE, "order.yaml", READINGS).bank
    exported = export_gift(original)
    assert exported.lossy == {"both", "several"}
    for qid in ("both", "several"):
        assert any(
            f"'{qid}'" in n and "shuffle: false cannot be expressed" in n for n in exported.notes
        )
    back = questions(import_gift(exported.text, "order", "Order", READINGS))
    assert "shuffle" not in back["both"].spec and back["both"].spec["answer"] == "C"
