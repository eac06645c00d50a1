"""One linkage run, phase by phase: standardise, train, predict, cluster, split (over-merged
clusters, then records without a date of birth that bridge people, :mod:`~.bridges`).

:func:`link_tables` takes identifier tables (:mod:`~.inputs`) and returns a :class:`LinkOutcome`:
the person key map, the trained model, the counts and the time each phase took, and everything
the quality report shows. It writes nothing outside the work folder it is given; the callers
(:mod:`~.runs`) decide where results go. Splink runs on the chosen engine (:mod:`~.engines`);
everything else runs in one DuckDB database inside the work folder, so memory stays bounded.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from fivesafes.linkage.bridges import detach_bridges
from fivesafes.linkage.contradictions import flag_contradictions
from fivesafes.linkage.encoded import PartnerFigures, link_partner
from fivesafes.linkage.engines import Engine, open_engine
from fivesafes.linkage.features import (
    FEATURE_GROUPS,
    SHARED_PREFIX,
    build_features,
    is_shared,
    usable_groups,
)
from fivesafes.linkage.graph import component_labels
from fivesafes.linkage.inputs import IdentifierTable
from fivesafes.linkage.model import (
    NO_DOB_RULES,
    ModelPlan,
    loose_rules,
    plan_model,
    rule_columns,
    rule_condition,
)
from fivesafes.linkage.options import LinkageError, LinkOptions
from fivesafes.linkage.pairs import pairs_table
from fivesafes.linkage.split import SplitResult, split_clusters
from fivesafes.sql import Fragment, Statement, compose, names, quote, run
from fivesafes.standardise import StandardiseSpec, standardise_many
from fivesafes.standardise.specs import reading_iso_dates, spec_for

__all__ = ["LinkOutcome", "link_tables"]

NO_DOB_RULE_NAMES = frozenset(name for name, _, _ in NO_DOB_RULES)
#: A looser blocking rule is used when it generates no more comparisons than this.
LOOSE_BUDGET = 1_000_000
#: Pairs scored below this are not kept (they never link, and the report does not need them).
KEEP_PROBABILITY = 0.01
PhaseFn = Callable[[str, float], None]


@dataclass
class LinkOutcome:
    """The result of one run; ``con`` holds the tables the report reads until it is closed."""

    clusters: pa.Table  # source, record_key, record_id, cluster_id
    model: dict[str, Any]
    threshold: float
    engine: str
    groups: dict[str, int]
    records: dict[str, int]  # per source
    clusters_count: int
    timings: dict[str, float]
    prediction_rules: list[tuple[str, tuple[str, ...]]]
    pairs_kept: int
    split: SplitResult | None
    clusters_before_split: int
    notes: list[str] = field(default_factory=list)
    #: scored pairs that cannot be one person, by rule (:mod:`~.contradictions`)
    contradictions: dict[str, int] = field(default_factory=dict)
    #: per shared identifier: how the scored pairs compared on it (see :func:`shared_evidence`)
    shared: dict[str, dict[str, int]] = field(default_factory=dict)
    #: per partner source (encoded identifiers, :mod:`~.encoded`): what its stage did
    partners: list[PartnerFigures] = field(default_factory=list)
    con: duckdb.DuckDBPyConnection | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "threshold": self.threshold,
            "records": sum(self.records.values()),
            "records_per_source": self.records,
            "clusters": self.clusters_count,
            "clusters_before_split": self.clusters_before_split,
            "evidence_used": self.groups,
            "prediction_blocking_rules": [name for name, _ in self.prediction_rules],
            "pairs_kept": self.pairs_kept,
            "split": None if self.split is None else self.split.__dict__,
            "contradictions": self.contradictions,
            "shared_identifiers": self.shared,
            "seconds": {k: round(v, 2) for k, v in self.timings.items()},
            "notes": self.notes,
            "partners": [p.summary() for p in self.partners],
        }


@contextmanager
def _phase(timings: dict[str, float], name: str, on_phase: PhaseFn | None) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
    if on_phase:
        on_phase(name, timings[name])


def _spec(con: duckdb.DuckDBPyConnection, item: IdentifierTable, table: str) -> StandardiseSpec:
    return reading_iso_dates(spec_for(item.contract), item.iso_dates, con, table)


def _standardise(con: duckdb.DuckDBPyConnection, tables: list[IdentifierTable],
                 as_of: date | None) -> None:
    pairs = []
    for index, item in enumerate(tables):
        name = f"raw_{index}"
        con.register(f"_arrow_{index}", item.table)
        run(con, copy_statement(name, f"_arrow_{index}"))
        con.unregister(f"_arrow_{index}")
        pairs.append((name, _spec(con, item, name)))
    standardise_many(con, pairs, "std", as_of=as_of)
    con.execute("CREATE OR REPLACE TABLE source_records "
                "(source VARCHAR, record_key VARCHAR, record_id VARCHAR)")
    for index, item in enumerate(tables):
        run(con, source_records_statement(f"raw_{index}", item.source))
        run(con, drop_statement(f"raw_{index}"))
    con.execute(RECORDS_SQL)
    con.execute("DROP TABLE source_records")


# -- statements (pure builders; names are quoted, values bound) ---------------------------------

def copy_statement(name: str, source: str) -> Statement:
    return Statement("link: copy an identifier table", compose(
        "CREATE OR REPLACE TABLE {name} AS SELECT * FROM {source}", name=name, source=source))


def drop_statement(table: str) -> Statement:
    return Statement("link: drop a work table", compose("DROP TABLE {table}", table=table))


def source_records_statement(raw: str, source: str) -> Statement:
    """Add the records of identifier table ``raw`` of ``source`` to ``source_records``."""
    return Statement("link: list a source's records", compose(
        "INSERT INTO source_records SELECT $1, record_key, record_id FROM {raw}", raw=raw),
        [source])


def source_features_statement(view: str, source: str) -> Statement:
    """Table ``view``: the features of one source (an input of Splink)."""
    return Statement("link: features of a source", compose(
        "CREATE OR REPLACE TABLE {view} AS SELECT * FROM features WHERE source_dataset = $1",
        view=view), [source])


def edges_statement(threshold: float, apart: bool) -> Statement:
    """``cluster_edges``: the links at or above ``threshold``; with ``apart``, none that
    contradicts."""
    return Statement("link: links to cluster", compose(
        "CREATE OR REPLACE TABLE cluster_edges AS SELECT join_key_l, join_key_r, "
        "match_probability FROM pairs WHERE match_probability >= $1 {kept}",
        kept=Fragment("AND NOT contradicts" if apart else "")), [threshold])


DESCRIBE_FEATURES = Statement("link: read the columns of features", "DESCRIBE features")


def shared_evidence_statement(group: str, threshold: float) -> Statement:
    """See :func:`shared_evidence`. The levels are those of the shared identifier's comparison
    (:func:`~fivesafes.linkage.model.comparisons`): equal, one or two characters different, other;
    read from the features of the pair's two records (scored pairs carry no compared values)."""
    return Statement("link: evidence of a shared identifier", compose("""SELECT
        count(*) FILTER (WHERE level = 3 AND match_probability >= $1),
        count(*) FILTER (WHERE level IN (1, 2) AND match_probability >= $1),
        count(*) FILTER (WHERE level = 0 AND match_probability >= $1),
        count(*) FILTER (WHERE level = 3 AND match_probability < $1)
        FROM (SELECT p.match_probability, CASE WHEN l.{c} = r.{c} THEN 3
                WHEN levenshtein(l.{c}, r.{c}) <= 1 THEN 2
                WHEN levenshtein(l.{c}, r.{c}) <= 2 THEN 1 ELSE 0 END AS level
            FROM pairs AS p
            JOIN features AS l ON l.source_dataset = p.source_dataset_l
                AND l.unique_id = p.unique_id_l
            JOIN features AS r ON r.source_dataset = p.source_dataset_r
                AND r.unique_id = p.unique_id_r
            WHERE l.{c} IS NOT NULL AND r.{c} IS NOT NULL)""", c=group), [threshold])


#: Every record of the run with its ``link_id``: its rank by record id within its source. Splink
#: knows records by this id (``unique_id``), not by the record key: a record key is keyed with
#: the home's secret, so anything ordered or sampled by it (Splink's u sample is a hash of the
#: id; tie-breaks take the smallest node) would differ from home to home on the same extracts.
#: The link id depends only on the input, and never leaves the run.
RECORDS_SQL = """
CREATE OR REPLACE TABLE records AS
SELECT source, record_key, record_id,
    lpad(CAST(row_number() OVER (PARTITION BY source ORDER BY record_id, record_key)
              AS VARCHAR), 10, '0') AS link_id
FROM source_records
"""


def _no_evidence(tables: list[IdentifierTable], groups: dict[str, int]) -> LinkageError:
    sources = ", ".join(t.source for t in tables)
    missing = ", ".join(sorted(set(FEATURE_GROUPS) - set(groups)))
    return LinkageError(
        f"sources {sources}: no usable identifiers to link on (found values only for "
        f"{', '.join(groups) or 'nothing'}; empty or missing: {missing}); linkage needs names "
        "or a date of birth: check that the contracts give the identifier columns the right "
        "roles (forename, surname or full_name, date_of_birth) and that those columns hold values"
    )


def link_tables(tables: list[IdentifierTable], work: Path, options: LinkOptions | None = None,
                *, as_of: date | None = None, on_phase: PhaseFn | None = None) -> LinkOutcome:
    """Link ``tables`` (see the module docstring); DuckDB files go in ``work``."""
    options = options or LinkOptions()
    if not tables:
        raise LinkageError("nothing to link: no sources were given (or none is ingested)")
    partners = [t for t in tables if t.encoding is not None]
    tables = [t for t in tables if t.encoding is None]
    if partners and not tables:
        raise LinkageError("partner sources hold encoded identifiers only: they are linked to "
                           "the home's own sources, and none is ingested")
    timings: dict[str, float] = {}
    con = duckdb.connect()
    con.execute(f"SET threads = {int(options.threads)}")
    con.execute("SET memory_limit = $1", [options.memory_limit])
    con.execute("SET temp_directory = $1", [str(work / "spill")])
    con.execute("SET preserve_insertion_order = false")
    # DuckDB draws a bar on stdout for any query over two seconds, which would corrupt
    # `fivesafes link --json`; the phases report their own progress
    con.execute("SET enable_progress_bar = false")
    try:
        with _phase(timings, "standardise", on_phase):
            _standardise(con, tables, as_of)
            build_features(con, "std", "features")
            groups = usable_groups(con, "features")
        if not ({"forename", "surname", "dob"} & set(groups)):
            raise _no_evidence(tables, groups)
        records = dict(con.sql("SELECT source, count(*) FROM records GROUP BY 1 ORDER BY 1")
                       .fetchall())
        outcome = _link(con, work, options, groups, records, timings, on_phase)
        outcome.con = con
        for item in partners:
            with _phase(timings, f"partner {item.source}", on_phase):
                _add_partner(con, work, outcome, item, options)
        return outcome
    except BaseException:
        con.close()
        raise


def _link(con: duckdb.DuckDBPyConnection, work: Path, options: LinkOptions,
          groups: dict[str, int], records: dict[str, int], timings: dict[str, float],
          on_phase: PhaseFn | None) -> LinkOutcome:
    from fivesafes.linkage import training

    total = sum(records.values())
    plan: ModelPlan = plan_model(groups, _affordable(con, groups, total))
    notes: list[str] = []
    engine: Engine = open_engine(options.engine, con, work, options.threads, total)
    try:
        inputs = []
        for index, source in enumerate(sorted(records)):
            view = f"features_{index}"
            run(con, source_features_statement(view, source))
            inputs.append(engine.register(view, source))
        from splink import Linker

        linker = Linker(inputs, plan.settings, log_level=logging.ERROR)
        if total < 2:
            notes.append("one record: nothing to compare, so it is its own cluster")
            return _trivial(con, options, plan, groups, records, timings, notes, engine.name)
        with _phase(timings, "train", on_phase):
            notes += training.train(linker, plan, options, total)
        with _phase(timings, "predict", on_phase):
            predicted = linker.inference.predict(threshold_match_probability=KEEP_PROBABILITY,
                                                 warning_mode="never")
            engine.to_duckdb(predicted, "splink_pairs")
            pairs_table(con, "splink_pairs", "pairs")
            engine.release("splink_pairs")
        with _phase(timings, "cluster", on_phase):
            contradicting = (flag_contradictions(con, "pairs", "features") if options.split
                             else {})
            _cluster(con, options.threshold, apart=options.split)
            con.execute("CREATE OR REPLACE TABLE clusters_before_split AS "
                        "SELECT node, cluster_id FROM clusters")
            before = con.sql("SELECT count(DISTINCT cluster_id) FROM clusters").fetchall()[0][0]
        split = None
        if options.split:
            with _phase(timings, "split", on_phase):
                con.execute(PROFILES_SQL)
                split = split_clusters(con, "clusters", "pairs", "profiles", options.threshold,
                                       training.scorer(linker, engine, con), "features")
                refused = con.sql("SELECT count(*) FROM pairs WHERE contradicts AND "
                                  "match_probability >= $1", params=[options.threshold]
                                  ).fetchall()[0][0]
                bridges = detach_bridges(con, "clusters", "pairs", "features",
                                         options.threshold)
                split = replace(split, pairs_contradicting=sum(contradicting.values()),
                                links_refused=int(refused),
                                new_clusters=split.new_clusters + bridges.new_clusters,
                                bridged_clusters=bridges.bridged_clusters,
                                records_left_alone=bridges.records_left_alone)
                _canonical_ids(con)
        model = json.loads(json.dumps(linker.misc.save_model_to_json()))
        model.pop("linker_uid", None)  # a random name Splink gives each linker: not the model
    finally:
        engine.close()
    outcome = _outcome(con, options, plan, model, groups, records, timings, notes, engine.name,
                       split, before)
    outcome.contradictions = contradicting
    return outcome


def _add_partner(con: duckdb.DuckDBPyConnection, work: Path, outcome: LinkOutcome,
                 item: IdentifierTable, options: LinkOptions) -> None:
    """Link one partner source's encodings to the home's clusters; its rows join the result."""
    assert item.encoding is not None
    if item.source in outcome.records:
        raise LinkageError(f"partner source {item.source} has the name of a home source: "
                           "rename one of them")
    rows, figures = link_partner(con, work, item.source, item.table, item.encoding, options)
    outcome.clusters = pa.concat_tables([outcome.clusters, rows.cast(outcome.clusters.schema)])
    outcome.records[item.source] = figures.records
    outcome.clusters_count += figures.records - figures.matched
    outcome.partners.append(figures)


def _cluster(con: duckdb.DuckDBPyConnection, threshold: float, apart: bool = True) -> None:
    """Connected components of the links at or above ``threshold``, as table ``clusters``;
    with ``apart``, a pair that contradicts (:mod:`~.contradictions`) is no link.

    Records become numbers (their rank by source and link id) and the links a sparse graph whose
    components scipy finds in one pass: at a million records the whole step (numbering, graph,
    naming) took 3.7 s, where Splink's iterative SQL clustering took 5.7 s. Component numbers are
    arbitrary; every cluster is then named by its smallest member, so the result depends only on
    the links."""
    import numpy as np

    con.execute(NODES_SQL)
    run(con, edges_statement(threshold, apart))
    ends = con.execute(EDGE_ENDS_SQL).fetchnumpy()
    nodes = int(con.execute("SELECT count(*) FROM cluster_nodes").fetchall()[0][0])
    labels = component_labels(nodes, ends["l"], ends["r"])
    components = pa.table({"ix": pa.array(np.arange(nodes, dtype=np.int64)),
                           "component": pa.array(labels.astype(np.int64))})
    con.register("_components", components)
    con.execute("""CREATE OR REPLACE TABLE clusters AS
        SELECT n.node, c.component AS cluster_id, n.source, n.record_key
        FROM cluster_nodes AS n JOIN _components AS c USING (ix)""")
    con.unregister("_components")
    for table in ("cluster_nodes", "cluster_edges"):
        run(con, drop_statement(table))
    _canonical_ids(con)


#: Every record as a node of the link graph, numbered from 0 by source and link id.
NODES_SQL = """
CREATE OR REPLACE TABLE cluster_nodes AS
SELECT source || '-__-' || link_id AS node, source, record_key,
    row_number() OVER (ORDER BY source, link_id) - 1 AS ix
FROM records
"""

#: Each link's two ends as node numbers.
EDGE_ENDS_SQL = """
SELECT l.ix AS l, r.ix AS r FROM cluster_edges AS e
JOIN cluster_nodes AS l ON l.node = e.join_key_l
JOIN cluster_nodes AS r ON r.node = e.join_key_r
"""


PROFILES_SQL = """
CREATE OR REPLACE TABLE profiles AS
SELECT source_dataset || '-__-' || unique_id AS node,
    hash(*COLUMNS(* EXCLUDE (unique_id, source_dataset))) AS profile
FROM features
"""


#: How a cluster's members are named: by node (source and link id) inside the run, by record key
#: in its results.
BY_NODE = Fragment("node")
BY_RECORD_KEY = Fragment("source || '-__-' || record_key")


def canonical_statement(member: Fragment = BY_NODE) -> Statement:
    """Every cluster's id becomes its smallest member, named by ``member`` (:data:`BY_NODE` or
    :data:`BY_RECORD_KEY`)."""
    return Statement("link: name each cluster by its smallest member", compose("""
        CREATE OR REPLACE TABLE clusters AS
        SELECT node, min({member}) OVER (PARTITION BY cluster_id) AS cluster_id, source,
            record_key
        FROM clusters""", member=member))


def _canonical_ids(con: duckdb.DuckDBPyConnection, member: Fragment = BY_NODE) -> None:
    """Every cluster's id becomes its smallest member (engine- and order-independent), named by
    ``member``: the node (source and link id) inside the run, by default."""
    run(con, canonical_statement(member))


def _trivial(con: duckdb.DuckDBPyConnection, options: LinkOptions, plan: ModelPlan,
             groups: dict[str, int], records: dict[str, int], timings: dict[str, float],
             notes: list[str], engine: str) -> LinkOutcome:
    con.execute("""CREATE OR REPLACE TABLE clusters AS
        SELECT source || '-__-' || link_id AS node, source || '-__-' || link_id
            AS cluster_id, source, record_key FROM records""")
    con.execute("CREATE OR REPLACE TABLE pairs AS SELECT '' AS join_key_l, '' AS join_key_r, "
                "0.0 AS match_probability, 0.0 AS match_weight, 0 AS match_key, "
                "0.0 AS min_weight WHERE false")
    return _outcome(con, options, plan, {}, groups, records, timings, notes, engine, None,
                    sum(records.values()))


def _outcome(con: duckdb.DuckDBPyConnection, options: LinkOptions, plan: ModelPlan,
             model: dict[str, Any], groups: dict[str, int], records: dict[str, int],
             timings: dict[str, float], notes: list[str], engine: str,
             split: SplitResult | None, before: int) -> LinkOutcome:
    # the run is done: results name each cluster by record key (link ids stay inside the run)
    _canonical_ids(con, member=BY_RECORD_KEY)
    clusters = con.sql("""
        SELECT c.source, c.record_key, r.record_id, c.cluster_id
        FROM clusters AS c JOIN records AS r USING (source, record_key)
        ORDER BY c.source, c.record_key""").to_arrow_table()
    count = con.sql("SELECT count(DISTINCT cluster_id) FROM clusters").fetchall()[0][0]
    kept = con.sql("SELECT count(*) FROM pairs").fetchall()[0][0]
    rules = [(name, tuple(_rule_columns(name, plan))) for name, _ in plan.prediction_rules]
    shared = {group.removeprefix(SHARED_PREFIX): shared_evidence(con, group, options.threshold)
              for group in plan.groups if is_shared(group)}
    return LinkOutcome(
        clusters=clusters, model=model, threshold=options.threshold, engine=engine,
        groups=groups, records=records, clusters_count=int(count), timings=timings,
        prediction_rules=rules, pairs_kept=int(kept), split=split,
        clusters_before_split=int(before), notes=notes, shared=shared,
    )


def shared_evidence(con: duckdb.DuckDBPyConnection, group: str, threshold: float
                    ) -> dict[str, int]:
    """How the scored pairs compared on one shared identifier: linked pairs whose values agree,
    nearly agree (one or two characters) or differ, and pairs that agree but were not linked."""
    columns = [row[0] for row in run(con, DESCRIBE_FEATURES).fetchall()]
    if group not in columns:
        return {}
    row = run(con, shared_evidence_statement(group, threshold)).fetchall()[0]
    keys = ("linked_pairs_agreeing", "linked_pairs_nearly_agreeing", "linked_pairs_differing",
            "pairs_agreeing_not_linked")
    return {key: int(value) for key, value in zip(keys, row, strict=True)}


def _rule_columns(name: str, plan: ModelPlan) -> list[str]:
    return list(rule_columns(name))


def rule_comparisons(con: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...]) -> int:
    """How many pairs the blocking rule ``name`` on ``columns`` generates from the features
    table."""
    return int(run(con, rule_comparisons_statement(name, columns)).fetchall()[0][0])


def rule_comparisons_statement(name: str, columns: tuple[str, ...]) -> Statement:
    if name in NO_DOB_RULE_NAMES:  # one side lacks a date of birth: few records, so a join
        return Statement("link: count a blocking rule's comparisons", compose(
            "SELECT count(*) FROM features AS l JOIN features AS r ON {condition} "
            "WHERE l.source_dataset || '-__-' || l.unique_id "
            "< r.source_dataset || '-__-' || r.unique_id",
            condition=Fragment(rule_condition(name, columns))))
    present = Fragment(" AND ".join(f"{quote(c)} IS NOT NULL" for c in columns))
    return Statement("link: count a blocking rule's comparisons", compose(
        "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n "
        "FROM features WHERE {present} GROUP BY {columns})",
        present=present, columns=names(columns)))


def _affordable(con: duckdb.DuckDBPyConnection, groups: dict[str, int], total: int
                ) -> list[str]:
    """Looser blocking rules that generate at most LOOSE_BUDGET comparisons (or twice the
    number of records, when that is more) on this data."""
    budget = max(LOOSE_BUDGET, 2 * total)
    return [name for name, columns in loose_rules(groups)
            if rule_comparisons(con, name, columns) <= budget]
