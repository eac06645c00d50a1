"""Name cleaning, splitting and swaps: table cases, and SQL agreeing with Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.standardise import sql as q
from fivesafes.standardise.names import (
    NameParts,
    all_name_tokens,
    clean_name,
    combine_name_parts,
    first_token,
    joined_name,
    name_tokens,
    names_swapped,
    split_full_name,
)

from .conftest import evaluate, optional_text

CLEAN_CASES = [
    ("John", "JOHN"),
    ("  john   paul  ", "JOHN PAUL"),
    ("Zoë", "ZOE"),
    ("ZOË", "ZOE"),
    ("Zoe\u0308", "ZOE"),  # decomposed diaeresis
    ("Søren Ærø", "SOREN AERO"),
    ("Weiß", "WEISS"),
    ("Łukasz", "LUKASZ"),
    ("O'Brien", "OBRIEN"),
    ("O’Brien", "OBRIEN"),
    ("O' Brien", "O BRIEN"),
    ("D`Arcy", "DARCY"),
    ("Smith-Jones", "SMITH-JONES"),
    ("Smith - Jones", "SMITH-JONES"),
    ("Smith–Jones", "SMITH-JONES"),  # en dash
    ("Smith--Jones", "SMITH-JONES"),
    ("-Smith-", "SMITH"),
    ("MC DONALD", "MC DONALD"),
    ("McDonald", "MCDONALD"),
    ("Mr John Smith", "JOHN SMITH"),
    ("MRS. Jane   Doe", "JANE DOE"),
    ("Dr. Who", "WHO"),
    ("Rev Canon Smith", "CANON SMITH"),
    ("Sir Patrick Stewart", "PATRICK STEWART"),
    ("Miss", None),
    ("John Smith Jr.", "JOHN SMITH"),
    ("John Smith Snr", "JOHN SMITH"),
    ("Henry III", "HENRY"),
    ("Lord", "LORD"),  # a real surname, kept
    ("J.R.R. Tolkien", "J R R TOLKIEN"),
    ("John2 Smith", "JOHN SMITH"),
    ("Иван", None),  # no Latin letters left
    ("", None),
    ("   ", None),
    ("\t\n", None),
    ("'", None),
    ("-", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_CASES)
def test_clean_name(raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


def test_clean_name_sql_agrees_on_table_cases(con) -> None:
    values = [raw for raw, _ in CLEAN_CASES]
    rows = evaluate(con, [q.clean_name_sql("x")], values)
    assert [row[0] for row in rows] == [expected for _, expected in CLEAN_CASES]


@settings(max_examples=60, deadline=None)
@given(st.lists(optional_text(), max_size=40))
def test_clean_name_sql_agrees_with_python(con, values: list[str | None]) -> None:
    rows = evaluate(con, [q.clean_name_sql("x")], values)
    assert [row[0] for row in rows] == [clean_name(value) for value in values]


@settings(max_examples=100, deadline=None)
@given(optional_text())
def test_clean_name_is_idempotent(value: str | None) -> None:
    cleaned = clean_name(value)
    assert clean_name(cleaned) == cleaned
    if cleaned is not None:
        assert set(cleaned) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ -")
        assert "  " not in cleaned and "--" not in cleaned


def test_tokens_and_joined_forms() -> None:
    assert name_tokens("SMITH-JONES") == ["SMITH", "JONES"]
    assert name_tokens("MARY JANE-ANN") == ["MARY", "JANE", "ANN"]
    assert name_tokens(None) == []
    assert joined_name("SMITH-JONES") == "SMITHJONES"
    assert joined_name("MC DONALD") == joined_name(clean_name("McDonald")) == "MCDONALD"
    assert joined_name(None) is None
    assert first_token("MARY-JANE") == "MARY"
    assert first_token(None) is None


SPLIT_CASES = [
    ("SMITH, John Paul", "surname_first", ("JOHN", "PAUL", "SMITH")),
    ("SMITH,JOHN", "surname_first", ("JOHN", None, "SMITH")),
    ("SMITH,JOHN", "forename_first", ("JOHN", None, "SMITH")),  # a comma wins over the order
    ("Smith-Jones, Mary-Jane", "surname_first", ("MARY-JANE", None, "SMITH-JONES")),
    ("SMITH JOHN PAUL", "surname_first", ("JOHN", "PAUL", "SMITH")),
    ("John Paul Smith", "forename_first", ("JOHN", "PAUL", "SMITH")),
    ("Mary-Jane Smith-Jones", "forename_first", ("MARY-JANE", None, "SMITH-JONES")),
    ("John Paul George Smith", "forename_first", ("JOHN", "PAUL GEORGE", "SMITH")),
    ("Mr John Smith", "forename_first", ("JOHN", None, "SMITH")),
    ("SMITH, Mr John", "surname_first", ("JOHN", None, "SMITH")),
    ("John Smith, Jr", "forename_first", ("JOHN", None, "SMITH")),  # empty after comma
    ("Madonna", "forename_first", (None, None, "MADONNA")),
    ("Madonna", "surname_first", (None, None, "MADONNA")),
    (", John", "surname_first", ("JOHN", None, None)),
    ("SMITH,", "surname_first", (None, None, "SMITH")),
    ("O'Brien, Seán", "surname_first", ("SEAN", None, "OBRIEN")),
    ("   ", "surname_first", (None, None, None)),
    ("", "forename_first", (None, None, None)),
    (None, "surname_first", (None, None, None)),
    ("a, b, c", "surname_first", ("B", "C", "A")),
]


@pytest.mark.parametrize(("raw", "order", "expected"), SPLIT_CASES)
def test_split_full_name(raw: str | None, order, expected: tuple) -> None:
    assert split_full_name(raw, order) == NameParts(*expected)


def test_split_full_name_rejects_unknown_order() -> None:
    with pytest.raises(ValueError, match="name order"):
        split_full_name("A B", "middle_first")  # type: ignore[arg-type]


def test_combine_name_parts_prefers_own_columns() -> None:
    assert combine_name_parts(forename="John Paul", middle_names="George", surname="Smith") == (
        NameParts("JOHN", "PAUL GEORGE", "SMITH")
    )
    assert combine_name_parts(
        forename="", surname=None, full_name="JONES, Ann Marie", order="surname_first"
    ) == NameParts("ANN", "MARIE", "JONES")
    assert combine_name_parts(
        forename="Jo", full_name="JONES, Ann", middle_names="Lee"
    ) == NameParts("JO", "LEE", "JONES")
    assert combine_name_parts() == NameParts(None, None, None)


def test_all_name_tokens_ignore_order() -> None:
    a = combine_name_parts(full_name="SMITH, John", order="surname_first")
    b = combine_name_parts(full_name="Smith John", order="forename_first")  # a swap
    assert a != b
    assert all_name_tokens(a) == all_name_tokens(b) == ["JOHN", "SMITH"]
    assert all_name_tokens(NameParts(None, None, None)) is None
    assert all_name_tokens(NameParts("MARY-JANE", None, "O BRIEN")) == [
        "BRIEN", "JANE", "MARY", "O",
    ]  # fmt: skip


SWAP_CASES = [
    (("JOHN", None, "SMITH"), ("SMITH", None, "JOHN"), True),
    (("JOHN", None, "MC DONALD"), ("MCDONALD", None, "JOHN"), True),
    (("JOHN", None, "SMITH"), ("JOHN", None, "SMITH"), False),
    (("JAMES", None, "JAMES"), ("JAMES", None, "JAMES"), False),
    (("JOHN", None, None), ("SMITH", None, "JOHN"), False),
    (("JOHN", None, "SMITH"), ("SMITH", None, "JON"), False),
]


@pytest.mark.parametrize(("left", "right", "expected"), SWAP_CASES)
def test_names_swapped(left, right, expected, con) -> None:
    assert names_swapped(NameParts(*left), NameParts(*right)) is expected
    row = con.sql(
        "SELECT " + q.swapped_names_sql("l", "r") + " FROM "
        "(SELECT ? AS forename, ? AS surname) AS l, (SELECT ? AS forename, ? AS surname) AS r",
        params=[left[0], left[2], right[0], right[2]],
    ).fetchall()[0][0]
    assert bool(row) is expected
