"""Splink's scored pairs as the pairs table: ordered keys, kept columns, the strongest evidence
against each pair."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.errors import StepFailed
from fivesafes.linkage.pairs import pairs_table


def test_odd_names_are_quoted_and_the_weakest_comparison_is_kept() -> None:
    con = duckdb.connect()
    con.execute('CREATE TABLE "splink ""pairs""" AS '
                """SELECT 0.5::DOUBLE AS match_weight,
        0.9::DOUBLE AS match_probability, 'b' AS source_dataset_l, 'a' AS source_dataset_r,
        '1' AS unique_id_l, '2' AS unique_id_r, 1 AS "gamma_we""ird", 'x' AS other,
        -3.5::DOUBLE AS "mw_we""ird", 2.0::DOUBLE AS mw_dob, -9.0::DOUBLE AS mw_tf_adj_dob,
        '0' AS match_key""")
    pairs_table(con, 'splink "pairs"', "pa'irs")
    result = con.execute('SELECT * FROM "pa\'irs"')
    assert [d[0] for d in result.description] == [
        "join_key_l", "join_key_r", "match_weight", "match_probability", "source_dataset_l",
        "source_dataset_r", "unique_id_l", "unique_id_r", 'gamma_we"ird', "match_key",
        "min_weight"]
    assert result.fetchall() == [("a-__-2", "b-__-1", 0.5, 0.9, "b", "a", "1", "2", 1, 0, -3.5)]


def test_a_missing_table_names_the_step() -> None:
    with pytest.raises(StepFailed, match="pairs: read Splink's columns failed: .*no_such"):
        pairs_table(duckdb.connect(), "no_such", "pairs")
