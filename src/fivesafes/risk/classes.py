"""Equivalence classes and the figures over them: k-anonymity, units (records or persons) in
classes smaller than k, sample uniques, and prosecutor re-identification risk.

An equivalence class is a set of units sharing the same values of every key. Its size ``f``
gives each of its units a prosecutor risk of ``1/f`` (an intruder who knows the unit is in the
data and knows its keys picks it out with that chance). So over ``N`` units in ``C`` classes:

* **k** (k-anonymity) is the smallest class size;
* **uniques** are units alone in their class (``f = 1``);
* **maximum risk** is ``1/k``, and **mean risk** ``(1/N) * sum(1/f) = C/N``;
* **below k** counts the units in classes smaller than the threshold k.

Everything is computed by DuckDB over a *classes relation*: a query (a
:class:`~fivesafes.sql.Fragment` this package wrote, over quoted names) giving one row per class
with its ``size`` (units) and ``records`` (the records of those units; equal to ``size`` when
the units are records). :func:`record_classes` builds it for the rows of one table;
:mod:`fivesafes.risk.persons` builds it for persons across datasets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from fivesafes.sql import Fragment, Statement, compose, names, run

#: Histogram edges (lower bounds of class size); the threshold k is added as an edge too.
EDGES: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 50, 100, 1000, 10000)


@dataclass(frozen=True)
class ClassFigures:
    """The figures of one set of equivalence classes. ``unit`` is ``person`` or ``record``."""

    unit: str
    threshold: int  # the k the figures are measured against
    units: int
    records: int
    classes: int
    k: int  # smallest class size (0 when there are no units)
    uniques: int  # units alone in their class
    below_k: int  # units in classes smaller than the threshold
    records_below_k: int  # records of those units
    max_risk: float  # 1 / k
    mean_risk: float  # classes / units

    @property
    def meets_threshold(self) -> bool:
        return self.units > 0 and self.k >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ClassFigures:
        return cls(**{f: raw[f] for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class HistogramBin:
    """Classes whose size is from ``low`` to ``high`` (None: no upper bound)."""

    low: int
    high: int | None
    classes: int
    units: int

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.high == self.low else f"{self.low}-{self.high}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> HistogramBin:
        return cls(raw["low"], raw["high"], raw["classes"], raw["units"])


def record_classes(table: str, columns: Sequence[str]) -> Fragment:
    """The classes relation of the rows of ``table`` over ``columns`` (no column: one class)."""
    return Fragment(compose("SELECT count(*) AS size, count(*) AS records FROM {table}{group}",
                            table=table, group=group_by(columns)))


def group_by(columns: Sequence[str]) -> Fragment:
    """`` GROUP BY`` the quoted ``columns``, or nothing when there are none (one group)."""
    return Fragment(compose(" GROUP BY {columns}", columns=names(columns)) if columns else "")


# -- the statements over a classes relation (pure builders) ----------------------------------

def smallest_statement(classes: Fragment) -> Statement:
    return Statement("risk: smallest class",
                     compose("SELECT min(size) FROM ({classes})", classes=classes))


def figures_statement(classes: Fragment, threshold: int) -> Statement:
    return Statement("risk: class figures", compose(
        "SELECT coalesce(sum(size), 0), coalesce(sum(records), 0), count(*), "
        "coalesce(min(size), 0), count(*) FILTER (WHERE size = 1), "
        "coalesce(sum(size) FILTER (WHERE size < $1), 0), "
        "coalesce(sum(records) FILTER (WHERE size < $1), 0) "
        "FROM ({classes})", classes=classes), [threshold])


def sizes_statement(classes: Fragment) -> Statement:
    return Statement("risk: classes by size", compose(
        "SELECT size, count(*) FROM ({classes}) GROUP BY size ORDER BY size", classes=classes))


# -- running them -----------------------------------------------------------------------------

def smallest(con: duckdb.DuckDBPyConnection, classes_sql: Fragment) -> int:
    """The smallest class size (k) alone, for the lattice search."""
    row = run(con, smallest_statement(classes_sql)).fetchone()
    return int(row[0] or 0)


def figures(con: duckdb.DuckDBPyConnection, classes_sql: Fragment, *, threshold: int,
            unit: str) -> ClassFigures:
    """Every figure of the classes relation ``classes_sql``, in one aggregate."""
    row = run(con, figures_statement(classes_sql, threshold)).fetchone()
    units, records, classes, k, uniques, below, records_below = (int(v) for v in row)
    return ClassFigures(unit=unit, threshold=threshold, units=units, records=records,
                        classes=classes, k=k, uniques=uniques, below_k=below,
                        records_below_k=records_below,
                        max_risk=1.0 / k if k else 0.0,
                        mean_risk=classes / units if units else 0.0)


def histogram(con: duckdb.DuckDBPyConnection, classes_sql: Fragment, *, threshold: int
              ) -> tuple[HistogramBin, ...]:
    """Classes and units by class size, in bins whose edges include the threshold, so a chart
    can colour the bins below k."""
    sizes = run(con, sizes_statement(classes_sql)).fetchall()
    edges = sorted(set(EDGES) | {max(threshold, 1)})
    bins = []
    for i, low in enumerate(edges):
        high = edges[i + 1] - 1 if i + 1 < len(edges) else None
        inside = [(s, n) for s, n in sizes if s >= low and (high is None or s <= high)]
        bins.append(HistogramBin(low, high, sum(n for _, n in inside),
                                 sum(s * n for s, n in inside)))
    while len(bins) > 1 and bins[-1].classes == 0:
        bins.pop()
    return tuple(bins)
