"""The partner stage: link a partner department's encoded records to the home's people.

After the home's own sources are linked (:mod:`~.pipeline`), every home record is encoded with
:func:`fivesafes.partner.records.encode_table` under the partner's secret and parameters, the
same function the partner's kit ran on its side. Splink then links the two encoded tables
(link only: home against partner, never within a side) with the model of :mod:`~.encoded_model`,
trained like the plaintext model (u by random sampling, m by EM over two blocking rules, seeded).
A record-level CLK (every name in one filter) is linked the same way, as one fuzzy field.
Each partner record joins the home cluster of its best match at or above the threshold; a partner
record matching nothing is a cluster of its own.

The secret is used to build the encoder and the LSH bands and is never logged, reported or put in
an error message: errors name the partner source only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from fivesafes.linkage.encoded_model import (
    encoded_settings,
    training_rules,
    words_table,
)
from fivesafes.linkage.engines import open_engine
from fivesafes.linkage.options import LinkageError, LinkOptions
from fivesafes.partner.encoding import Encoder, EncodingParameters, encoded_columns
from fivesafes.partner.records import encode_table
from fivesafes.sql import Statement, compose, run

__all__ = ["PartnerEncoding", "PartnerFigures", "link_partner"]

KEEP_PROBABILITY = 0.01
HOME = "home"
CLK = "clk"
PARTNER = "partner"


@dataclass(frozen=True)
class PartnerEncoding:
    """How a partner encoded its records: the parameters and the agreed secret (never shown)."""

    parameters: EncodingParameters
    secret: bytes = field(repr=False)

    def __str__(self) -> str:
        return f"PartnerEncoding({self.parameters.format})"


@dataclass
class PartnerFigures:
    """What the partner stage did, for the summary and the quality report."""

    source: str
    records: int
    home_records: int
    pairs: int = 0
    matched: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {"source": self.source, "records": self.records,
                "home_records": self.home_records, "pairs": self.pairs,
                "matched": self.matched,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "notes": list(self.notes)}


def _check_columns(source: str, table: pa.Table, parameters: EncodingParameters) -> None:
    missing = [c for c in ("record_key", "record_id", *encoded_columns(parameters))
               if c not in table.column_names]
    if missing:
        raise LinkageError(f"partner source {source}: the received table lacks "
                           f"{', '.join(missing)}; receive the package again")


def _home_encoded(con: duckdb.DuckDBPyConnection, encoder: Encoder) -> pa.Table:
    """Every home record (all sources) encoded, keyed by its node (source and link id)."""
    home = con.sql("""SELECT r.source || '-__-' || r.link_id AS node, s.forename, s.surname,
            CAST(s.dob AS VARCHAR) AS dob, s.sex, s.postcode_district
        FROM std AS s JOIN records AS r USING (source, record_key)
        ORDER BY node""").to_arrow_table()
    return encode_table(home, encoder, key_column="node")


def _as_filter_columns(table: pa.Table, parameters: EncodingParameters) -> pa.Table:
    """The CLK column under the name every filter has in the model (``<field>_bf``)."""
    if not parameters.clk:
        return table
    return table.rename_columns([f"{CLK}_bf" if n == CLK else n for n in table.column_names])


#: The two sides Splink links, each record under its source name (bound).
HOME_SIDE = Statement("partner: the home side", """
    CREATE OR REPLACE TABLE partner_home AS SELECT node AS unique_id,
        $1 AS source_dataset, * EXCLUDE (node) FROM partner_home_raw""", [HOME])
PARTNER_SIDE = Statement("partner: the partner side", """
    CREATE OR REPLACE TABLE partner_side AS SELECT k.unique_id,
        $1 AS source_dataset, p.* EXCLUDE (record_key, record_id)
        FROM partner_side_raw AS p JOIN partner_keys AS k USING (record_key)""", [PARTNER])


def _load(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    arrow = f"_{name}_arrow"
    con.register(arrow, table)
    run(con, Statement("partner: load encodings", compose(
        "CREATE OR REPLACE TABLE {name} AS SELECT * FROM {arrow}", name=name, arrow=arrow)))
    con.unregister(arrow)


def link_partner(con: duckdb.DuckDBPyConnection, work: Path, source: str, table: pa.Table,
                 encoding: PartnerEncoding, options: LinkOptions
                 ) -> tuple[pa.Table, PartnerFigures]:
    """Link one partner source to the home clusters in ``con`` (tables ``std``, ``records``,
    ``clusters`` with record-key cluster ids). Returns the partner's rows (source, record_key,
    record_id, cluster_id) and the stage's figures; Spark files go in ``work``."""
    parameters = encoding.parameters
    _check_columns(source, table, parameters)
    # a record-level CLK is linked as one fuzzy field, "clk", holding every name
    fuzzy = [CLK] if parameters.clk else list(parameters.fuzzy_fields)
    exact = list(parameters.exact_fields)
    bits = parameters.encoded_bits
    started = time.perf_counter()
    # the home's encodings never leave the run: their BLIP noise is seeded, so the same input
    # links the same way each time
    encoder = Encoder(encoding.secret, parameters, rng=np.random.default_rng(options.seed))
    home = _as_filter_columns(_home_encoded(con, encoder), parameters)
    seconds = {"encode_home": time.perf_counter() - started}
    figures = PartnerFigures(source, table.num_rows, home.num_rows, seconds=seconds)
    step = time.perf_counter()
    home_words = words_table(home, fuzzy, encoding.secret, bits, keep=["node"])
    partner = _as_filter_columns(
        table.select(["record_key", "record_id", *encoded_columns(parameters)]), parameters)
    partner_words = words_table(partner, fuzzy, encoding.secret, bits,
                                keep=["record_key", "record_id"])
    _load(con, "partner_home_raw", home_words)
    _load(con, "partner_side_raw", partner_words)
    run(con, HOME_SIDE)
    con.execute("""CREATE OR REPLACE TABLE partner_keys AS SELECT record_key, record_id,
        lpad(CAST(row_number() OVER (ORDER BY record_id, record_key) AS VARCHAR), 10, '0')
            AS unique_id FROM partner_side_raw""")
    run(con, PARTNER_SIDE)
    con.execute("DROP TABLE partner_home_raw")
    con.execute("DROP TABLE partner_side_raw")
    seconds["prepare"] = time.perf_counter() - step
    if figures.records and figures.home_records:
        figures.pairs, figures.notes = _score(con, work, fuzzy, exact, bits, options,
                                              seconds)
    else:
        con.execute("CREATE OR REPLACE TABLE partner_pairs (partner_id VARCHAR, node VARCHAR, "
                    "match_probability DOUBLE)")
    rows = con.sql("""
        WITH best AS (
            SELECT partner_id, node, match_probability,
                row_number() OVER (PARTITION BY partner_id
                                   ORDER BY match_probability DESC, node) AS rank
            FROM partner_pairs WHERE match_probability >= $1)
        SELECT $2 AS source, k.record_key, k.record_id,
            coalesce(c.cluster_id, $2 || '-__-' || k.record_key) AS cluster_id,
            c.cluster_id IS NOT NULL AS matched
        FROM partner_keys AS k
        LEFT JOIN best AS b ON b.partner_id = k.unique_id AND b.rank = 1
        LEFT JOIN clusters AS c ON c.node = b.node
        ORDER BY k.record_key""", params=[options.threshold, source]).to_arrow_table()
    figures.matched = int(sum(rows.column("matched").to_pylist()))
    seconds["total"] = time.perf_counter() - started
    for name in ("partner_home", "partner_side", "partner_keys"):
        con.execute(f"DROP TABLE {name}")
    return rows.drop_columns(["matched"]), figures


def _same_salt_u(linker: object, fuzzy: list[str]) -> None:
    """Keep, for the name comparisons, only the u probabilities EM estimated among pairs with
    the same date of birth. Random pairs mostly differ in year of birth, the salt, so their
    name filters are unrelated (Dice about 0.5); pairs that are scored share the salt (a date
    of birth or a name band), and then two different names of similar length reach the 0.75
    and even the 0.82 level far more often. Taking u from random pairs overrates those levels:
    at 1,000,000 x 1,000,000, with three in four partner records matching nobody, 210,000 of
    them joined a home person and precision fell to 0.76."""
    settings = linker._settings_obj  # type: ignore[attr-defined]
    for comparison in settings.comparisons:
        if comparison.output_column_name not in fuzzy:
            continue
        for level in comparison._comparison_levels_excluding_null:
            trained = level._trained_u_probabilities
            if trained and isinstance(trained[-1]["probability"], int | float):
                level._trained_u_probabilities = trained[-1:]
    linker._populate_m_u_from_trained_values()  # type: ignore[attr-defined]


def _score(con: duckdb.DuckDBPyConnection, work: Path, fuzzy: list[str], exact: list[str],
           bits: int, options: LinkOptions, seconds: dict[str, float]) -> tuple[int, list[str]]:
    from splink import Linker
    from splink.internals.exceptions import SplinkException

    notes: list[str] = []
    total = int(con.sql("SELECT (SELECT count(*) FROM partner_home) + "
                        "(SELECT count(*) FROM partner_side)").fetchall()[0][0])
    engine = open_engine(options.engine, con, work / "partner", options.threads,
                         total)
    try:
        inputs = [engine.register("partner_home", HOME), engine.register("partner_side", PARTNER)]
        linker = Linker(inputs, encoded_settings(fuzzy, exact, bits), log_level=logging.ERROR)
        step = time.perf_counter()
        pairs = float(con.sql("SELECT (SELECT count(*) FROM partner_home) * "
                              "(SELECT count(*) FROM partner_side)").fetchall()[0][0])
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(options.u_max_pairs, max(pairs, 1)), seed=options.seed)
        for index, (name, rule) in enumerate(training_rules(fuzzy, exact)):
            same_salt = name == "dob_hash"
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=options.em_max_pairs,
                    fix_u_probabilities=not same_salt,
                    populate_probability_two_random_records_match_from_trained_values=index == 0)
            except (SplinkException, ValueError, ZeroDivisionError) as error:
                notes.append(f"partner EM blocked on {name} skipped: "
                             f"{str(error).splitlines()[0]}")
                continue
            if same_salt:
                _same_salt_u(linker, fuzzy)
        from fivesafes.linkage.training import settle

        settle(linker)
        seconds["train"] = time.perf_counter() - step
        step = time.perf_counter()
        predicted = linker.inference.predict(threshold_match_probability=KEEP_PROBABILITY,
                                             warning_mode="never")
        engine.to_duckdb(predicted, "partner_splink_pairs")
        con.execute("""CREATE OR REPLACE TABLE partner_pairs AS
            SELECT CASE WHEN source_dataset_l = 'partner' THEN unique_id_l ELSE unique_id_r END
                    AS partner_id,
                CASE WHEN source_dataset_l = 'partner' THEN unique_id_r ELSE unique_id_l END
                    AS node,
                match_probability
            FROM partner_splink_pairs""")
        engine.release("partner_splink_pairs")
        seconds["predict"] = time.perf_counter() - step
    finally:
        engine.close()
    return int(con.sql("SELECT count(*) FROM partner_pairs").fetchall()[0][0]), notes
