"""CSV presets read back with the csv module (and pandas when installed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from studyapp.gradebook import csvformats as cf
from studyapp.gradebook import csvquiz, csvwriter
from studyapp.gradebook.csvformats import AttemptRow, QuizColumn, StudentRow
from studyapp.gradebook.csvquiz import AnalysisRow, ResponseRow
from studyapp.gradebook.csvwriter import Dialect
from studyapp.gradebook.stats import question_stats

TRICKY = 'Öztürk, Ayşe "Ayo"\nsecond line'
FORMULA = "=cmd|' /C calc'!A0"

QUIZZES = [QuizColumn(1, "Quiz 1", 10), QuizColumn(2, 'Midterm, part "A"', 20)]
STUDENTS = [
    StudentRow("s1", TRICKY, "ayse@example.edu", {1: 7.5, 2: None}, 7.5, 30, 25.0),
    StudentRow(None, "Иван", "ivan@example.edu", {1: -1.5, 2: 20}, 18.5, 30, 61.6667),
    StudentRow(FORMULA, "+SUM(1)", "@x", {1: 10, 2: 12.345}, 22.345, 30, 74.48333),
    StudentRow("s4", "-2+3", "tab@example.edu", {}, None, 30, None),
    StudentRow("s5", "\tTab", "t5@example.edu", {1: 8.5, 2: 17}, 25.5, 30, 85.25),
]


def text_of(table: csvwriter.Table) -> str:
    return "".join(table.lines())


def read(table: csvwriter.Table) -> list[list[str]]:
    """Parse a table's output the way a spreadsheet importer would."""
    text = text_of(table).removeprefix(csvwriter.BOM)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=table.dialect.delimiter))


# --- numbers, times and cells ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimal", "expected"),
    [
        (7.5, ".", "7.5"),
        (7.5, ",", "7,5"),
        (7.0, ".", "7"),
        (10, ".", "10"),
        (7.456, ".", "7.46"),
        (2.675, ".", "2.68"),  # half up, although the float is 2.67499999...
        (-1.5, ",", "-1,5"),
        (-0.001, ".", "0"),
        (1e6, ".", "1000000"),
        (0.1 + 0.2, ".", "0.3"),
        (None, ".", ""),
    ],
)
def test_format_number(value, decimal, expected):
    assert csvwriter.format_number(value, decimal) == expected


def test_format_number_places_and_bad_values():
    assert csvwriter.format_number(85.25, places=1) == "85.3"
    with pytest.raises(ValueError):
        csvwriter.format_number(float("nan"))
    with pytest.raises(ValueError):
        csvwriter.format_number(float("inf"))


def test_format_timestamp_is_utc_iso8601():
    cest = timezone(timedelta(hours=2))
    assert (
        csvwriter.format_timestamp(datetime(2024, 5, 1, 11, 30, 5, 123, cest))
        == "2024-05-01T09:30:05Z"
    )
    assert csvwriter.format_timestamp(datetime(2024, 5, 1, 9, 30)) == "2024-05-01T09:30:00Z"
    assert csvwriter.format_timestamp(None) == ""


def test_cells():
    assert csvwriter.cell(True) == "yes" and csvwriter.cell(False) == "no"
    assert csvwriter.cell(None) == ""
    assert csvwriter.cell(-1.5) == "-1.5"
    assert csvwriter.cell(-1.5, csvwriter.EXCEL_EU) == "-1,5"  # a number, so no formula quote
    assert csvwriter.cell("-1.5") == "-1.5"  # numeric text is data too
    assert csvwriter.cell("-2+3") == "'-2+3"


def test_dialect_rejects_a_delimiter_equal_to_the_decimal_separator():
    with pytest.raises(ValueError):
        Dialect(delimiter=",", decimal=",")


# --- iter_rows -------------------------------------------------------------------------


def test_iter_rows_round_trip_and_formula_neutralization():
    header = ["name", "=HEADER()"]
    rows = [
        [TRICKY, 1],
        ["Иван", -1.5],
        [FORMULA, "+SUM(1)"],
        ["-2+3", "@x"],
        ["\tTab", "\rCR"],
        ["-1.5", ""],
    ]
    text = "".join(csvwriter.iter_rows(header, rows))
    assert text.startswith("name,'=HEADER()\r\n")
    assert not text.startswith(csvwriter.BOM)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [
        ["name", "'=HEADER()"],
        [TRICKY, "1"],
        ["Иван", "-1.5"],
        ["'" + FORMULA, "'+SUM(1)"],
        ["'-2+3", "@x"],  # "@x" calls nothing: an identifier stays as written
        ["'\tTab", "'\rCR"],
        ["-1.5", ""],
    ]


def test_iter_rows_uses_crlf_and_quotes_as_rfc4180():
    lines = list(csvwriter.iter_rows(["a", "b"], [['say "hi"', "x,y"]]))
    assert lines == ["a,b\r\n", '"say ""hi""","x,y"\r\n']


def test_iter_rows_bom_only_when_asked():
    with_bom = list(csvwriter.iter_rows(["a"], [[1]], Dialect(bom=True)))
    assert with_bom[0] == csvwriter.BOM + "a\r\n"
    assert with_bom[1] == "1\r\n"  # only once, at the very start
    assert csvwriter.BOM not in "".join(csvwriter.iter_rows(["a"], [[1]]))


def test_iter_rows_semicolons_and_decimal_commas():
    text = "".join(csvwriter.iter_rows(["name", "score"], [["Doe; Jane", 7.5]], csvwriter.EXCEL_EU))
    assert text == csvwriter.BOM + "name;score\r\n" + '"Doe; Jane";7,5\r\n'


def test_iter_rows_streams_lazily():
    pulled = 0

    def rows() -> Iterator[tuple]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield (i, f"student {i}", i / 4)

    lines = csvwriter.iter_rows(("n", "name", "score"), rows())
    assert pulled == 0  # nothing read before the first line is asked for
    assert next(lines) == "n,name,score\r\n"
    assert pulled == 0  # the header does not need a row
    assert next(lines) == "0,student 0,0\r\n"
    assert pulled == 1
    count = 2
    for line in lines:
        count += 1
        assert pulled == count - 1  # one row pulled per line yielded, never ahead
        # Each chunk is one short line: the buffer is emptied every time, so memory stays
        # flat however many rows stream through.
        assert len(line) < 40
    assert count == 100_001


def test_presets_do_not_read_rows_before_streaming():
    pulled = []

    def students() -> Iterator[StudentRow]:
        for s in STUDENTS:
            pulled.append(s)
            yield s

    table = cf.standard(QUIZZES, students())
    assert pulled == []
    lines = table.lines()
    next(lines)
    assert pulled == []
    next(lines)
    assert len(pulled) == 1


# --- presets ---------------------------------------------------------------------------


def test_standard_preset():
    rows = read(cf.standard(QUIZZES, STUDENTS))
    assert rows[0][:3] == ["student_id", "name", "email"]
    assert rows[0][3:] == ["Quiz 1", 'Midterm, part "A"', "total", "percent", "awaiting_grading"]
    assert rows[1] == ["s1", TRICKY, "ayse@example.edu", "7.5", "", "7.5", "25", ""]
    assert rows[2] == ["", "Иван", "ivan@example.edu", "-1.5", "20", "18.5", "61.7", ""]
    assert rows[3] == ["'" + FORMULA, "'+SUM(1)", "@x", "10", "12.35", "22.35", "74.5", ""]
    assert rows[4] == ["s4", "'-2+3", "tab@example.edu", "", "", "", "", ""]
    assert rows[5][:2] == ["s5", "'\tTab"]
    assert len(rows) == 6


def test_standard_preset_keeps_column_names_distinct():
    quizzes = [QuizColumn(1, "Quiz", 5), QuizColumn(2, "Quiz", 5), QuizColumn(3, "total", 5)]
    header = cf.standard(quizzes, []).header
    assert header[3:6] == ("Quiz [1]", "Quiz [2]", "total [3]")
    assert len(set(header)) == len(header)


def test_excel_eu_preset():
    text = text_of(cf.excel_eu(QUIZZES, STUDENTS))
    assert text.startswith(csvwriter.BOM + "student_id;name;email;Quiz 1;")
    rows = list(
        csv.reader(io.StringIO(text.removeprefix(csvwriter.BOM), newline=""), delimiter=";")
    )
    assert rows[1] == ["s1", TRICKY, "ayse@example.edu", "7,5", "", "7,5", "25", ""]
    assert rows[2][3:] == ["-1,5", "20", "18,5", "61,7", ""]
    assert rows[3][0] == "'" + FORMULA


def test_long_preset():
    attempt = AttemptRow(
        "s1",
        TRICKY,
        "ayse@example.edu",
        "Quiz 1",
        2,
        "graded",
        datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
        datetime(2024, 5, 1, 9, 25, 30, tzinfo=UTC),
        7.5,
        10,
        True,
    )
    started = AttemptRow("s1", "Ann", "a@x", "Quiz 1", 3, "in_progress", None, None, None, 9, False)
    rows = read(cf.long([attempt, started]))
    assert rows[0] == list(cf.LONG_HEADER)
    assert rows[1] == [
        "s1",
        TRICKY,
        "ayse@example.edu",
        "Quiz 1",
        "2",
        "graded",
        "2024-05-01T09:00:00Z",
        "2024-05-01T09:25:30Z",
        "7.5",
        "10",
        "yes",
    ]
    assert rows[2][6:] == ["", "", "", "9", "no"]


def test_render_answer_for_every_kind():
    texts = {"t1": "first", "t2": "second", "l1": "Paris", "o1": "France"}
    assert csvquiz.render_answer("single", "B") == "B"
    assert csvquiz.render_answer("multiple", ["C", "A"]) == "A;C"
    assert csvquiz.render_answer("truefalse", True) == "true"
    assert csvquiz.render_answer("truefalse", False) == "false"
    assert csvquiz.render_answer("short", "photosynthesis") == "photosynthesis"
    assert csvquiz.render_answer("numeric", 3.5) == "3.5"
    assert csvquiz.render_answer("ordering", ["t2", "t1"], texts) == "second > first"
    assert csvquiz.render_answer("matching", {"l1": "o1", "lx": None}, texts) == "Paris=France; lx="
    assert csvquiz.render_answer("blanks", {"gas": "oxygen", "n": "2"}) == "gas=oxygen; n=2"
    assert csvquiz.render_answer("essay", None) == ""


def test_responses_preset():
    rows_in = [
        ResponseRow("s1", "Иван", "i@x", 1, 1, "q-mcq", 3, "multiple", ["C", "A"], 0.5, 1),
        ResponseRow("s1", "Иван", "i@x", 1, 2, "q-essay", 1, "essay", FORMULA, None, 5),
        ResponseRow(
            "s1",
            "Иван",
            "i@x",
            1,
            3,
            "q-order",
            2,
            "ordering",
            ["b", "a"],
            0,
            2,
            {"a": "Alpha", "b": "Beta, then"},
        ),
    ]
    rows = read(csvquiz.responses(rows_in))
    assert rows[0] == list(csvquiz.RESPONSES_HEADER)
    assert rows[1] == ["s1", "Иван", "i@x", "1", "1", "q-mcq", "3", "A;C", "0.5", "1"]
    assert rows[2][7:] == ["'" + FORMULA, "", "5"]  # a typed answer cannot run as a formula
    assert rows[3][7] == "Beta, then > Alpha"


def test_analysis_preset():
    # 5 students, right-or-wrong: facility .8, r = .686406 (see test_stats)
    stats = question_stats([1, 1, 1, 1, 0], 1, [4, 3, 2, 2, 0])
    hard = question_stats([0, 0, 0, 1, 1], 1, [4, 3, 3, 1, 1], min_flag_n=1)
    rows_in = [
        csvquiz.analysis_row(1, "q-one", "single", stats),
        csvquiz.analysis_row(2, "q-two", "short", hard, drawn=True),
        AnalysisRow(3, "q-three", "essay", 1, 0.5, None, None, None, None, None),
    ]
    rows = read(csvquiz.analysis(rows_in))
    assert rows[0] == list(csvquiz.ANALYSIS_HEADER)
    # facility .8 in [.38, .96]; discrimination .69 in [-.5, .98]; no flags
    assert rows[1][:4] == ["1", "q-one", "single", "5"]
    # Full precision: every figure reads back as the very float the report computed.
    fci, dci = stats.facility_ci, stats.discrimination_ci
    expected = [stats.facility, fci.low, fci.high, stats.discrimination, dci.low, dci.high]
    assert [float(v) for v in rows[1][4:10]] == expected
    assert rows[1][10] == ""
    assert float(rows[1][11]) == stats.sd
    assert float(rows[1][12]) == stats.discriminative_efficiency
    assert rows[1][13] == "no" and rows[2][13] == "yes"
    assert rows[1][7] == repr(stats.discrimination) and len(rows[1][7]) > 6
    assert rows[2][10].startswith("Negative discrimination (-0.98)")
    assert rows[3] == ["3", "q-three", "essay", "1", "0.5", *[""] * 6, "", "", "no"]


def test_registrar_preset():
    rows = read(cf.registrar(STUDENTS))
    assert rows[0] == ["ID", "Grade", "Status"]
    assert rows[1] == ["s1", "25", "final"]
    assert rows[2] == ["ivan@example.edu", "61.7", "final"]  # no student id: the email
    assert rows[3] == ["'" + FORMULA, "74.5", "final"]
    assert rows[4] == ["s4", "", "final"]
    assert rows[5] == ["s5", "85.3", "final"]  # half up, not to even


def test_canvas_preset():
    rows = read(cf.canvas(QUIZZES, STUDENTS[:2], section="Period 3"))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5:] == ["Quiz 1", 'Midterm, part "A"']
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "20"]
    assert rows[2] == [TRICKY, "", "s1", "ayse@example.edu", "Period 3", "7.5", ""]
    assert rows[3] == ["Иван", "", "", "ivan@example.edu", "Period 3", "-1.5", "20"]
    assert len(rows) == 4  # no total columns: Canvas would make them assignments


def test_canvas_preset_with_assignment_ids():
    table = cf.canvas(QUIZZES, [], assignment_ids={2: 98765})
    assert table.header[5:] == ("Quiz 1", 'Midterm, part "A" (98765)')


def test_presets_registry():
    assert set(cf.PRESETS) == {
        "standard",
        "long",
        "responses",
        "analysis",
        "registrar",
        "excel-eu",
        "canvas",
    }
    assert cf.PRESETS["excel-eu"](QUIZZES, STUDENTS).dialect == csvwriter.EXCEL_EU


# --- pandas ----------------------------------------------------------------------------


def test_standard_reads_in_pandas():
    pd = pytest.importorskip("pandas")
    text = text_of(cf.standard(QUIZZES, STUDENTS))
    df = pd.read_csv(io.StringIO(text, newline=""), dtype={"student_id": str})
    assert df["name"].tolist()[:2] == [TRICKY, "Иван"]
    assert df["Quiz 1"].tolist()[:3] == [7.5, -1.5, 10.0]
    assert pd.isna(df['Midterm, part "A"'][0])


def test_excel_eu_reads_in_pandas():
    pd = pytest.importorskip("pandas")
    raw = text_of(cf.excel_eu(QUIZZES, STUDENTS)).encode("utf-8")
    df = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(df.columns)[0] == "student_id"  # the BOM is not part of the name
    assert df["Quiz 1"].tolist()[:2] == [7.5, -1.5]
    assert df["percent"][1] == pytest.approx(61.7)  # percentages show one decimal


def test_canvas_reads_in_pandas():
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(text_of(cf.canvas(QUIZZES, STUDENTS)), newline=""))
    assert df["Student"][0] == "Points Possible"
    assert df["Quiz 1"].tolist()[:3] == [10, 7.5, -1.5]
