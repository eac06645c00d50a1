"""Records without a date of birth that bridge people: each goes with one person, or none.

A record with no date of birth (a quick entry, a partial referral) can only be linked on its name,
sex and perhaps postcode, so it matches every person of that name equally well. Clustering takes
every link at or above the threshold, so one such record linked to ``JOHN SMITH 1980`` and to
``JOHN SMITH 1975`` makes the two men one person, although nothing compares their records.

The rule, for every cluster:

1. Its records that have a date of birth, joined by their direct links to each other (at or above
   the threshold, none that contradicts, :mod:`~.contradictions`), form the cluster's *core
   groups*. A cluster with one core group, or none, is left exactly as it is.
2. With two or more core groups, a record without a date of birth cannot join them. It goes with
   the core group it links to most strongly when that group takes the threshold's share of its
   evidence: with ``o`` the odds of its strongest link to each group, ``o_best / (1 + sum(o))``
   is at or above the threshold (the model scores each pair as if no other candidate existed;
   when a record is as likely to be either of two people, it is neither, so it stays apart).
3. The remaining links between records without a date of birth, strongest first, join groups as
   long as they never join two core groups, nor a record left apart in step 2 to a core group.

Each part is named by its smallest member, as clusters are. Failure modes: a person whose own
records carry two dates of birth that do not link directly (a wrong date beyond a slip in one
system) stays split wherever only a record without a date joined them; a record without a date
whose name is shared by two people is left alone even when its postcode would have told them
apart, unless that postcode made one link much stronger than the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from fivesafes.linkage.graph import component_labels, find_root
from fivesafes.linkage.split import assign_clusters
from fivesafes.sql import Statement, compose, run

__all__ = ["BridgeResult", "detach_bridges", "regroup"]


@dataclass(frozen=True)
class BridgeResult:
    """What the bridge rule did."""

    checked_clusters: int  # clusters with a record without a date of birth and 2+ core groups
    bridged_clusters: int  # of those, clusters that ended in more than one part
    records_left_alone: int  # records without a date of birth that went with no core group
    new_clusters: int  # clusters after the rule minus clusters before


class _Parts:
    """Union-find whose groups remember the core group they hold (or None), and whether they
    hold a record that could be either of two core groups (which then joins neither)."""

    def __init__(self, core_of: dict[str, str | None], ambiguous: Iterable[str] = ()) -> None:
        self.parent = {node: node for node in core_of}
        self.core = dict(core_of)
        self.ambiguous = {node: False for node in core_of} | {node: True for node in ambiguous}

    def find(self, node: str) -> str:
        return find_root(self.parent, node)

    def join(self, a: str, b: str) -> bool:
        """Join the groups of ``a`` and ``b`` unless that joins two different core groups."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ca, cb = self.core[ra], self.core[rb]
        if ca is not None and cb is not None and ca != cb:
            return False
        if (self.ambiguous[ra] and cb is not None) or (self.ambiguous[rb] and ca is not None):
            return False
        keep, gone = sorted((ra, rb))
        self.parent[gone] = keep
        self.core[keep] = ca if ca is not None else cb
        self.ambiguous[keep] = self.ambiguous[ra] or self.ambiguous[rb]
        return True


def _odds(probability: float) -> float:
    return float("inf") if probability >= 1.0 else probability / (1.0 - probability)


def regroup(members: Iterable[tuple[str, bool]], links: Iterable[tuple[str, str, float]],
            threshold: float) -> tuple[list[list[str]], int, int]:
    """The parts of one cluster under the rule of the module docstring, its number of core
    groups, and how many records without a date of birth were left with no core group.
    ``members`` are ``(node, has_dob)``; ``links`` are ``(node, node, probability)`` at or above
    the threshold, none contradicting."""
    has_dob = dict(members)
    links = sorted(links, key=lambda link: (-link[2], link[0], link[1]))
    core = _Parts({node: None for node in has_dob})
    for a, b, _ in links:
        if has_dob[a] and has_dob[b]:
            core.join(a, b)
    core_of = {node: core.find(node) if dated else None for node, dated in has_dob.items()}
    groups = len({c for c in core_of.values() if c is not None})
    if groups < 2:
        return [sorted(has_dob)], groups, 0
    best: dict[str, dict[str, float]] = defaultdict(dict)  # undated record -> core -> odds
    for a, b, probability in links:
        for undated, dated in ((a, b), (b, a)):
            if not has_dob[undated] and has_dob[dated]:
                group = core_of[dated]
                best[undated][group] = max(best[undated].get(group, 0.0), _odds(probability))
    assigned: dict[str, str | None] = dict(core_of)
    ambiguous = []
    for node, dated in has_dob.items():
        if dated:
            continue
        candidates = best.get(node, {})
        assigned[node] = _choose(candidates, threshold)
        if candidates and assigned[node] is None:
            ambiguous.append(node)
    parts = _Parts(assigned, ambiguous)
    for node, group in assigned.items():
        if group is not None:
            parts.join(node, group)
    for a, b, _ in links:
        if not (has_dob[a] and has_dob[b]):
            parts.join(a, b)
    grouped: dict[str, list[str]] = defaultdict(list)
    for node in has_dob:
        grouped[parts.find(node)].append(node)
    return sorted(sorted(part) for part in grouped.values()), groups, len(ambiguous)


def _choose(candidates: dict[str, float], threshold: float) -> str | None:
    """The core group that takes at least ``threshold`` of a record's evidence, or None."""
    if not candidates:
        return None
    group, top = min(candidates.items(), key=lambda item: (-item[1], item[0]))
    if top == float("inf"):
        shared = sum(1 for odds in candidates.values() if odds == float("inf"))
        return group if shared == 1 else None
    return group if top / (1.0 + sum(candidates.values())) >= threshold else None


# -- the statements (pure builders; tables quoted, values bound) -------------------------------

def candidates_statement(clusters: str, features: str) -> Statement:
    """``_bridge_members``: the members of clusters holding a record without a date of birth
    and two or more with one, marked ``has_dob`` and numbered from 0 (``ix``). Starts from the
    few records without a date, so the million others are only joined by cluster."""
    return Statement("bridges: members of clusters to check", compose("""
        CREATE OR REPLACE TEMP TABLE _bridge_members AS
        WITH undated AS (SELECT source_dataset || '-__-' || unique_id AS node FROM {features}
                         WHERE dob IS NULL),
             chosen AS (SELECT DISTINCT c.cluster_id FROM {clusters} AS c JOIN undated USING (node)),
             m AS (SELECT c.cluster_id, c.node, u.node IS NULL AS has_dob
                   FROM {clusters} AS c JOIN chosen USING (cluster_id)
                   LEFT JOIN undated AS u ON u.node = c.node)
        SELECT *, row_number() OVER (ORDER BY node) - 1 AS ix FROM m WHERE cluster_id IN (
            SELECT cluster_id FROM m GROUP BY 1 HAVING count(*) FILTER (WHERE has_dob) >= 2)
    """, clusters=clusters, features=features))


def links_statement(pairs: str, threshold: float) -> Statement:
    """``_bridge_links``: the links inside the clusters of ``_bridge_members``: at or above
    ``threshold``, none that contradicts."""
    return Statement("bridges: find the links", compose("""
        CREATE OR REPLACE TEMP TABLE _bridge_links AS
        SELECT l.cluster_id, p.join_key_l, p.join_key_r, p.match_probability,
            l.ix AS ix_l, r.ix AS ix_r, l.has_dob AND r.has_dob AS dated
        FROM {pairs} AS p JOIN _bridge_members AS l ON l.node = p.join_key_l
        JOIN _bridge_members AS r ON r.node = p.join_key_r AND r.cluster_id = l.cluster_id
        WHERE p.match_probability >= $1 AND NOT coalesce(p.contradicts, false)
    """, pairs=pairs), [threshold])


COUNT = Statement("bridges: count the members", "SELECT count(*) FROM _bridge_members")
DATED_ENDS = Statement("bridges: read the links between records with a date of birth",
                       "SELECT ix_l, ix_r FROM _bridge_links WHERE dated")
DATED_MEMBERS = Statement(
    "bridges: read the members with a date of birth",
    "SELECT ix, dense_rank() OVER (ORDER BY cluster_id) AS c FROM _bridge_members WHERE has_dob")
CLUSTER_OF = Statement("bridges: name the clusters by number", """
    SELECT DISTINCT cluster_id, dense_rank() OVER (ORDER BY cluster_id) AS c
    FROM _bridge_members""")
MEMBERS = Statement("bridges: read the members of clusters with two core groups", """
    SELECT cluster_id, node, has_dob FROM _bridge_members
    WHERE cluster_id IN (SELECT cluster_id FROM _bridge_chosen) ORDER BY 1, 2""")
LINKS = Statement("bridges: read the links of clusters with two core groups", """
    SELECT cluster_id, join_key_l, join_key_r, match_probability FROM _bridge_links
    WHERE cluster_id IN (SELECT cluster_id FROM _bridge_chosen)""")


DROPS = [Statement("bridges: drop a work table", f"DROP TABLE IF EXISTS {table}")
         for table in ("_bridge_members", "_bridge_links", "_bridge_chosen")]


def _with_two_cores(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The candidate clusters whose records with a date of birth form two or more core groups:
    connected components of their direct links, in one pass over every candidate (scipy)."""
    import numpy as np

    size = int(run(con, COUNT).fetchall()[0][0])
    if size == 0:
        return []
    ends = run(con, DATED_ENDS).fetchnumpy()
    labels = component_labels(size, ends["ix_l"], ends["ix_r"])
    dated = run(con, DATED_MEMBERS).fetchnumpy()
    pairs = np.unique(np.stack([dated["c"].astype(np.int64),
                                labels[dated["ix"].astype(np.int64)]]), axis=1)
    numbers, cores = np.unique(pairs[0], return_counts=True)
    chosen = set(numbers[cores >= 2].tolist())
    return sorted(cluster_id for cluster_id, number in run(con, CLUSTER_OF).fetchall()
                  if number in chosen)


def detach_bridges(con: duckdb.DuckDBPyConnection, clusters: str, pairs: str, features: str,
                   threshold: float) -> BridgeResult:
    """Apply the rule of the module docstring to table ``clusters`` (``node``, ``cluster_id``)
    in place, reading the links from ``pairs`` (``join_key_l``, ``join_key_r``,
    ``match_probability``, ``contradicts``) and the dates of birth from ``features``.

    Core groups are found for every candidate cluster in one pass; only clusters with two or
    more are regrouped one by one (at a million records, 241 of 13,033 candidates)."""
    import pyarrow as pa

    try:
        run(con, candidates_statement(clusters, features))
        run(con, links_statement(pairs, threshold))
        chosen = _with_two_cores(con)
        con.register("_bridge_chosen_rows", pa.table({"cluster_id": pa.array(chosen, pa.string())}))
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _bridge_chosen AS "
                        "SELECT * FROM _bridge_chosen_rows")
        finally:
            con.unregister("_bridge_chosen_rows")
        members: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for cluster_id, node, dated in run(con, MEMBERS).fetchall():
            members[cluster_id].append((node, bool(dated)))
        links: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        for cluster_id, a, b, probability in run(con, LINKS).fetchall():
            links[cluster_id].append((a, b, float(probability)))
        nodes: list[str] = []
        ids: list[str] = []
        bridged = alone = new = 0
        for cluster_id in chosen:
            parts, _, left = regroup(members[cluster_id], links.get(cluster_id, []), threshold)
            alone += left
            if len(parts) > 1:
                bridged += 1
                new += len(parts) - 1
                for part in parts:
                    nodes.extend(part)
                    ids.extend([part[0]] * len(part))
        if nodes:
            assign_clusters(con, clusters, nodes, ids)
    finally:
        for statement in DROPS:
            run(con, statement)
    return BridgeResult(checked_clusters=len(chosen), bridged_clusters=bridged,
                        records_left_alone=alone, new_clusters=new)
