"""The report's queries: the clerical-review sample and the pairs kept apart."""

from __future__ import annotations

import duckdb

from fivesafes.linkage.report import (
    KEPT_APART,
    REVIEW_PAIRS,
    kept_apart_statement,
    review_statement,
)
from fivesafes.sql import run


def _pairs(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """``n`` scored pairs of records ``i`` and ``i + n`` of source ``s``, probability i / n; the
    pairs with even ``i`` contradict. The features (a column with an odd name) are read from
    the features table: record ``i`` holds ``xi``, record ``i + n`` holds ``yi``."""
    con.execute("""CREATE TABLE pairs AS SELECT 's-__-' || i AS join_key_l,
        's-__-' || (i + $1) AS join_key_r, i / $1 AS match_probability, i AS match_weight,
        's' AS source_dataset_l, 's' AS source_dataset_r, i AS unique_id_l,
        i + $1 AS unique_id_r, i % 2 = 0 AS contradicts, 'generation' AS contradiction
        FROM range($1) AS t(i)""", [n])
    con.execute("CREATE TABLE records AS SELECT 's' AS source, i AS link_id, 'k' || i AS "
                "record_key FROM range(2 * $1) AS t(i)", [n])
    con.execute("""CREATE TABLE features AS SELECT 's' AS source_dataset, i AS unique_id,
        CASE WHEN i < $1 THEN 'x' || i ELSE 'y' || (i - $1) END AS "we""ird"
        FROM range(2 * $1) AS t(i)""", [n])


def test_the_review_sample_is_the_pairs_closest_to_the_threshold_half_each_side() -> None:
    con = duckdb.connect()
    _pairs(con, 100)
    rows = run(con, review_statement(0.5, ('we"ird',))).fetchall()
    probabilities = [row[0] for row in rows]
    half = REVIEW_PAIRS // 2
    assert probabilities == [(64 - i) / 100 for i in range(half)] + [
        (49 - i) / 100 for i in range(half)]
    assert rows[0][3:] == ("k64", "s", "k164", "x64", "y64")


def test_the_pairs_kept_apart_are_the_highest_scoring_that_contradict() -> None:
    con = duckdb.connect()
    _pairs(con, 100)
    rows = run(con, kept_apart_statement(('we"ird',))).fetchall()
    assert [row[0] for row in rows] == [(98 - 2 * i) / 100 for i in range(KEPT_APART)]
    assert rows[0][1:] == ("generation", "s", "k98", "s", "k198", "x98", "y98")
