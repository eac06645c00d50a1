"""Over-merge splitting: clusters whose members contradict each other are split.

Connected components chain people together through single weak links: ``JOHN SMITH 1980`` and
``JOHN SMITH 1975`` land in one cluster when both link to a ``JOHN SMITH`` with no date of birth.
Two members *contradict* each other when comparing them directly, one identifier alone is strong
evidence that they are different people: its match weight is below :data:`CONTRADICTION` bits (with the
trained model that is, typically, two dates of birth that differ beyond a transposition or a
mistyped digit). Weak agreement is not contradiction: an alias record that shares only a date of
birth with the rest of its cluster contradicts no one.

For every cluster of three or more records, each pair of its distinct identifier profiles is
scored with the same model (:func:`representative_pairs_sql`; records whose compared identifiers
are all equal cannot contradict each other, so one record stands for each profile). A cluster with a contradicting pair
is rebuilt by constrained single linkage: its links at or above the clustering threshold are
taken strongest first, and a link joins two groups unless most pairs across them contradict each
other (:data:`MAX_CONTRADICTING`). A cluster without contradictions is left exactly as it was. Clusters
larger than :data:`MAX_CHECKED` are first cut with stricter thresholds until every part is small
enough to check (their pairs would be too many to score).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb

from fivesafes.linkage.graph import find_root
from fivesafes.sql import Fragment, Statement, compose, run

__all__ = ["CONTRADICTION", "MAX_CHECKED", "SplitResult", "constrained_components",
           "representative_pairs_sql", "split_clusters"]

#: A directly compared pair with one comparison's match weight below this many bits (a Bayes
#: factor below 1/1024) cannot be in one cluster.
CONTRADICTION = -10.0
#: Two groups are not joined when more than this share of the pairs across them contradict.
MAX_CONTRADICTING = 0.5
#: Clusters above this size are cut with stricter thresholds before their pairs are checked.
MAX_CHECKED = 400

Scorer = Callable[[str], str]  # DuckDB table of (join_key_l, join_key_r) -> scored pairs table


@dataclass(frozen=True)
class SplitResult:
    """What splitting did."""

    checked_clusters: int  # clusters of 3+ records whose pairs were all checked
    contradicting_clusters: int  # of those, clusters with a contradicting pair
    split_clusters: int  # clusters that ended in more than one part
    new_clusters: int  # clusters after splitting minus clusters before
    scored_pairs: int  # pairs scored only for this check
    cut_large: int  # clusters above MAX_CHECKED cut with stricter thresholds
    #: scored pairs that contradict by the rules of :mod:`~.contradictions`, never linked directly
    pairs_contradicting: int = 0
    #: of those, how many at or above the threshold (pairs the score alone would have linked)
    links_refused: int = 0
    #: clusters cut where records without a date of birth were the only tie (:mod:`~.bridges`)
    bridged_clusters: int = 0
    #: records without a date of birth that could be either of two people, so joined neither
    records_left_alone: int = 0


class _Groups:
    """Union-find whose groups keep their members, for contradiction checks."""

    def __init__(self, nodes: Iterable[str]) -> None:
        self.parent = {node: node for node in nodes}
        self.members = {node: [node] for node in self.parent}

    def find(self, node: str) -> str:
        return find_root(self.parent, node)

    def contradictions(self, a: str, b: str, cannot: dict[str, set[str]]) -> int:
        """How many pairs across the groups of ``a`` and ``b`` contradict each other."""
        ra, rb = self.find(a), self.find(b)
        small, large = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        return sum(1 for node in self.members[small] for other in cannot.get(node, ())
                   if self.find(other) == large)

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        small, large = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        self.parent[small] = large
        self.members[large].extend(self.members.pop(small))


def constrained_components(nodes: Iterable[str], links: Iterable[tuple[str, str, float]],
                           cannot: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Groups of ``nodes`` from ``links`` taken strongest first; a link does not join two
    groups when more than :data:`MAX_CONTRADICTING` of the pairs across them contradict each
    other (one odd record with a few errors still joins its group; two people do not)."""
    groups = _Groups(nodes)
    forbidden: dict[str, set[str]] = defaultdict(set)
    for a, b in cannot:
        forbidden[a].add(b)
        forbidden[b].add(a)
    for a, b, _ in sorted(links, key=lambda link: (-link[2], link[0], link[1])):
        ra, rb = groups.find(a), groups.find(b)
        if ra == rb:
            continue
        across = len(groups.members[ra]) * len(groups.members[rb])
        if groups.contradictions(a, b, forbidden) > MAX_CONTRADICTING * across:
            continue
        groups.join(a, b)
    return sorted(sorted(members) for members in groups.members.values())


def _components(nodes: list[str], links: list[tuple[str, str, float]], threshold: float
                ) -> list[list[str]]:
    return constrained_components(nodes, [link for link in links if link[2] >= threshold], ())


def _cut_large(members: list[str], links: list[tuple[str, str, float]], threshold: float
               ) -> list[list[str]]:
    """Raise the threshold on one cluster's links until every part has MAX_CHECKED or fewer."""
    parts, pending = [], [(members, threshold)]
    while pending:
        group, level = pending.pop()
        if len(group) <= MAX_CHECKED or level >= 1.0:
            parts.append(group)
            continue
        stricter = 1.0 - (1.0 - level) / 10 if level < 0.999999 else 1.0
        inside = set(group)
        mine = [link for link in links if link[0] in inside and link[1] in inside]
        pending.extend((part, stricter) for part in _components(group, mine, stricter))
    return parts


def representative_pairs_sql(members: str) -> str:
    """Pairs of distinct identifier profiles within each cluster, one record standing for each
    profile (records with identical identifiers cannot contradict each other), l < r."""
    return compose("""
        WITH reps AS (SELECT cluster_id, profile, min(node) AS node FROM {members}
                      GROUP BY cluster_id, profile)
        SELECT '0' AS match_key, a.node AS join_key_l, b.node AS join_key_r
        FROM reps AS a JOIN reps AS b ON a.cluster_id = b.cluster_id AND a.node < b.node
    """, members=members)


# -- the statements (pure builders; table names are quoted, values bound) ---------------------

def count_clusters(clusters: str) -> Statement:
    return Statement("split: count clusters", compose(
        "SELECT count(DISTINCT cluster_id) FROM {clusters}", clusters=clusters))


def large_clusters(clusters: str) -> Statement:
    return Statement("split: find clusters too large to check", compose(
        "SELECT cluster_id FROM {clusters} GROUP BY 1 HAVING count(*) > $1", clusters=clusters),
        [MAX_CHECKED])


def members_statement(clusters: str, profiles: str) -> Statement:
    """``_split_members``: the members of clusters of three or more, with their profiles."""
    return Statement("split: members of clusters to check", compose("""
        CREATE OR REPLACE TEMP TABLE _split_members AS
        SELECT c.cluster_id, c.node, p.profile FROM {clusters} AS c JOIN {profiles} AS p USING (node)
        WHERE c.cluster_id IN (SELECT cluster_id FROM {clusters} GROUP BY 1 HAVING count(*) >= 3)
    """, clusters=clusters, profiles=profiles))


def representatives_statement() -> Statement:
    """``_split_reps``: the pairs of profiles to score (:func:`representative_pairs_sql`)."""
    return Statement("split: representative pairs", compose(
        "CREATE OR REPLACE TEMP TABLE _split_reps AS {pairs}",
        pairs=Fragment(representative_pairs_sql("_split_members"))))


def against_statement(extra: str, ruled: bool) -> Statement:
    """``_split_against``: the profile pairs of ``extra`` (scored representatives) that
    contradict; with ``ruled``, also those flagged by :mod:`~.contradictions`."""
    return Statement("split: contradicting pairs", compose("""
        CREATE OR REPLACE TEMP TABLE _split_against AS
        SELECT m.cluster_id, a.profile AS profile_l, b.profile AS profile_r
        FROM {extra} AS x JOIN _split_members AS m ON m.node = x.join_key_l
        JOIN _split_members AS a ON a.node = x.join_key_l
        JOIN _split_members AS b ON b.node = x.join_key_r
        WHERE x.min_weight < $1 OR {ruled}""", extra=extra,
        ruled=Fragment("x.contradicts" if ruled else "false")), [CONTRADICTION])


def describe(table: str) -> Statement:
    return Statement("split: read columns", compose("DESCRIBE {table}", table=table))


def drop(table: str) -> Statement:
    return Statement("split: drop a work table", compose("DROP TABLE IF EXISTS {table}",
                                                         table=table))


def chosen_statement(clusters: list[str]) -> Statement:
    """``_split_bad``: the clusters to rebuild or cut."""
    return Statement("split: clusters to rebuild",
                     "CREATE OR REPLACE TEMP TABLE _split_bad AS SELECT unnest($1) AS cluster_id",
                     [clusters])


def chosen_members(members: str) -> Statement:
    return Statement("split: members of clusters to rebuild", compose(
        "SELECT cluster_id, node FROM {members} "
        "WHERE cluster_id IN (SELECT cluster_id FROM _split_bad)", members=members))


def chosen_links(scored: str, members: str, threshold: float, linkable: bool) -> Statement:
    """The links at or above ``threshold`` inside each chosen cluster (``members`` has
    ``cluster_id`` and ``node``); with ``linkable``, none flagged as contradicting."""
    return Statement("split: links of clusters to rebuild", compose("""
        SELECT l.cluster_id, p.join_key_l, p.join_key_r, p.match_probability
        FROM {scored} AS p JOIN {members} AS l ON l.node = p.join_key_l
        JOIN {members} AS r ON r.node = p.join_key_r AND r.cluster_id = l.cluster_id
        WHERE l.cluster_id IN (SELECT cluster_id FROM _split_bad) AND p.match_probability >= $1
          {linkable}
    """, scored=scored, members=members,
        linkable=Fragment("AND NOT p.contradicts" if linkable else "")), [threshold])


CANNOT = Statement("split: contradicting members", """
        SELECT x.cluster_id, a.node, b.node FROM _split_against AS x
        JOIN _split_members AS a ON a.cluster_id = x.cluster_id AND a.profile = x.profile_l
        JOIN _split_members AS b ON b.cluster_id = x.cluster_id AND b.profile = x.profile_r
    """)
CHECKED = Statement("split: count checked clusters",
                    "SELECT count(DISTINCT cluster_id) FROM _split_members")
COMPARED = Statement("split: count representative pairs", "SELECT count(*) FROM _split_reps")
BAD = Statement("split: clusters with contradictions",
                "SELECT DISTINCT cluster_id FROM _split_against ORDER BY 1")


def assign_statement(clusters: str) -> Statement:
    """Give the nodes of registered table ``_split_new`` (:func:`assign_clusters`) their new
    cluster ids."""
    return Statement("split: assign new clusters", compose("""
        UPDATE {clusters} AS c SET cluster_id = n.cluster_id
        FROM _split_new AS n WHERE c.node = n.node
    """, clusters=clusters))


# -- running them -----------------------------------------------------------------------------

def split_clusters(con: duckdb.DuckDBPyConnection, clusters: str, scored: str,
                   profiles: str, threshold: float, score: Scorer,
                   features: str | None = None) -> SplitResult:
    """Split over-merged clusters in place.

    ``clusters`` has ``node`` (the composite record id) and ``cluster_id``; ``scored`` has
    ``join_key_l``, ``join_key_r`` (l < r), ``match_probability`` and ``min_weight`` for the
    predicted pairs; ``profiles`` has ``node`` and ``profile`` (equal for records whose compared
    identifiers are all equal). ``score`` scores a table of extra pairs with the model. With
    ``features`` (the features table), a pair that contradicts by the rules of
    :mod:`~.contradictions` is a contradiction too. ``clusters`` is rewritten. The tables are
    named unquoted (they are quoted here).
    """
    before = run(con, count_clusters(clusters)).fetchall()[0][0]
    large = [row[0] for row in run(con, large_clusters(clusters)).fetchall()]
    if large:
        _cut(con, clusters, scored, threshold, large)
    run(con, members_statement(clusters, profiles))
    checked = run(con, CHECKED).fetchall()[0][0]
    run(con, representatives_statement())
    compared = run(con, COMPARED).fetchall()[0][0]
    bad: list[str] = []
    if compared:
        extra = score("_split_reps")
        if features is not None:
            from fivesafes.linkage.contradictions import flag_contradictions

            flag_contradictions(con, extra, features)
        run(con, against_statement(extra, ruled=features is not None))
        bad = [row[0] for row in run(con, BAD).fetchall()]
    split = _rebuild(con, clusters, scored, bad, threshold) if bad else 0
    after = run(con, count_clusters(clusters)).fetchall()[0][0]
    for table in ("_split_members", "_split_reps", "_split_against"):
        run(con, drop(table))
    return SplitResult(checked_clusters=int(checked), contradicting_clusters=len(bad),
                       split_clusters=split + len(large), new_clusters=int(after - before),
                       scored_pairs=int(compared), cut_large=len(large))


def _linkable(con: duckdb.DuckDBPyConnection, scored: str) -> bool:
    """Whether ``scored`` flags contradicting pairs (which are then never links)."""
    return "contradicts" in [row[0] for row in run(con, describe(scored)).fetchall()]


def _load(con: duckdb.DuckDBPyConnection, statement: Statement) -> dict[str, list[tuple]]:
    by_cluster: dict[str, list[tuple]] = defaultdict(list)
    for cluster_id, *rest in run(con, statement).fetchall():
        by_cluster[cluster_id].append(tuple(rest))
    return by_cluster


def _rebuild(con: duckdb.DuckDBPyConnection, clusters: str, scored: str, bad: list[str],
             threshold: float) -> int:
    run(con, chosen_statement(bad))
    members = _load(con, chosen_members("_split_members"))
    links = _load(con, chosen_links(scored, "_split_members", threshold,
                                    _linkable(con, scored)))
    cannot = _load(con, CANNOT)
    nodes, ids, split = [], [], 0
    for cluster_id in bad:
        parts = constrained_components(
            [m[0] for m in members[cluster_id]], links.get(cluster_id, []),
            cannot.get(cluster_id, []))
        split += len(parts) > 1
        for part in parts:
            nodes.extend(part)
            ids.extend([part[0]] * len(part))
    assign_clusters(con, clusters, nodes, ids)
    run(con, drop("_split_bad"))
    return split


def assign_clusters(con: duckdb.DuckDBPyConnection, clusters: str, nodes: list[str],
                    ids: list[str]) -> None:
    """Rewrite the ``cluster_id`` of each of ``nodes`` in table ``clusters`` to ``ids``."""
    import pyarrow as pa

    con.register("_split_new", pa.table({"node": nodes, "cluster_id": ids}))
    try:
        run(con, assign_statement(clusters))
    finally:
        con.unregister("_split_new")


def _cut(con: duckdb.DuckDBPyConnection, clusters: str, scored: str, threshold: float,
         large: list[str]) -> None:
    run(con, chosen_statement(large))
    members = _load(con, chosen_members(clusters))
    links = _load(con, chosen_links(scored, clusters, threshold, _linkable(con, scored)))
    nodes, ids = [], []
    for cluster_id in large:
        for part in _cut_large([m[0] for m in members[cluster_id]], links.get(cluster_id, []),
                               threshold):
            part = sorted(part)
            nodes.extend(part)
            ids.extend([part[0]] * len(part))
    assign_clusters(con, clusters, nodes, ids)
    run(con, drop("_split_bad"))
