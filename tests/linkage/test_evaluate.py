"""Accuracy measures against a truth: pairwise and B-cubed, on groupings small enough to work out
by hand."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.linkage.evaluate import BCubed, bcubed_scores, pairwise_scores


def labelled(rows: list[tuple[str, str]]) -> duckdb.DuckDBPyConnection:
    """A table ``t`` of (cluster_id, true_id), one row per record."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (cluster_id VARCHAR, true_id VARCHAR)")
    if rows:
        con.executemany("INSERT INTO t VALUES (?, ?)", rows)
    return con


def test_bcubed_of_an_over_merged_cluster() -> None:
    # person a has 3 records, person b 1; all four in one cluster
    con = labelled([("c", "a"), ("c", "a"), ("c", "a"), ("c", "b")])
    scores = bcubed_scores(con, "t", "cluster_id")
    # a's records: 3/4 of their cluster is a; b's record: 1/4 -> (3 * 3/4 + 1/4) / 4
    assert scores.precision == pytest.approx(10 / 16)
    assert scores.recall == 1.0
    assert scores.f1 == pytest.approx(2 * (10 / 16) / (1 + 10 / 16))
    pairs = pairwise_scores(con, "t", "cluster_id")
    assert (pairs.predicted, pairs.true, pairs.correct) == (6, 3, 3)
    assert pairs.precision == 0.5  # pairwise punishes the merge harder than B-cubed


def test_bcubed_of_a_split_person() -> None:
    # person a's 4 records in clusters of 2, 1 and 1
    con = labelled([("x", "a"), ("x", "a"), ("y", "a"), ("z", "a")])
    scores = bcubed_scores(con, "t", "cluster_id")
    assert scores.precision == 1.0
    assert scores.recall == pytest.approx((2 / 4 + 2 / 4 + 1 / 4 + 1 / 4) / 4)
    assert scores.records == 4


def test_singletons_score_one_and_empty_is_perfect() -> None:
    con = labelled([("1", "a"), ("2", "b"), ("3", "c")])
    assert bcubed_scores(con, "t", "cluster_id") == BCubed(3, 1.0, 1.0)
    assert bcubed_scores(labelled([]), "t", "cluster_id") == BCubed(0, 1.0, 1.0)
    assert BCubed(3, 1.0, 1.0).as_dict() == {"records": 3, "precision": 1.0, "recall": 1.0,
                                             "f1": 1.0}


@settings(deadline=None)  # each example opens DuckDB: slow on a loaded machine, not wrong
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30))
def test_bcubed_is_a_share_and_perfect_only_for_the_truth(cells: list[tuple[int, int]]) -> None:
    rows = [(str(c), str(t)) for c, t in cells]
    scores = bcubed_scores(labelled(rows), "t", "cluster_id")
    assert 0 < scores.precision <= 1 and 0 < scores.recall <= 1
    truth = bcubed_scores(labelled([(t, t) for _, t in rows]), "t", "cluster_id")
    assert truth == BCubed(len(rows), 1.0, 1.0)
    # precision 1 exactly when no cluster holds two people; recall 1 when no person is split
    clusters: dict[str, set[str]] = {}
    people: dict[str, set[str]] = {}
    for c, t in rows:
        clusters.setdefault(c, set()).add(t)
        people.setdefault(t, set()).add(c)
    assert (scores.precision == pytest.approx(1.0)) == all(len(v) == 1 for v in clusters.values())
    assert (scores.recall == pytest.approx(1.0)) == all(len(v) == 1 for v in people.values())


def test_a_rule_for_records_without_dob_reaches_only_pairs_where_one_lacks_it() -> None:
    from fivesafes.linkage.evaluate import unblocked_statement
    from fivesafes.sql import run

    con = duckdb.connect()
    con.execute("""CREATE TABLE features AS SELECT * FROM (VALUES
        ('s', '1', 'ANN LEE', '1980-01-01'), ('s', '2', 'ANN LEE', NULL),
        ('s', '3', 'BO KIM', '1970-01-01'), ('s', '4', 'BO KIM', '1971-02-02'),
        ('t', '5', 'BO KIM', NULL)) AS t(source_dataset, unique_id, full_name, dob)""")
    con.execute("""CREATE TEMP TABLE _eval_nodes AS SELECT * FROM (VALUES
        ('s-__-1', 'c1', 'a'), ('s-__-2', 'c1', 'a'), ('s-__-3', 'c3', 'b'),
        ('s-__-4', 'c4', 'b'), ('t-__-5', 'c4', 'b')) AS t(node, cluster_id, true_id)""")
    rules = [("full_name+no_dob_left", ("full_name",)), ("full_name+no_dob_right", ("full_name",))]
    # reached: 1-2 (2 lacks it, on the right), 3-5 and 4-5 (5 on the right); not 3-4
    assert run(con, unblocked_statement(rules)).fetchall() == [(1,)]
    assert run(con, unblocked_statement(rules[:1])).fetchall() == [(4,)]
