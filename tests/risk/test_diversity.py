"""Spec tests for l-diversity: distinct and entropy l, homogeneous classes, worked by hand."""

from __future__ import annotations

import math

import duckdb
import pytest

from fivesafes.risk import Request, assess
from fivesafes.risk.diversity import record_counts, summarise
from fivesafes.sql import quote

from .tables import OFFENCE, QI, SPECIAL, Published


def test_record_level_diversity() -> None:
    con = duckdb.connect()
    # class a: x, x, y (2 distinct, entropy of 2/3, 1/3); class b: z, z (homogeneous)
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 'x'), ('a', 'x'), ('a', 'y'), "
                "('b', 'z'), ('b', 'z')) v(q, s)")
    classes, distinct, entropy, homogeneous, units = summarise(
        con, record_counts("t", ["q"], "s"), ["q"])
    assert (classes, distinct, homogeneous, units) == (2, 1, 1, 2)
    assert entropy == pytest.approx(1.0)
    con.execute("DELETE FROM t WHERE q = 'b'")
    _, distinct, entropy, homogeneous, _ = summarise(con, record_counts("t", ["q"], "s"), ["q"])
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert (distinct, homogeneous) == (2, 0) and entropy == pytest.approx(math.exp(h))


def test_a_missing_value_is_a_value() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 'x'), ('a', NULL)) v(q, s)")
    assert summarise(con, record_counts("t", ["q"], "s"), ["q"])[1] == 2


def test_each_sensitive_field_is_measured(tmp_path) -> None:
    rows = [{"person_id": f"p{i}", "sex": "fm"[i % 2], "ethnicity": "ab"[i // 2 % 2],
             "offence": "theft"} for i in range(8)]
    fields = {"sex": (QI, ("sex",)), "ethnicity": (SPECIAL, ("ethnicity",)),
              "offence": (OFFENCE, ("offence",))}
    pub = Published(tmp_path).add("mags", rows, fields)
    a = assess(pub.catalogue, pub.data, Request.of(
        {("mags", "v1"): {"sex": "sex", "ethnicity": "ethnicity", "offence": "offence"}}), k=2)
    by = {d.field: d for d in a.diversity}
    assert (by["mags.ethnicity"].distinct_l, by["mags.ethnicity"].entropy_l) == (2, 2.0)
    assert by["mags.ethnicity"].sensitivity == "special_category"
    off = by["mags.offence"]
    assert (off.distinct_l, off.homogeneous_classes, off.homogeneous_units) == (1, 2, 8)


def test_measure_in_one_pass_agrees_with_the_separate_queries() -> None:
    from fivesafes.risk.classes import figures, record_classes
    from fivesafes.risk.diversity import measure

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i % 3 AS a, i % 5 AS b, i % 4 AS s FROM range(50) r(i)")
    f, d = measure(con, record_counts("t", ["a", "b"], "s"), ["a", "b"], threshold=4)
    assert f == figures(con, record_classes("t", ["a", "b"]), threshold=4, unit="record")
    assert d == summarise(con, record_counts("t", ["a", "b"], "s"), ["a", "b"])


def test_hostile_names_are_quoted() -> None:
    hostile_key, hostile_value = 'q"; DROP TABLE t; --', "s') --"
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 'x'), ('a', 'y'), ('b', 'z')) "
                f"v({quote(hostile_key)}, {quote(hostile_value)})")
    counts = record_counts("t", [hostile_key], hostile_value)
    assert summarise(con, counts, [hostile_key])[:2] == (2, 1)
    assert summarise(con, record_counts("t", [], hostile_value), [])[:2] == (1, 3)
