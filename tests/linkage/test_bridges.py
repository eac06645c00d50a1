"""Records without a date of birth that bridge people: each goes with one person, or none."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.errors import StepFailed
from fivesafes.linkage.bridges import candidates_statement, detach_bridges, links_statement, regroup

STRONG = 0.9999


def _dated(*nodes: str) -> list[tuple[str, bool]]:
    return [(node, True) for node in nodes]


def test_a_record_without_dob_linked_equally_to_two_people_joins_neither() -> None:
    # a1, a2: JOHN SMITH 1980; b1, b2: JOHN SMITH 1975; m: JOHN SMITH, no date, links to both
    members = [*_dated("a1", "a2", "b1", "b2"), ("m", False)]
    links = [("a1", "a2", STRONG), ("b1", "b2", STRONG), ("a1", "m", 0.95), ("b1", "m", 0.95)]
    parts, groups, alone = regroup(members, links, 0.8)
    assert parts == [["a1", "a2"], ["b1", "b2"], ["m"]]
    assert (groups, alone) == (2, 1)


def test_a_record_without_dob_goes_with_the_person_it_links_to_far_more_strongly() -> None:
    # odds 9999 against 4: the first takes 9999 / (1 + 9999 + 4) of the evidence
    members = [*_dated("a1", "a2", "b1"), ("m", False)]
    links = [("a1", "a2", STRONG), ("a1", "m", STRONG), ("b1", "m", 0.8)]
    parts, groups, alone = regroup(members, links, 0.8)
    assert parts == [["a1", "a2", "m"], ["b1"]]
    assert (groups, alone) == (2, 0)


def test_the_share_of_the_evidence_is_judged_against_the_threshold() -> None:
    # odds 19 and 1: 19 / 21 = 0.905, enough at 0.9, not at 0.95
    members = [*_dated("a", "b"), ("m", False)]
    links = [("a", "m", 0.95), ("b", "m", 0.5)]
    assert regroup(members, links, 0.9)[0] == [["a", "m"], ["b"]]
    assert regroup(members, links, 0.95)[0] == [["a"], ["b"], ["m"]]


def test_a_cluster_with_one_core_group_is_left_as_it_is() -> None:
    # two records without a date hang off one person: nothing to decide
    members = [*_dated("a1", "a2"), ("m", False), ("n", False)]
    links = [("a1", "a2", STRONG), ("a2", "m", 0.85), ("m", "n", 0.9)]
    assert regroup(members, links, 0.8) == ([["a1", "a2", "m", "n"]], 1, 0)


def test_records_without_dob_follow_each_other_but_never_join_two_people() -> None:
    # n links only to m; m goes with a; o links to n and to b's group through p (no date)
    members = [*_dated("a1", "a2", "b1"), ("m", False), ("n", False), ("p", False)]
    links = [("a1", "a2", STRONG), ("a1", "m", STRONG), ("m", "n", 0.95), ("n", "p", 0.9),
             ("b1", "p", STRONG)]
    parts, _, alone = regroup(members, links, 0.8)
    # p goes with b1 (its only core link); the n-p link would join the two people: refused
    assert parts == [["a1", "a2", "m", "n"], ["b1", "p"]]
    assert alone == 0


def test_a_record_left_apart_is_not_pulled_back_through_another_record_without_dob() -> None:
    members = [*_dated("a", "b"), ("m", False), ("n", False)]
    links = [("a", "m", 0.95), ("b", "m", 0.95), ("a", "n", STRONG), ("m", "n", 0.99)]
    parts, _, alone = regroup(members, links, 0.8)
    assert parts == [["a", "n"], ["b"], ["m"]]
    assert alone == 1


def test_the_result_does_not_depend_on_input_order() -> None:
    members = [*_dated("a1", "a2", "b1", "b2"), ("m", False), ("n", False)]
    links = [("a1", "a2", STRONG), ("b1", "b2", STRONG), ("a1", "m", 0.95), ("b1", "n", 0.95),
             ("m", "n", 0.95)]
    assert regroup(members, links, 0.8) == regroup(list(reversed(members)),
                                                   list(reversed(links)), 0.8)


def test_certain_links_to_two_people_are_ambiguous_too() -> None:
    members = [*_dated("a", "b"), ("m", False)]
    assert regroup(members, [("a", "m", 1.0), ("b", "m", 1.0)], 0.8)[0] == [["a"], ["b"], ["m"]]
    assert regroup(members, [("a", "m", 1.0), ("b", "m", 0.9)], 0.8)[0] == [["a", "m"], ["b"]]


def _tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TABLE features AS SELECT * FROM (VALUES
        ('s', '1', '1980-01-01'), ('s', '2', '1980-01-01'), ('s', '3', '1975-05-05'),
        ('s', '4', '1975-05-05'), ('s', '5', NULL), ('s', '6', '1990-02-02'),
        ('s', '7', NULL)) AS t(source_dataset, unique_id, dob)""")
    con.execute("""CREATE TABLE clusters AS SELECT * FROM (VALUES
        ('s-__-1', 's-__-1'), ('s-__-2', 's-__-1'), ('s-__-3', 's-__-1'), ('s-__-4', 's-__-1'),
        ('s-__-5', 's-__-1'), ('s-__-6', 's-__-6'), ('s-__-7', 's-__-6')) AS t(node, cluster_id)""")
    con.execute("""CREATE TABLE pairs AS SELECT * FROM (VALUES
        ('s-__-1', 's-__-2', 0.9999, false), ('s-__-3', 's-__-4', 0.9999, false),
        ('s-__-1', 's-__-5', 0.95, false), ('s-__-3', 's-__-5', 0.95, false),
        ('s-__-2', 's-__-3', 0.99, true), ('s-__-6', 's-__-7', 0.9, false))
        AS t(join_key_l, join_key_r, match_probability, contradicts)""")


def test_detach_bridges_rewrites_the_clusters_in_place() -> None:
    con = duckdb.connect()
    _tables(con)
    result = detach_bridges(con, "clusters", "pairs", "features", 0.8)
    rows = dict(con.sql("SELECT node, cluster_id FROM clusters").fetchall())
    # the contradicting link 2-3 is no tie; 5 is as likely to be either man, so is neither
    assert rows == {"s-__-1": "s-__-1", "s-__-2": "s-__-1", "s-__-3": "s-__-3",
                    "s-__-4": "s-__-3", "s-__-5": "s-__-5", "s-__-6": "s-__-6",
                    "s-__-7": "s-__-6"}
    assert (result.checked_clusters, result.bridged_clusters, result.records_left_alone,
            result.new_clusters) == (1, 1, 1, 2)
    assert con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_bridge%'"
                   ).fetchall() == [(0,)]


def test_bridge_statements_quote_their_tables_and_bind_their_values() -> None:
    statement = candidates_statement('clu"sters', "features")
    assert '"clu""sters" AS c' in statement.sql
    assert links_statement("pairs", 0.8).params == (0.8,)


def test_a_failing_bridge_step_is_named() -> None:
    con = duckdb.connect()
    with pytest.raises(StepFailed, match="bridges: members of clusters to check failed"):
        detach_bridges(con, "no_such_table", "pairs", "features", 0.8)


def test_clusters_without_a_record_lacking_dob_are_not_touched() -> None:
    con = duckdb.connect()
    _tables(con)
    con.execute("UPDATE features SET dob = '2000-01-01' WHERE dob IS NULL")
    before = con.sql("SELECT * FROM clusters ORDER BY 1").fetchall()
    result = detach_bridges(con, "clusters", "pairs", "features", 0.8)
    assert con.sql("SELECT * FROM clusters ORDER BY 1").fetchall() == before
    assert (result.checked_clusters, result.bridged_clusters) == (0, 0)
