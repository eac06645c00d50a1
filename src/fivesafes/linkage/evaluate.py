"""Accuracy against ground truth, used only for the report (never for linking).

Truth is a CSV with ``source``, ``record_id`` and ``true_id``: records with the same ``true_id``
are the same person. *Pairwise* measures count pairs of records: a pair is a true pair when they
share a ``true_id`` and a predicted pair when they share a cluster (or, across thresholds, when
their match probability reaches the threshold). Large clusters weigh heavily in them (a cluster of
n records holds n(n-1)/2 pairs), so *B-cubed* measures are given too: each record's precision is
the share of its cluster that is its person, its recall the share of its person that is in its
cluster, averaged over records (records that are alone in both score 1). Blocking coverage counts the true pairs that no
prediction blocking rule can reach (they are never compared; linking them needs a chain of
other links).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from fivesafes.errors import SourceFileError, StepFailed
from fivesafes.linkage.model import rule_condition
from fivesafes.sql import Fragment, Statement, compose, run

__all__ = ["THRESHOLDS", "Accuracy", "BCubed", "Scores", "bcubed_scores", "evaluate",
           "load_truth", "pairwise_scores"]

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


@dataclass(frozen=True)
class Scores:
    predicted: int
    true: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"predicted_pairs": self.predicted, "true_pairs": self.true,
                "correct_pairs": self.correct, "precision": round(self.precision, 6),
                "recall": round(self.recall, 6), "f1": round(self.f1, 6)}


@dataclass(frozen=True)
class BCubed:
    """B-cubed precision and recall: per record, averaged over ``records`` records."""

    records: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"records": self.records, "precision": round(self.precision, 6),
                "recall": round(self.recall, 6), "f1": round(self.f1, 6)}


@dataclass(frozen=True)
class Accuracy:
    clusters: Scores  # the final clusters
    before_split: Scores | None  # the clusters before over-merge splitting
    by_threshold: list[tuple[float, Scores]]  # scored pairs at or above each threshold
    true_pairs_unblocked: int  # true pairs no blocking rule reaches
    records_without_truth: int
    bcubed: BCubed | None = None  # of the final clusters

    def as_dict(self) -> dict[str, object]:
        return {
            "clusters": self.clusters.as_dict(),
            "bcubed": self.bcubed.as_dict() if self.bcubed else None,
            "before_split": self.before_split.as_dict() if self.before_split else None,
            "by_threshold": [{"threshold": t, **s.as_dict()} for t, s in self.by_threshold],
            "true_pairs_unblocked": self.true_pairs_unblocked,
            "records_without_truth": self.records_without_truth,
        }


# -- the statements (pure builders; names are quoted, values bound) -------------------------

def truth_statement(table: str, path: Path) -> Statement:
    return Statement("evaluate: read the truth", compose(
        "CREATE OR REPLACE TABLE {table} AS "
        "SELECT * FROM read_csv($1, all_varchar = true, header = true)", table=table),
        [str(path)])


def describe(table: str) -> Statement:
    return Statement("evaluate: read columns", compose("DESCRIBE {table}", table=table))


_PAIRS = Fragment("sum(n * (n - 1) // 2)")


def pairwise_statement(labelled: str, group: str) -> Statement:
    """Pairs predicted by ``group``, true pairs and correct pairs in ``labelled``."""
    return Statement("evaluate: pairwise scores", compose("""
        SELECT (SELECT {pairs} FROM (SELECT count(*) AS n FROM {t} GROUP BY {g})),
               (SELECT {pairs} FROM (SELECT count(*) AS n FROM {t} GROUP BY true_id)),
               (SELECT {pairs} FROM (SELECT count(*) AS n FROM {t} GROUP BY {g}, true_id))
    """, pairs=_PAIRS, t=labelled, g=group))


def bcubed_statement(labelled: str, group: str) -> Statement:
    """Records, and the sums of their B-cubed precision and recall, in ``labelled``."""
    return Statement("evaluate: B-cubed scores", compose("""
        WITH cells AS (SELECT {g} AS g, true_id, count(*) AS n FROM {t} GROUP BY {g}, true_id),
             sized AS (SELECT n, sum(n) OVER (PARTITION BY g) AS in_group,
                              sum(n) OVER (PARTITION BY true_id) AS in_truth FROM cells)
        SELECT sum(n), sum(n * n / in_group), sum(n * n / in_truth) FROM sized
    """, t=labelled, g=group))


BY_THRESHOLD = Statement("evaluate: scores by threshold", """
        WITH p AS (
            SELECT p.match_probability AS prob, (a.true_id = b.true_id) AS same
            FROM pairs AS p JOIN _eval_nodes AS a ON a.node = p.join_key_l
            JOIN _eval_nodes AS b ON b.node = p.join_key_r)
        SELECT t, count(*) FILTER (WHERE prob >= t), count(*) FILTER (WHERE prob >= t AND same)
        FROM p, (SELECT unnest($1) AS t) GROUP BY t ORDER BY t
    """, [list(THRESHOLDS)])


def unblocked_statement(rules: list[tuple[str, tuple[str, ...]]]) -> Statement:
    """True pairs that no blocking rule (by name, on its feature ``columns``) reaches."""
    conditions = " OR ".join(f"({rule_condition(name, columns)})" for name, columns in rules)
    return Statement("evaluate: true pairs no blocking rule reaches", compose("""
        WITH f AS (SELECT f.*, n.true_id, n.node FROM features AS f
                   JOIN _eval_nodes AS n ON n.node = f.source_dataset || '-__-' || f.unique_id)
        SELECT count(*) FROM f AS l JOIN f AS r ON l.true_id = r.true_id AND l.node < r.node
        WHERE NOT coalesce({conditions}, false)
    """, conditions=Fragment(conditions)))


NODES = Statement("evaluate: label the clustered records", """
        CREATE OR REPLACE TEMP TABLE _eval_nodes AS
        SELECT c.node, c.cluster_id, t.true_id
        FROM clusters AS c JOIN records AS r USING (source, record_key)
        JOIN truth AS t ON t.source = r.source AND t.record_id = r.record_id""")
UNMATCHED = Statement("evaluate: count records without truth",
                      "SELECT (SELECT count(*) FROM clusters) - (SELECT count(*) FROM _eval_nodes)")


def before_statement(before_split: str) -> Statement:
    return Statement("evaluate: label the clusters before splitting", compose("""
        CREATE OR REPLACE TEMP TABLE _eval_before AS
            SELECT n.node, b.cluster_id, n.true_id FROM _eval_nodes AS n
            JOIN {before} AS b USING (node)""", before=before_split))


# -- running them -----------------------------------------------------------------------------

def load_truth(con: duckdb.DuckDBPyConnection, path: Path, table: str = "truth") -> None:
    """Read the truth CSV into ``table``; a wrong file is a user error naming what to fix."""
    if not Path(path).is_file():
        raise SourceFileError(f"{path}: truth file not found; give a CSV with columns source, "
                              "record_id, true_id")
    try:
        run(con, truth_statement(table, path))
        columns = [row[0] for row in run(con, describe(table)).fetchall()]
    except StepFailed as error:
        raise SourceFileError(f"{path}: cannot be read as CSV ({error.reason}); give a CSV "
                              "with columns source, record_id, true_id") from None
    missing = [c for c in ("source", "record_id", "true_id") if c not in columns]
    if missing:
        raise SourceFileError(f"{path}: column(s) {', '.join(missing)} missing (it has "
                              f"{', '.join(columns)}); truth needs source, record_id, true_id")


def pairwise_scores(con: duckdb.DuckDBPyConnection, labelled: str, group: str) -> Scores:
    """Scores of grouping ``group`` against ``true_id`` in table ``labelled``."""
    row = run(con, pairwise_statement(labelled, group)).fetchall()[0]
    return Scores(*(int(v or 0) for v in row))


def bcubed_scores(con: duckdb.DuckDBPyConnection, labelled: str, group: str) -> BCubed:
    """B-cubed scores of grouping ``group`` against ``true_id`` in table ``labelled``."""
    row = run(con, bcubed_statement(labelled, group)).fetchall()[0]
    records = int(row[0] or 0)
    if not records:
        return BCubed(0, 1.0, 1.0)
    return BCubed(records, float(row[1]) / records, float(row[2]) / records)


def _by_threshold(con: duckdb.DuckDBPyConnection, true_total: int) -> list[tuple[float, Scores]]:
    rows = run(con, BY_THRESHOLD).fetchall()
    return [(float(t), Scores(int(n), true_total, int(c))) for t, n, c in rows]


def _unblocked(con: duckdb.DuckDBPyConnection, rules: list[tuple[str, tuple[str, ...]]]) -> int:
    if not rules:
        return 0
    return int(run(con, unblocked_statement(rules)).fetchall()[0][0])


def evaluate(con: duckdb.DuckDBPyConnection, rules: list[tuple[str, tuple[str, ...]]],
             before_split: str | None = None) -> Accuracy:
    """Accuracy of table ``clusters`` (and ``before_split``, if given) against table ``truth``."""
    run(con, NODES)
    unmatched = run(con, UNMATCHED).fetchall()[0][0]
    final = pairwise_scores(con, "_eval_nodes", "cluster_id")
    before = None
    if before_split:
        run(con, before_statement(before_split))
        before = pairwise_scores(con, "_eval_before", "cluster_id")
    thresholds = _by_threshold(con, final.true)
    return Accuracy(final, before, thresholds, _unblocked(con, rules), int(unmatched),
                    bcubed_scores(con, "_eval_nodes", "cluster_id"))
