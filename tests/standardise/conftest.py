"""Shared fixtures for the linkage tests: a DuckDB connection and SQL-vs-Python helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import strategies as st

from fivesafes.sql import Params

#: Characters that exercise every folding and separator rule, plus a few from other scripts.
AWKWARD = (
    "aAzZ09 -,.'’‘`´ʼ‐–—−/\\()&\t\n\u00a0\u2003"
    "ëéèÉçÇñÑöÖüÜåÅøØæÆœŒßẞłŁđĐðÐþÞıħĦǰŉﬁ"
    "\u0301\u0308\u0327"
    "ЖжΩωالعربيةあ한😀"
    "MRSJNOIQVX"
)


def text_strategy(max_size: int = 30) -> st.SearchStrategy[str]:
    """Strings mixing awkward characters with arbitrary assigned Unicode (no NUL, no surrogates)."""
    chars = st.one_of(
        st.sampled_from(AWKWARD),
        st.characters(exclude_categories=("Cs", "Cn"), exclude_characters="\x00"),
    )
    return st.text(chars, max_size=max_size)


def optional_text(max_size: int = 30) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), text_strategy(max_size))


@pytest.fixture(scope="session")
def con() -> duckdb.DuckDBPyConnection:
    """One connection for the expression tests (opening a connection takes ~0.1 s)."""
    connection = duckdb.connect()
    yield connection
    connection.close()


def evaluate(
    con: duckdb.DuckDBPyConnection,
    expressions: Sequence[str],
    values: Sequence[str | None],
    params: Params | None = None,
) -> list[tuple[Any, ...]]:
    """Evaluate SQL expressions over column ``x`` holding ``values``; one tuple per value."""
    table = pa.table(
        {"i": pa.array(range(len(values)), pa.int64()), "x": pa.array(values, pa.string())}
    )
    con.register("inputs", table)
    try:
        select = ", ".join(expressions)
        bound = params.values if params else []
        return con.execute(f"SELECT {select} FROM inputs ORDER BY i", bound).fetchall()
    finally:
        con.unregister("inputs")
