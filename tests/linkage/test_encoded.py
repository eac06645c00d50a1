"""Linking a partner's encoded records: Dice in SQL, the LSH bands, and a small link whose
accuracy is close to the plaintext link of the same data, with the secret nowhere in sight."""

from __future__ import annotations

import base64
import csv
import importlib.util
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.linkage.as_partner import as_partner
from fivesafes.linkage.encoded import PartnerEncoding
from fivesafes.linkage.encoded_model import DICE_LEVELS, dice_sql, lsh_positions, words_table
from fivesafes.linkage.inputs import read_extracts
from fivesafes.linkage.options import LinkageError
from fivesafes.linkage.pipeline import link_tables
from fivesafes.linkage.report import gather, render
from fivesafes.partner.encoding import Encoder, EncodingParameters, dice
from fivesafes.sources.contract import load_all

from .link_fixtures import contracts, make_synth

SECRET = bytes(range(100, 132))
PARAMS = EncodingParameters()
BITS = PARAMS.encoded_bits
NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ '-", min_size=1, max_size=14)


def _encodings(pairs: list[tuple[str, str]], salts: tuple[str, str] = ("1980", "1980")
               ) -> tuple[list[bytes], list[bytes]]:
    encoder = Encoder(SECRET, PARAMS, rng=np.random.default_rng(7))
    left = [encoder.bloom("forename", a, salts[0]) for a, _ in pairs]
    right = [encoder.bloom("forename", b, salts[1]) for _, b in pairs]
    return left, right


def _words(values: list[bytes]) -> pa.Table:
    table = pa.table({"forename_bf": pa.array(values, pa.binary())})
    return words_table(table, ["forename"], SECRET, BITS)


def _duckdb_dice(left: list[bytes], right: list[bytes]) -> list[float]:
    a, b = _words(left), _words(right)
    joined = pa.table({"a": a.column("forename_bf"), "a_ones": a.column("forename_bf_ones"),
                       "b": b.column("forename_bf"), "b_ones": b.column("forename_bf_ones")})
    con = duckdb.connect()
    con.register("pairs", joined)
    sql = dice_sql("a", "b", "a_ones", "b_ones", BITS // 64, "duckdb")
    return [row[0] for row in con.sql(f"SELECT {sql} FROM pairs").fetchall()]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=20))
def test_duckdb_dice_equals_partner_dice(pairs: list[tuple[str, str]]) -> None:
    left, right = _encodings(pairs)
    got = _duckdb_dice(left, right)
    for a, b, value in zip(left, right, got, strict=True):
        assert value == pytest.approx(dice(a, b), abs=1e-12)


def test_dice_on_random_bits_and_unrelated_values() -> None:
    rng = np.random.default_rng(3)
    left = [rng.integers(0, 256, BITS // 8, dtype=np.uint8).tobytes() for _ in range(200)]
    right = [rng.integers(0, 256, BITS // 8, dtype=np.uint8).tobytes() for _ in range(200)]
    got = _duckdb_dice(left, right)
    assert got == pytest.approx([dice(a, b) for a, b in zip(left, right, strict=True)],
                                abs=1e-12)
    # the levels' theory (encoded_model's docstring): the same name in another birth year is
    # unrelated, the same value differs by BLIP noise only, one edit falls between
    a, b = _encodings([("CHRISTOPHER", "CHRISTOPHER"), ("JOHN", "JOHN")], ("1980", "1981"))
    assert all(dice(x, y) < DICE_LEVELS[-1] for x, y in zip(a, b, strict=True))
    same = _encodings([("JOHN", "JOHN"), ("CHRISTOPHER", "CHRISTOPHER")])
    assert all(dice(x, y) >= DICE_LEVELS[0] for x, y in zip(*same, strict=True))
    edit = _encodings([("JOHN", "JON"), ("CHRISTOPHER", "CHRISTPHER")])
    assert all(DICE_LEVELS[1] <= dice(x, y) < DICE_LEVELS[0] for x, y in zip(*edit, strict=True))


def test_lsh_bands_are_keyed() -> None:
    one = lsh_positions(SECRET, BITS, "surname")
    assert (one == lsh_positions(SECRET, BITS, "surname")).all()
    assert not (one == lsh_positions(bytes(32), BITS, "surname")).all()
    assert not (one == lsh_positions(SECRET, BITS, "forename")).all()
    assert all(len(set(band)) == len(band) for band in one)


@pytest.mark.spark
@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark is not installed")
def test_spark_dice_equals_partner_dice(tmp_path: Path) -> None:
    from fivesafes.linkage.engines import spark_session

    pairs = [("JOHN", "JON"), ("SMITH", "SMYTHE"), ("ANNE", "ANN"), ("MO", "MOHAMMED"),
             ("X", "Y"), ("O'NEIL", "ONEIL")] * 5
    left, right = _encodings(pairs)
    a, b = _words(left), _words(right)
    rows = [(x, xo, y, yo) for x, xo, y, yo in zip(
        a.column("forename_bf").to_pylist(), a.column("forename_bf_ones").to_pylist(),
        b.column("forename_bf").to_pylist(), b.column("forename_bf_ones").to_pylist(),
        strict=True)]
    # the session linkage uses (with Splink's similarity functions): a JVM started without
    # them would serve every later Spark test in this process
    session = spark_session(tmp_path, 2, 2)
    try:
        frame = session.createDataFrame(rows, "a array<bigint>, a_ones bigint, "
                                              "b array<bigint>, b_ones bigint")
        sql = dice_sql("a", "b", "a_ones", "b_ones", BITS // 64, "spark")
        got = [row[0] for row in frame.selectExpr(sql).collect()]
    finally:
        session.stop()
    assert got == pytest.approx([dice(x, y) for x, y in zip(left, right, strict=True)],
                                abs=1e-12)


# -- a small link -----------------------------------------------------------------------------
def _pairs(clusters: dict[str, list[tuple[str, str]]]) -> set[tuple]:
    out = set()
    for members in clusters.values():
        members = sorted(members)
        out |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:]}
    return out


def _f1(clusters: pa.Table, truth: Path) -> float:
    with truth.open(encoding="utf-8") as handle:
        true_id = {(r["source"], r["record_id"]): r["true_id"] for r in csv.DictReader(handle)}
    got: dict[str, list] = {}
    want: dict[str, list] = {}
    for row in clusters.to_pylist():
        key = (row["source"], row["record_id"])
        got.setdefault(row["cluster_id"], []).append(key)
        want.setdefault(true_id[key], []).append(key)
    found, real = _pairs(got), _pairs(want)
    both = len(found & real)
    return 2 * both / (len(found) + len(real))


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("encoded")
    synth = make_synth(root, people=250, seed=11)
    tables = read_extracts(load_all(contracts(synth)))
    encoding = PartnerEncoding(PARAMS, SECRET)
    partner = as_partner(next(t for t in tables if t.source == "probation"), encoding,
                         rng=np.random.default_rng(2))
    home = [t for t in tables if t.source != "probation"]
    plain = link_tables(tables, root / "plain")
    encoded = link_tables([*home, partner], root / "encoded")
    yield {"plain": plain, "encoded": encoded, "truth": synth / "truth.csv", "partner": partner}
    for outcome in (plain, encoded):
        if outcome.con is not None:
            outcome.con.close()


@pytest.mark.slow
def test_encoded_link_is_close_to_plaintext(linked: dict) -> None:
    plain, encoded = linked["plain"], linked["encoded"]
    partner = linked["partner"]
    rows = encoded.clusters.filter(pa.compute.equal(encoded.clusters.column("source"),
                                                    "probation"))
    assert rows.num_rows == partner.table.num_rows
    assert encoded.records["probation"] == partner.table.num_rows
    figures = encoded.summary()["partners"][0]
    assert figures["source"] == "probation" and figures["pairs"] > 0
    assert 0 < figures["matched"] <= figures["records"]
    plain_f1, encoded_f1 = _f1(plain.clusters, linked["truth"]), _f1(encoded.clusters,
                                                                     linked["truth"])
    assert encoded_f1 >= plain_f1 - 0.02, (plain_f1, encoded_f1)
    assert encoded.clusters_count == len(set(encoded.clusters.column("cluster_id").to_pylist()))


@pytest.mark.slow
def test_a_record_level_clk_links_too(linked: dict, tmp_path: Path) -> None:
    """A partner that sends one CLK per record (every name in one filter) instead of a filter
    per name is linked through the same model, as one fuzzy field."""
    clk = EncodingParameters(clk=True)
    tables = read_extracts(load_all(contracts(linked["truth"].parent)))
    partner = as_partner(next(t for t in tables if t.source == "probation"),
                         PartnerEncoding(clk, SECRET), rng=np.random.default_rng(2))
    assert "clk" in partner.table.column_names
    assert "forename_bf" not in partner.table.column_names
    home = [t for t in tables if t.source != "probation"]
    outcome = link_tables([*home, partner], tmp_path / "clk")
    try:
        figures = outcome.summary()["partners"][0]
        assert figures["pairs"] > 0 and figures["matched"] > 0.8 * figures["records"]
        plain_f1 = _f1(linked["plain"].clusters, linked["truth"])
        assert _f1(outcome.clusters, linked["truth"]) >= plain_f1 - 0.03
    finally:
        outcome.con.close()


@pytest.mark.slow
def test_no_secret_in_summary_or_report(linked: dict) -> None:
    encoded = linked["encoded"]
    summary = encoded.summary()
    html = render(gather(encoded, None), summary, "partner test")
    text = repr(summary) + html + repr(linked["partner"].encoding) + str(linked["partner"])
    assert "Partner sources (encoded identifiers)" in html
    for form in (SECRET.hex(), SECRET.hex().upper(), base64.b64encode(SECRET).decode(),
                 repr(SECRET), str(list(SECRET))):
        assert form not in text


def test_partner_alone_is_refused(tmp_path: Path) -> None:
    synth = make_synth(tmp_path, people=30, seed=2)
    tables = read_extracts(load_all(contracts(synth)))
    partner = as_partner(tables[0], PartnerEncoding(PARAMS, SECRET))
    with pytest.raises(LinkageError, match="encoded identifiers only") as error:
        link_tables([partner], tmp_path / "run")
    assert SECRET.hex() not in str(error.value)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")  # with the other Spark tests, on one worker (see test_spark.py)
@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark is not installed")
def test_spark_partner_stage_agrees_with_duckdb(tmp_path: Path) -> None:
    """The partner stage alone on Spark (the home link stays on DuckDB: its Spark run is
    tested elsewhere) joins the partner's records to the same home clusters."""
    from fivesafes.linkage.encoded import link_partner
    from fivesafes.linkage.options import LinkOptions

    synth = make_synth(tmp_path, people=80, seed=11)
    tables = read_extracts(load_all(contracts(synth)))
    partner = as_partner(next(t for t in tables if t.source == "probation"),
                         PartnerEncoding(PARAMS, SECRET), rng=np.random.default_rng(2))
    home = [t for t in tables if t.source != "probation"]
    outcome = link_tables([*home, partner], tmp_path / "duckdb", LinkOptions())
    assert outcome.con is not None and partner.encoding is not None
    try:
        duck = {row["record_key"]: row["cluster_id"] for row in outcome.clusters.to_pylist()
                if row["source"] == "probation"}
        rows, figures = link_partner(outcome.con, tmp_path / "spark", "probation",
                                     partner.table, partner.encoding,
                                     LinkOptions(engine="spark"))
        spark = {row["record_key"]: row["cluster_id"] for row in rows.to_pylist()}
        assert spark.keys() == duck.keys()
        same = sum(duck[key] == spark[key] for key in duck)
        assert same >= 0.97 * len(duck), (same, len(duck))
        assert figures.matched > 0
    finally:
        outcome.con.close()


def test_every_prediction_rule_asks_for_two_agreements() -> None:
    """No rule pairs records on one name band or one date of birth alone: such a rule pairs
    every namesake born in the same year, and its candidates grow with the product of the
    two sides."""
    from fivesafes.linkage.encoded_model import LSH_BANDS, prediction_rules

    rules = prediction_rules(PARAMS.fuzzy_fields, PARAMS.exact_fields)
    for name, rule in rules:
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        assert sql.count("=") >= 2, (name, sql)
    names = [name for name, _ in rules]
    assert names[0] == "dob_hash+another"
    assert len(names) == 1 + 3 * LSH_BANDS
    # a name band is still the way in for a mistyped date of birth
    assert "forename_lsh_0+surname_lsh_0" in names
    assert "surname_lsh_5+postcode_district_hash" in names
    # without the postcode district and the date of birth, the two names' bands remain
    fallback = [name for name, _ in prediction_rules(["forename", "surname"], ["sex"])]
    assert fallback == [f"forename_lsh_{i}+surname_lsh_{i}" for i in range(LSH_BANDS)]
