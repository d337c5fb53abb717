"""Reading numeric answers typed by students."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.banks.numbers import format_number, number_problem, parse_number, to_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5 billion", "1500000000"),
        ("$1,500,000,000", "1500000000"),
        ("1.5bn", "1500000000"),
        ("1.5 bn", "1500000000"),
        ("1.5B", "1500000000"),
        ("1.5 BLN", "1500000000"),
        ("12 billion dollars", "12000000000"),
        ("12 billion US dollars", "12000000000"),
        ("US$12bn", "12000000000"),
        ("USD 12 billion", "12000000000"),
        ("3.6 million", "3600000"),
        ("3.6m", "3600000"),
        ("3.6 mn", "3600000"),
        ("6 billion euros", "6000000000"),
        ("€6bn", "6000000000"),
        ("6bn €", "6000000000"),
        ("£2k", "2000"),
        ("2 thousand", "2000"),
        ("1.2 trillion", "1200000000000"),
        ("1.2tn", "1200000000000"),
        ("₺5 billion", "5000000000"),
        ("5 billion lira", "5000000000"),
        ("50%", "50"),
        ("50 %", "50"),
        ("50 percent", "50"),
        ("12.5 per cent", "12.5"),
        ("1e9", "1000000000"),
        ("1.5E-3", "0.0015"),
        ("1 500 000", "1500000"),
        ("1\u2009500\u2009000", "1500000"),  # thin spaces
        ("1\u00a0500\u00a0000", "1500000"),  # no-break spaces
        ("1\u202f500", "1500"),  # narrow no-break space
        ("-3", "-3"),
        ("\u22123", "-3"),  # minus sign
        ("-$3", "-3"),
        ("$-3", "-3"),
        ("+4", "4"),
        ("0.5", "0.5"),
        (".5", "0.5"),
        ("1,500", "1500"),
        ("1,500.25", "1500.25"),
        ("about 1.5 billion", "1500000000"),
        ("~1.5bn", "1500000000"),
        ("approx. 3.6m", "3600000"),
        ("1.5 billion.", "1500000000"),
        ("  12  ", "12"),
        ("１２", "12"),  # full-width digits
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "2,5",  # 2.5 or 25? not guessed
        "1,50",
        "1,5000",
        "12 3",
        "1.5 billions",
        "1.5 bn bn",
        "five",
        "",
        "1.5.3",
        "$",
        "1.5 billion%",
        "$50%",
        "--3",
        "-$-3",
        "1e1000",  # exponents have at most 3 digits
        "x" * 101,
        "1.5 kilo",
        "3 m dollars 5",
        "nan",
        "inf",
    ],
)
def test_parse_number_rejects(text):
    assert parse_number(text) is None


@given(st.text(max_size=60))
def test_parse_never_raises(text):
    result = parse_number(text)
    assert result is None or isinstance(result, Decimal)


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**18), 10**18))
def test_written_numbers_read_back(value):
    assert parse_number(repr(value)) == to_decimal(value)


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**18), 10**18))
def test_displayed_numbers_read_back(value):
    assert parse_number(format_number(value)) == to_decimal(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1.5e9, "1,500,000,000"),
        (12000000000, "12,000,000,000"),
        (3.6, "3.6"),
        (-0.25, "-0.25"),
        (0, "0"),
        (1e-7, "0.0000001"),
        (1e75, "1e+75"),
        (1.25e-300, "1.25e-300"),
    ],
)
def test_format_number(value, shown):
    assert format_number(value) == shown


def test_to_decimal_keeps_the_written_value():
    assert to_decimal(1.1) == Decimal("1.1")
    assert to_decimal(3) == Decimal(3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("276 military policemen", "276"),
        ("276 Turkish-speaking police", "276"),
        ("3.6 million people", "3600000"),
        ("3.6m people", "3600000"),
        ("in 2018", "2018"),
        ("in the year 2018", "2018"),
        ("since 1980.", "1980"),
        ("$1.5 billion dollars", "1500000000"),
        ("12 billion US dollars", "12000000000"),
        ("about 276 policemen", "276"),
        ("nearly 3.6 million Syrians", "3600000"),
    ],
)
def test_words_around_the_number_are_read_past(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "276 or 300",
        "between 3 and 4 million",
        "3.6 milion people",  # a misspelt scale is not dropped: it would change the number
        "1.5 billions of dollars",
        "2 hundred people",
        "12 five",
        "people 276",
    ],
)
def test_words_that_would_change_the_number_are_refused(text):
    assert parse_number(text) is None


def test_two_numbers_get_a_message_saying_so():
    assert number_problem("276 or 300") == (
        "'276 or 300' holds more than one number (276, 300); write only the one you mean."
    )
    assert number_problem("lots") == "Could not read 'lots' as a number."


def test_the_numeric_grader_takes_an_answer_with_its_unit():
    from studyapp.banks.schema import Question
    from studyapp.banks.types import grade

    question = Question(
        "policemen", "numeric", "How many?", 1.0, (), "easy", None, "e", {"answer": 276}
    )
    assert grade(question, "276 military policemen").correct is True
    refused = grade(question, "276 or 300")
    assert refused.correct is False and "more than one number" in refused.feedback[0]
