"""Meaningless keys that replace identifiers.

A *record key* names one source record without revealing it: the HMAC-SHA256, under a secret held
in the linkage zone, of the source name and the record's id in that source. The same source
record keeps its key in every refresh; without the secret, a key cannot be traced back to the
record id or recomputed from it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from fivesafes.sql import Params

RECORD_KEY_HEX = 32  # 128 bits


def record_key(secret: bytes, source: str, record_id: str) -> str:
    message = source.encode("utf-8") + b"\x00" + record_id.encode("utf-8")
    return hmac.digest(secret, message, "sha256").hex()[:RECORD_KEY_HEX]


def record_keys(secret: bytes, source: str, record_ids: pa.Array) -> pa.Array:
    """Record keys for an array of (non-null) record ids."""
    prefix = source.encode("utf-8") + b"\x00"
    digest = hmac.digest
    keys = [
        digest(secret, prefix + rid.encode("utf-8"), "sha256").hex()[:RECORD_KEY_HEX]
        for rid in record_ids.to_pylist()
    ]
    return pa.array(keys, pa.string())


# -- meaningless ids ---------------------------------------------------------------------------
#
# A *person id* names one linked person in research-ready datasets; a *replaced id* stands in for
# an operational id (case, prison or probation number) within one release. Both are drawn from
# ``secrets``, so they carry nothing of any identifier, record id or cluster id. They are written
# with Crockford's base32 alphabet (no I, L, O or U, so no misreading and no accidental words).

ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_RANDOM_CHARS = 12  # 60 bits
PERSON_ID_PREFIX = "P"
REPLACED_ID_PREFIX = "R"


def random_id(prefix: str) -> str:
    """A fresh random id: ``prefix`` and 12 base32 characters, e.g. ``P7K2M0QX4D9RT``."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_RANDOM_CHARS))


def random_ids(prefix: str, count: int, avoid: Callable[[list[str]], set[str]] | None = None
               ) -> list[str]:
    """``count`` distinct fresh ids. ``avoid(candidates)`` returns the candidates that must not
    be used (ever issued before, or equal to an operational id); those are drawn again."""
    chosen: list[str] = []
    seen: set[str] = set()
    while len(chosen) < count:
        want = count - len(chosen)
        raw = secrets.token_bytes(want * ID_RANDOM_CHARS)
        batch = [prefix + "".join(ID_ALPHABET[b & 31] for b in raw[i:i + ID_RANDOM_CHARS])
                 for i in range(0, len(raw), ID_RANDOM_CHARS)]
        batch = [b for b in dict.fromkeys(batch) if b not in seen]
        refused = avoid(batch) if avoid is not None and batch else set()
        for candidate in batch:
            if candidate not in refused:
                seen.add(candidate)
                chosen.append(candidate)
    return chosen


# -- person ids stable across refreshes --------------------------------------------------------

KEPT, NEW, SPLIT, MERGED, MOVED, RETIRED = "kept", "new", "split", "merged", "moved", "retired"


@dataclass(frozen=True)
class LineageEvent:
    """One change of person id. ``old_id`` is None for a brand-new person, ``new_id`` is None for
    a person whose records are all gone. ``records`` counts the record keys that moved."""

    reason: str  # new | split | merged | moved | retired
    old_id: str | None
    new_id: str | None
    records: int


@dataclass(frozen=True)
class Assignment:
    """The outcome of :func:`assign_person_ids`: the new person key map (``record_key``,
    ``person_id``), every lineage event, and the counts of the run."""

    person_map: pa.Table
    events: tuple[LineageEvent, ...]
    counts: dict[str, int]

    @property
    def new_ids(self) -> list[str]:
        """The ids first issued by this assignment (once each)."""
        return list(dict.fromkeys(e.new_id for e in self.events
                                  if e.reason in (NEW, SPLIT) and e.new_id))


_PAIRS_SQL = """
WITH clusters AS (SELECT DISTINCT record_key, cluster_id FROM new_clusters),
sizes AS (SELECT cluster_id, count(*) AS size, min(record_key) AS anchor
          FROM clusters GROUP BY cluster_id),
persons AS (SELECT person_id, count(*) AS person_size FROM previous GROUP BY person_id),
shared AS (SELECT c.cluster_id, p.person_id, count(*) AS overlap
             FROM clusters c JOIN previous p USING (record_key) GROUP BY ALL)
SELECT o.cluster_id, o.person_id, o.overlap
FROM shared o JOIN sizes USING (cluster_id) JOIN persons USING (person_id)
ORDER BY o.overlap DESC, sizes.size DESC, persons.person_size DESC, sizes.anchor, o.person_id
"""


_database: duckdb.DuckDBPyConnection | None = None


def _cursor() -> duckdb.DuckDBPyConnection:
    """A connection of its own (registered tables are private to it) to one shared in-memory
    database, which is opened once: opening one costs more than a small assignment."""
    global _database
    if _database is None:
        _database = duckdb.connect()
        _database.execute("SET threads = 2")
        _database.execute("SET enable_progress_bar = false")
    return _database.cursor()


def _as_table(value: pa.Table | Mapping[str, str] | None, columns: tuple[str, str]) -> pa.Table:
    if value is None:
        value = {}
    if isinstance(value, Mapping):
        return pa.table({columns[0]: pa.array(list(value.keys()), pa.string()),
                         columns[1]: pa.array(list(value.values()), pa.string())})
    return value.select(list(columns))


def assign_person_ids(previous: pa.Table | Mapping[str, str] | None,
                      clusters: pa.Table | Mapping[str, str],
                      new_ids: Callable[[int], list[str]]) -> Assignment:
    """Give every cluster of a new linkage a person id, keeping ids stable across refreshes.

    ``previous`` maps record key -> person id (the last assignment; empty for the first),
    ``clusters`` maps record key -> cluster id (opaque), and ``new_ids(n)`` returns n fresh ids.
    Pairs (cluster, earlier person) are taken in order of the number of record keys they share
    (ties: larger cluster, larger earlier person, the cluster's smallest record key, the person
    id), and a cluster keeps the earlier id of the first pair in which neither is taken yet. So
    each cluster keeps the id of the earlier person it overlaps most, a split keeps the id on the
    larger part, and a merge keeps the id of the larger overlap and retires the others. Clusters
    left without an id get new ones in order of their smallest record key. Deterministic given
    ``new_ids``; touches no file and no database.
    """
    prev = _as_table(previous, ("record_key", "person_id"))
    new = _as_table(clusters, ("record_key", "cluster_id"))
    con = _cursor()
    try:
        con.register("previous", prev)
        con.register("new_clusters", new)
        duplicated = con.sql("SELECT record_key FROM (SELECT DISTINCT record_key, cluster_id "
                             "FROM new_clusters) GROUP BY record_key HAVING count(*) > 1 "
                             "LIMIT 1").fetchall()
        if duplicated:
            raise ValueError(f"record key {duplicated[0][0]} is in two clusters")
        pairs = con.sql(_PAIRS_SQL).fetchnumpy()
        anchors = con.sql("SELECT cluster_id FROM new_clusters GROUP BY cluster_id "
                          "ORDER BY min(record_key)").fetchnumpy()["cluster_id"].tolist()
        previous_ids = con.sql("SELECT person_id, count(*) FROM previous GROUP BY person_id "
                               "ORDER BY person_id").fetchall()
        plan = _plan(pairs["cluster_id"].tolist(), pairs["person_id"].tolist(),
                     pairs["overlap"].tolist(), anchors, dict(previous_ids), new_ids)
        ids = pa.table({"cluster_id": pa.array(list(plan.ids), new.schema.field(1).type),
                        "person_id": pa.array(list(plan.ids.values()), pa.string())})
        con.register("ids", ids)
        person_map = con.sql(
            "SELECT DISTINCT c.record_key, i.person_id FROM new_clusters c "
            "JOIN ids i USING (cluster_id) ORDER BY c.record_key"
        ).to_arrow_table()
    finally:
        con.close()
    return Assignment(person_map, plan.events, plan.counts)


@dataclass(frozen=True)
class _Plan:
    ids: dict[Any, str]  # cluster id -> person id
    events: tuple[LineageEvent, ...]
    counts: dict[str, int]


def _plan(pair_clusters: list[Any], pair_persons: list[str], pair_overlaps: list[int],
          clusters_in_order: list[Any], previous_sizes: dict[str, int],
          new_ids: Callable[[int], list[str]]) -> _Plan:
    """The greedy matching over (cluster, person, overlap) pairs sorted best first."""
    kept: dict[Any, str] = {}
    taken: set[str] = set()
    for cluster, person in zip(pair_clusters, pair_persons, strict=True):
        if cluster not in kept and person not in taken:
            kept[cluster] = person
            taken.add(person)
    fresh_for = [c for c in clusters_in_order if c not in kept]
    issued = new_ids(len(fresh_for))
    if len(issued) != len(fresh_for) or len(set(issued)) != len(issued):
        raise ValueError("new_ids must return the number of distinct ids asked for")
    reused = set(issued) & set(previous_sizes)
    if reused:
        raise ValueError(f"new_ids returned an id already in use: {sorted(reused)[0]}")
    ids = {**kept, **dict(zip(fresh_for, issued, strict=True))}
    overlapping_clusters = set(pair_clusters)
    overlapping_persons = set(pair_persons)
    events: list[LineageEvent] = []
    for cluster in fresh_for:
        if cluster not in overlapping_clusters:
            events.append(LineageEvent(NEW, None, ids[cluster], 0))
    merged_into: set[str] = set()
    for cluster, person, overlap in zip(pair_clusters, pair_persons, pair_overlaps,
                                        strict=True):
        now = ids[cluster]
        if now == person:
            continue
        if cluster not in kept:
            reason = SPLIT
        elif person in taken:
            reason = MOVED
        else:
            reason = MERGED
            merged_into.add(person)
        events.append(LineageEvent(reason, person, now, int(overlap)))
    gone = [p for p in previous_sizes if p not in overlapping_persons]
    events.extend(LineageEvent(RETIRED, p, None, 0) for p in gone)
    split_clusters = [c for c in fresh_for if c in overlapping_clusters]
    counts = {KEPT: len(kept), NEW: len(fresh_for) - len(split_clusters),
              SPLIT: len(split_clusters), MERGED: len(merged_into), RETIRED: len(gone),
              MOVED: sum(1 for e in events if e.reason == MOVED)}
    return _Plan(ids, tuple(events), counts)


# -- project pseudonyms ------------------------------------------------------------------------
#
# In a project's extract, every person id and replaced id is re-keyed: the keyed HMAC-SHA256
# (RFC 2104), under a key held for that project only, of what the id stands for and its value.
# Two projects' keys differ, so their extracts share no id and cannot be joined; a project keeps
# its key, so a person keeps their pseudonym across rebuilds. Without the key a pseudonym cannot
# be traced back to the research-ready id, nor recomputed from it.
#
# :func:`project_pseudonyms` computes them in Python; :func:`project_pseudonym_sql` computes the
# same values inside DuckDB (HMAC written out from its definition over DuckDB's SHA-256, the
# padded keys bound as parameters, never in the SQL text), which is what an extract build uses.

PROJECT_PSEUDONYM_HEX = 20  # 80 bits
PROJECT_PERSON_PREFIX = "PX"
PROJECT_REPLACED_PREFIX = "RX"
_HMAC_BLOCK = 64  # SHA-256's block size


def project_pseudonyms(key: bytes, kind: str, prefix: str, values: list[str]) -> list[str]:
    """The project pseudonym of each value: ``prefix`` and the first 20 hex digits (upper case)
    of HMAC-SHA256(key, kind NUL value). ``kind`` (``person``, ``replaced``) keeps ids of
    different kinds apart even if their values were equal."""
    head = kind.encode("utf-8") + b"\x00"
    digest = hmac.digest
    return [prefix + digest(key, head + v.encode("utf-8"), "sha256").hex()[
        :PROJECT_PSEUDONYM_HEX].upper() for v in values]


def _padded_keys(key: bytes) -> tuple[bytes, bytes]:
    if not 16 <= len(key) <= _HMAC_BLOCK:
        raise ValueError("a project pseudonym key has 16 to 64 bytes")
    block = key.ljust(_HMAC_BLOCK, b"\x00")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def project_pseudonym_sql(column: str, key: bytes, kind: str, prefix: str, p: Params) -> str:
    """A DuckDB expression giving :func:`project_pseudonyms` of the VARCHAR expression
    ``column`` (NULL stays NULL). ``p`` collects the bound values."""
    inner, outer = _padded_keys(key)
    message = f"encode({p(kind + chr(0))} || {column})"
    mac = f"sha256({p(outer)}::BLOB || unhex(sha256({p(inner)}::BLOB || {message})))"
    return (f"CASE WHEN {column} IS NULL THEN NULL ELSE {p(prefix)} || "
            f"upper(left({mac}, {PROJECT_PSEUDONYM_HEX})) END")
