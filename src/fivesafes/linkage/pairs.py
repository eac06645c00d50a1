"""Splink's scored pairs turned into the pairs table clustering, splitting and the report read."""

from __future__ import annotations

import duckdb

from fivesafes.sql import Fragment, Statement, compose, names, run

#: Feature columns the report shows on both sides of a scored pair (clerical-review sample). They
#: are read from the features table for the few pairs shown, not carried on every scored pair.
REVIEW_COLUMNS = ("forename", "surname", "dob", "postcode", "address", "sex")

_LEFT = "source_dataset_l || '-__-' || unique_id_l"
_RIGHT = "source_dataset_r || '-__-' || unique_id_r"


def describe(table: str) -> Statement:
    return Statement("pairs: read Splink's columns", compose("DESCRIBE {table}", table=table))


def pairs_statement(source: str, target: str, columns: list[str]) -> Statement:
    """Table ``target`` from Splink's scored pairs ``source`` (whose columns are ``columns``):
    ordered join keys (``l`` < ``r``), the scores, any comparison levels (``gamma_``) Splink
    gave, and ``min_weight``, the strongest evidence against the pair from any single comparison
    (its match weight, in bits). One row per pair and nothing wider: at a million records there
    are millions of pairs."""
    weights = [c for c in columns if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]
    least = Fragment(f"least({names(weights)})" if weights else "0.0")
    wanted = {"match_weight", "match_probability", "source_dataset_l", "source_dataset_r",
              "unique_id_l", "unique_id_r"}
    kept = [c for c in columns if c in wanted or c.startswith("gamma_")]
    return Statement("pairs: build the pairs table", compose("""
        CREATE OR REPLACE TABLE {target} AS
        SELECT least({left}, {right}) AS join_key_l, greatest({left}, {right}) AS join_key_r,
            {kept}, CAST(match_key AS INTEGER) AS match_key,
            {least} AS min_weight
        FROM {source}""", target=target, left=Fragment(_LEFT), right=Fragment(_RIGHT),
        kept=names(kept), least=least, source=source))


def pairs_table(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """Splink's scored pairs as table ``target`` (:func:`pairs_statement`)."""
    columns = [row[0] for row in run(con, describe(source)).fetchall()]
    run(con, pairs_statement(source, target, columns))
