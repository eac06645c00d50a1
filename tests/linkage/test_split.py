"""Over-merge splitting: constrained single linkage over a cluster's links."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.errors import StepFailed
from fivesafes.linkage.split import (
    MAX_CHECKED,
    chosen_links,
    constrained_components,
    large_clusters,
    split_clusters,
)


def test_without_contradictions_groups_are_connected_components() -> None:
    links = [("a", "b", 0.99), ("b", "c", 0.95), ("d", "e", 0.999)]
    assert constrained_components("abcde", links, []) == [["a", "b", "c"], ["d", "e"]]


def test_two_people_chained_through_a_record_without_dob_are_split() -> None:
    # a1..a3 one person, b1..b3 another; m has no date of birth and links weakly to both
    people = ["a1", "a2", "a3", "b1", "b2", "b3", "m"]
    links = [("a1", "a2", 0.9999), ("a2", "a3", 0.9999), ("b1", "b2", 0.9999),
             ("b2", "b3", 0.9999), ("a1", "m", 0.97), ("b1", "m", 0.95)]
    cannot = [(a, b) for a in ("a1", "a2", "a3") for b in ("b1", "b2", "b3")]
    assert constrained_components(people, links, cannot) == [
        ["a1", "a2", "a3", "m"], ["b1", "b2", "b3"]]


def test_one_odd_record_stays_with_its_person() -> None:
    # r contradicts one of five records (an error in each): it is not split off
    people = ["p1", "p2", "p3", "p4", "p5", "r"]
    links = [(f"p{i}", f"p{i + 1}", 0.999) for i in range(1, 5)] + [("p1", "r", 0.99)]
    assert constrained_components(people, links, [("r", "p5")]) == [people]


def test_result_does_not_depend_on_input_order() -> None:
    people = ["x", "y", "z"]
    links = [("x", "y", 0.99), ("y", "z", 0.99)]
    cannot = [("x", "z")]
    assert (constrained_components(people, links, cannot)
            == constrained_components(list(reversed(people)), list(reversed(links)), cannot))


def test_split_statements_quote_their_tables_and_bind_their_values() -> None:
    statement = chosen_links('sc"ored', "members", 0.9, linkable=True)
    assert '"sc""ored" AS p' in statement.sql and "AND NOT p.contradicts" in statement.sql
    assert statement.params == (0.9,)
    assert large_clusters("clusters").params == (MAX_CHECKED,)


def test_a_failing_split_step_is_named() -> None:
    con = duckdb.connect()
    with pytest.raises(StepFailed, match="split: count clusters failed: .*no_such_table"):
        split_clusters(con, "no_such_table", "pairs", "profiles", 0.9, lambda table: table)
