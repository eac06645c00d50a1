"""Dates of birth: declared formats, flags, and SQL (try_strptime) agreeing with Python."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.sql import Params
from fivesafes.standardise import sql as q
from fivesafes.standardise.dates import compile_dob_format, parse_dob

from .conftest import evaluate

AS_OF = date(2024, 6, 30)
DMY = "%d/%m/%Y"

CASES = [
    ("01/02/1990", DMY, date(1990, 2, 1), "ok"),
    ("1/2/1990", DMY, date(1990, 2, 1), "ok"),
    ("  01/02/1990 ", DMY, date(1990, 2, 1), "ok"),
    ("29/02/2000", DMY, date(2000, 2, 29), "ok"),
    ("01/01/1900", DMY, date(1900, 1, 1), "ok"),
    ("30/06/2024", DMY, date(2024, 6, 30), "ok"),
    ("31/02/1990", DMY, None, "impossible"),
    ("29/02/1900", DMY, None, "impossible"),
    ("29/02/2001", DMY, None, "impossible"),
    ("00/01/1990", DMY, None, "impossible"),
    ("32/01/1990", DMY, None, "impossible"),
    ("01/13/1990", DMY, None, "impossible"),
    ("01/00/1990", DMY, None, "impossible"),
    ("31/12/1899", DMY, None, "before_1900"),
    ("01/01/0000", DMY, None, "before_1900"),
    ("29/02/0000", DMY, None, "before_1900"),
    ("01/07/2024", DMY, None, "future"),
    ("01/01/9999", DMY, None, "future"),
    ("1990-02-01", DMY, None, "bad_format"),
    ("01/02/90", DMY, None, "bad_format"),
    ("01-02-1990", DMY, None, "bad_format"),
    ("001/02/1990", DMY, None, "bad_format"),
    ("01/02/19900", DMY, None, "bad_format"),
    ("01/02/1990 00:00", DMY, None, "bad_format"),
    ("01 /02/1990", DMY, None, "bad_format"),
    ("\t01/02/1990", DMY, None, "bad_format"),
    ("abc", DMY, None, "bad_format"),
    ("", DMY, None, "missing"),
    ("   ", DMY, None, "missing"),
    (None, DMY, None, "missing"),
    ("1990-02-01", "%Y-%m-%d", date(1990, 2, 1), "ok"),
    ("01021990", "%d%m%Y", date(1990, 2, 1), "ok"),
    ("1021990", "%d%m%Y", None, "bad_format"),
    ("01 Feb 1990", "%d %b %Y", date(1990, 2, 1), "ok"),
    ("1 FEB 1990", "%d %b %Y", date(1990, 2, 1), "ok"),
    ("01 Sept 1990", "%d %b %Y", None, "bad_format"),
    ("01 Fbb 1990", "%d %b %Y", None, "impossible"),
    ("01 february 1990", "%d %B %Y", date(1990, 2, 1), "ok"),
    ("01 Feb 1990", "%d %B %Y", None, "impossible"),
    ("01/02/1990 00:00:00", "%d/%m/%Y %H:%M:%S", date(1990, 2, 1), "ok"),
    ("01/02/1990 23:59:59", "%d/%m/%Y %H:%M:%S", date(1990, 2, 1), "ok"),
    ("01/02/1990 24:00:00", "%d/%m/%Y %H:%M:%S", None, "impossible"),
    ("01/02/1990 12:60:00", "%d/%m/%Y %H:%M:%S", None, "impossible"),
    ("01.02.1990", "%d.%m.%Y", date(1990, 2, 1), "ok"),
    ("01x02x1990", "%d.%m.%Y", None, "bad_format"),
    ("1990%02%01", "%Y%%%m%%%d", date(1990, 2, 1), "ok"),
    ("01'02'1990", "%d'%m'%Y", date(1990, 2, 1), "ok"),
]


@pytest.mark.parametrize(("raw", "fmt", "dob", "flag"), CASES)
def test_parse_dob(raw: str | None, fmt: str, dob: date | None, flag: str) -> None:
    assert parse_dob(raw, fmt, AS_OF) == (dob, flag)


@pytest.mark.parametrize(("raw", "fmt", "dob", "flag"), CASES)
def test_sql_agrees_on_table_cases(con, raw, fmt, dob, flag) -> None:
    params = Params()
    expressions = q.parse_dob_sql("x", compile_dob_format(fmt), AS_OF, params)
    assert evaluate(con, list(expressions), [raw], params) == [(dob, flag)]


FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d%m%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%Y %H:%M:%S"]


def _date_like() -> st.SearchStrategy[str]:
    number = st.integers(min_value=0, max_value=99).map(str) | st.integers(0, 99).map(
        "{:02d}".format
    )
    year = st.integers(min_value=0, max_value=9999).map("{:04d}".format) | st.just("1900")
    month_name = st.sampled_from(
        ["Jan", "feb", "MAR", "Sept", "May", "june", "JULY", "Augu", "December", "Dec", "xyz"]
    )
    sep = st.sampled_from(["/", "-", " ", "", ":", "  ", "."])
    part = st.one_of(number, year, month_name)
    return st.lists(st.tuples(part, sep), min_size=1, max_size=6).map(
        lambda pieces: "".join(p + s for p, s in pieces)
    )


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(FORMATS),
    st.lists(st.one_of(st.none(), _date_like(), st.text(max_size=12)), max_size=40),
)
def test_sql_agrees_with_python(con, fmt: str, values: list[str | None]) -> None:
    checked = compile_dob_format(fmt)
    params = Params()
    rows = evaluate(con, list(q.parse_dob_sql("x", checked, AS_OF, params)), values, params)
    assert rows == [parse_dob(value, checked, AS_OF) for value in values]


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("%d/%m/%y", "two-digit year"),
        ("%d/%m", "exactly one"),
        ("%d/%m/%Y/%Y", "more than once"),
        ("%d/%b/%m/%Y", "exactly one"),
        ("%j/%Y", "not supported"),
        ("%d/%m/%Y%", "lone %"),
        ("%d%Bx%Y", "followed by a letter"),
    ],
)
def test_bad_formats_are_refused(fmt: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_dob_format(fmt)


def test_shape_regex_widths() -> None:
    assert compile_dob_format("%d/%m/%Y").regex == "([0-9]{1,2})\\/([0-9]{1,2})\\/([0-9]{4})"
    assert compile_dob_format("%d%m%Y").regex == "([0-9]{2})([0-9]{2})([0-9]{4})"
