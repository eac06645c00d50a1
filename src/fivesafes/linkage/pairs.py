"""Splink's scored pairs turned into the pairs table clustering, splitting and the report read."""

from __future__ import annotations

import duckdb

from fivesafes.sql import quote

#: Feature columns kept on both sides of each scored pair, for the clerical-review sample.
REVIEW_COLUMNS = ("forename", "surname", "dob", "postcode", "address", "sex")


def pairs_table(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """Splink's scored pairs as table ``target``: ordered join keys (``l`` < ``r``), the
    scores, the matching columns, and ``min_weight``, the strongest evidence against the
    pair from any single comparison (its match weight, in bits)."""
    columns = [row[0] for row in con.sql(f"DESCRIBE {quote(source)}").fetchall()]
    weights = [c for c in columns if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]
    least = f"least({', '.join(quote(c) for c in weights)})" if weights else "0.0"
    wanted = {"match_weight", "match_probability", "source_dataset_l", "source_dataset_r",
              "unique_id_l", "unique_id_r"}
    wanted |= {f"{c}_{side}" for c in REVIEW_COLUMNS for side in "lr"}
    kept = [c for c in columns if c in wanted or c.startswith("gamma_")]
    left = "source_dataset_l || '-__-' || unique_id_l"
    right = "source_dataset_r || '-__-' || unique_id_r"
    con.execute(f"""CREATE OR REPLACE TABLE {quote(target)} AS
        SELECT least({left}, {right}) AS join_key_l, greatest({left}, {right}) AS join_key_r,
            {", ".join(quote(c) for c in kept)}, CAST(match_key AS INTEGER) AS match_key,
            {least} AS min_weight
        FROM {quote(source)}""")  # noqa: S608 - quoted names
