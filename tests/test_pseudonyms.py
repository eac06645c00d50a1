"""Person ids stable across refreshes: the pure assignment, by table cases, against a plain
Python reference, and by invariants over generated linkages."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.pseudonyms import (
    ID_ALPHABET,
    LineageEvent,
    assign_person_ids,
    random_id,
    random_ids,
    record_key,
)


def counter_ids(start: int = 1):
    """A deterministic id source: N0001, N0002, ..."""
    numbers = itertools.count(start)
    return lambda n: [f"N{next(numbers):04d}" for _ in range(n)]


def as_dict(assignment) -> dict[str, str]:
    return dict(zip(assignment.person_map.column("record_key").to_pylist(),
                    assignment.person_map.column("person_id").to_pylist(), strict=True))


def run(previous: dict[str, str] | None, clusters: dict[str, str], start: int = 100):
    a = assign_person_ids(previous, clusters, counter_ids(start))
    return as_dict(a), a


# -- table cases -------------------------------------------------------------------------------

def test_first_linkage_gives_every_cluster_a_new_id_in_record_key_order():
    got, a = run(None, {"k3": "x", "k1": "y", "k2": "x"})
    assert got == {"k1": "N0100", "k2": "N0101", "k3": "N0101"}
    assert a.counts == {"kept": 0, "new": 2, "split": 0, "merged": 0, "retired": 0, "moved": 0}
    assert set(a.events) == {LineageEvent("new", None, "N0100", 0),
                             LineageEvent("new", None, "N0101", 0)}


@pytest.mark.parametrize(("name", "previous", "clusters", "expected", "counts", "events"), [
    ("unchanged: every id kept, nothing in the lineage",
     {"a": "P1", "b": "P1", "c": "P2"}, {"a": "x", "b": "x", "c": "y"},
     {"a": "P1", "b": "P1", "c": "P2"}, dict(kept=2), []),
    ("cluster ids are opaque: new labels change nothing",
     {"a": "P1", "b": "P1", "c": "P2"}, {"a": "zz", "b": "zz", "c": "aa"},
     {"a": "P1", "b": "P1", "c": "P2"}, dict(kept=2), []),
    ("added records join their person; a new person gets a new id",
     {"a": "P1"}, {"a": "x", "b": "x", "c": "y"},
     {"a": "P1", "b": "P1", "c": "N0100"}, dict(kept=1, new=1),
     [("new", None, "N0100", 0)]),
    ("merge: the larger overlap keeps its id, the other is retired",
     {"a": "P1", "b": "P1", "c": "P2"}, {"a": "x", "b": "x", "c": "x"},
     {"a": "P1", "b": "P1", "c": "P1"}, dict(kept=1, merged=1),
     [("merged", "P2", "P1", 1)]),
    ("merge tie: the larger earlier person, then the smaller id",
     {"a": "P2", "b": "P1"}, {"a": "x", "b": "x"},
     {"a": "P1", "b": "P1"}, dict(kept=1, merged=1), [("merged", "P2", "P1", 1)]),
    ("split: the larger part keeps the id, the rest get new ones",
     {"a": "P1", "b": "P1", "c": "P1"}, {"a": "x", "b": "y", "c": "y"},
     {"a": "N0100", "b": "P1", "c": "P1"}, dict(kept=1, split=1),
     [("split", "P1", "N0100", 1)]),
    ("split tie: the larger cluster keeps the id",
     {"a": "P1", "b": "P1"}, {"a": "x", "b": "y", "n": "y"},
     {"a": "N0100", "b": "P1", "n": "P1"}, dict(kept=1, split=1),
     [("split", "P1", "N0100", 1)]),
    ("split exact tie: the part with the smallest record key keeps the id",
     {"b": "P1", "a": "P1"}, {"a": "y", "b": "x"},
     {"a": "P1", "b": "N0100"}, dict(kept=1, split=1), [("split", "P1", "N0100", 1)]),
    ("retired: every record of a person is gone",
     {"a": "P1", "b": "P2"}, {"a": "x"},
     {"a": "P1"}, dict(kept=1, retired=1), [("retired", "P2", None, 0)]),
    ("typo fix joins two people while a wrong link is removed",
     {"a": "P1", "b": "P1", "c": "P2"}, {"a": "x", "b": "y", "c": "y"},
     {"a": "N0100", "b": "P1", "c": "P1"}, dict(kept=1, split=1, merged=1),
     [("merged", "P2", "P1", 1), ("split", "P1", "N0100", 1)]),
    ("records move between two surviving people",
     {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P2"},
     {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"},
     {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2"}, dict(kept=2, moved=1),
     [("moved", "P1", "P2", 1)]),
])
def test_assignment_table(name, previous, clusters, expected, counts, events):
    got, a = run(previous, clusters)
    assert got == expected, name
    full = {"kept": 0, "new": 0, "split": 0, "merged": 0, "retired": 0, "moved": 0, **counts}
    assert a.counts == full, name
    assert sorted((e.reason, e.old_id, e.new_id, e.records) for e in a.events) == \
        sorted(events), name


def test_arrow_tables_and_dicts_give_the_same_result():
    previous = {"a": "P1", "b": "P2"}
    clusters = {"a": "x", "b": "x", "c": "y"}
    as_tables = assign_person_ids(
        pa.table({"record_key": list(previous), "person_id": list(previous.values())}),
        pa.table({"record_key": list(clusters), "cluster_id": list(clusters.values())}),
        counter_ids(100))
    assert as_dict(as_tables) == run(previous, clusters)[0]


def test_a_record_in_two_clusters_is_refused():
    table = pa.table({"record_key": ["a", "a"], "cluster_id": ["x", "y"]})
    with pytest.raises(ValueError, match="record key a is in two clusters"):
        assign_person_ids(None, table, counter_ids())


def test_an_id_source_that_reuses_an_id_in_use_is_refused():
    with pytest.raises(ValueError, match="already in use"):
        assign_person_ids({"a": "P1"}, {"a": "x", "b": "y"}, lambda n: ["P1"] * n)


# -- against a plain reference, and invariants --------------------------------------------------

def reference(previous: dict[str, str], clusters: dict[str, str], new_ids) -> dict[str, str]:
    """The specification, written plainly: greedy matching over (cluster, person) pairs."""
    members: dict[str, list[str]] = {}
    for key, cluster in clusters.items():
        members.setdefault(cluster, []).append(key)
    sizes = Counter(previous.values())
    overlap = Counter((clusters[k], p) for k, p in previous.items() if k in clusters)
    order = sorted(overlap, key=lambda cp: (-overlap[cp], -len(members[cp[0]]), -sizes[cp[1]],
                                            min(members[cp[0]]), cp[1]))
    kept: dict[str, str] = {}
    for cluster, person in order:
        if cluster not in kept and person not in kept.values():
            kept[cluster] = person
    fresh = sorted((c for c in members if c not in kept), key=lambda c: min(members[c]))
    kept.update(zip(fresh, new_ids(len(fresh)), strict=True))
    return {k: kept[c] for k, c in clusters.items()}


linkages = st.tuples(
    st.dictionaries(st.sampled_from([f"k{i:02d}" for i in range(30)]),
                    st.sampled_from([f"P{i}" for i in range(8)]), max_size=30),
    st.dictionaries(st.sampled_from([f"k{i:02d}" for i in range(30)]),
                    st.sampled_from([f"c{i}" for i in range(10)]), min_size=1, max_size=30),
)


@settings(max_examples=80, deadline=None)
@given(linkages)
def test_matches_the_reference_and_keeps_its_invariants(linkage):
    previous, clusters = linkage
    got, a = run(previous, clusters)
    assert got == reference(previous, clusters, counter_ids(100))
    # every cluster gets exactly one id, and no two clusters share one
    ids_of_cluster = {c: {got[k] for k, cc in clusters.items() if cc == c}
                      for c in set(clusters.values())}
    assert all(len(ids) == 1 for ids in ids_of_cluster.values())
    assert len({next(iter(ids)) for ids in ids_of_cluster.values()}) == len(ids_of_cluster)
    # a kept id comes from a cluster that shares records with that earlier person
    for key, pid in got.items():
        if pid in set(previous.values()):
            assert any(previous.get(k) == pid for k, c in clusters.items()
                       if c == clusters[key])
    counts = a.counts
    assert counts["kept"] + counts["new"] + counts["split"] == len(ids_of_cluster)
    assert counts["kept"] + counts["merged"] + counts["retired"] == len(set(previous.values()))
    # deterministic, whatever the order of the rows and the names of the clusters
    shuffled = dict(reversed(list(clusters.items())))
    renamed = {k: f"other-{c}" for k, c in shuffled.items()}
    assert run(previous, renamed)[0] == got


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([f"k{i:02d}" for i in range(20)]),
                                st.sampled_from([f"c{i}" for i in range(6)]), min_size=1,
                                max_size=20), min_size=2, max_size=5))
def test_retired_ids_never_reappear_over_many_refreshes(refreshes):
    source = counter_ids(1)
    previous: dict[str, str] = {}
    retired: set[str] = set()
    issued: list[str] = []
    for clusters in refreshes:
        a = assign_person_ids(previous, clusters, source)
        got = as_dict(a)
        assert not retired & set(got.values())
        issued += a.new_ids
        retired |= set(previous.values()) - set(got.values())
        previous = got
    assert len(issued) == len(set(issued))


# -- random ids ---------------------------------------------------------------------------------

def test_random_ids_are_fresh_well_formed_and_avoid_what_they_are_told():
    pattern = re.compile(rf"^P[{ID_ALPHABET}]{{12}}$")
    assert pattern.match(random_id("P"))
    seen: list[list[str]] = []

    def avoid(candidates: list[str]) -> set[str]:
        seen.append(candidates)
        return set(candidates[:3]) if len(seen) == 1 else set()

    ids = random_ids("P", 500, avoid)
    assert len(ids) == len(set(ids)) == 500
    assert all(pattern.match(i) for i in ids)
    assert not set(seen[0][:3]) & set(ids) and len(seen) == 2 and len(seen[1]) == 3


def test_record_keys_are_unchanged():
    assert record_key(b"k" * 32, "mags", "1") == record_key(b"k" * 32, "mags", "1")
    assert len(record_key(b"k" * 32, "mags", "1")) == 32
