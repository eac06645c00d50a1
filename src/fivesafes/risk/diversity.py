"""l-diversity of a sensitive field within equivalence classes.

Within each class, the values the sensitive field takes (over the class's records):

* **distinct l** is the smallest number of distinct values in any class: a class with one value
  (a *homogeneous* class) tells an intruder who places someone in it that person's value;
* **entropy l** is ``exp(min H)``, where ``H = -sum(p * ln p)`` over the shares ``p`` of each
  value in a class: a class is entropy-l-diverse when ``H >= ln l``. Computed per class as
  ``ln N - (1/N) * sum(n * ln n)`` from the value counts ``n``, so one group-by suffices.

A missing value counts as a value (it is visible in the extract). The input is a *counts
relation*: a query (a :class:`~fivesafes.sql.Fragment`) with one row per (class key columns,
value) with the count ``n`` of records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from fivesafes.risk.classes import ClassFigures, group_by
from fivesafes.sources.contract import Sensitivity
from fivesafes.sql import Fragment, Statement, compose, quote, run


@dataclass(frozen=True)
class Diversity:
    """The diversity of one sensitive field (``dataset.field`` at ``level``)."""

    field: str
    level: str
    sensitivity: Sensitivity
    classes: int  # classes in which the field has at least one record
    distinct_l: int
    entropy_l: float
    homogeneous_classes: int
    homogeneous_units: int  # units (persons, or records) in homogeneous classes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Diversity:
        values = {f: raw[f] for f in cls.__dataclass_fields__}
        return cls(**{**values, "sensitivity": Sensitivity(values["sensitivity"])})


def record_counts(table: str, keys: Sequence[str], value: str) -> Fragment:
    """The counts relation of the rows of ``table``: class keys ``keys``, sensitive ``value``."""
    return Fragment(compose("SELECT {keys}{value} AS v, count(*) AS n FROM {table} GROUP BY ALL",
                            keys=Fragment("".join(quote(k) + ", " for k in keys)), value=value,
                            table=table))


# -- the statements over a counts relation (pure builders) -----------------------------------

def summary_statement(counts: Fragment, keys: Sequence[str], with_units: bool) -> Statement:
    """See :func:`summarise`."""
    per_class = compose(
        "SELECT count(*) AS d, {units} AS units, "
        "greatest(ln(sum(n)) - sum(n * ln(n)) / sum(n), 0) AS h{keys} FROM ({counts}){group}",
        units=Fragment("max(units)" if with_units else "sum(n)"),
        keys=Fragment("".join(", " + quote(k) for k in keys)), counts=counts,
        group=group_by(keys))
    return Statement("risk: l-diversity", compose(
        "SELECT count(*), min(d), min(h), count(*) FILTER (WHERE d = 1), "
        "coalesce(sum(units) FILTER (WHERE d = 1), 0) FROM ({per_class})",
        per_class=Fragment(per_class)))


def measure_statement(counts: Fragment, keys: Sequence[str], threshold: int) -> Statement:
    """See :func:`measure`."""
    per_class = compose(
        "SELECT count(*) AS d, sum(n) AS size, "
        "greatest(ln(sum(n)) - sum(n * ln(n)) / sum(n), 0) AS h FROM ({counts}){group}",
        counts=counts, group=group_by(keys))
    return Statement("risk: classes and l-diversity", compose(
        "SELECT coalesce(sum(size), 0), count(*), coalesce(min(size), 0), "
        "count(*) FILTER (WHERE size = 1), coalesce(sum(size) FILTER (WHERE size < $1), 0), "
        "min(d), min(h), count(*) FILTER (WHERE d = 1), "
        "coalesce(sum(size) FILTER (WHERE d = 1), 0) FROM ({per_class})",
        per_class=Fragment(per_class)), [threshold])


# -- running them -----------------------------------------------------------------------------

def summarise(con: duckdb.DuckDBPyConnection, counts_sql: Fragment, keys: Sequence[str], *,
              with_units: bool = False) -> tuple[int, int, float, int, int]:
    """(classes, distinct l, entropy l, homogeneous classes, units in them) from a counts
    relation. With ``with_units`` the relation also has a column ``units``, the same on every
    row of a class, saying how many units (persons) the class holds; otherwise a class's units
    are its records."""
    row = run(con, summary_statement(counts_sql, keys, with_units)).fetchone()
    classes, distinct, h, homogeneous, homogeneous_units = row
    entropy = round(math.exp(h), 9) if h is not None else 0.0
    return (int(classes), int(distinct or 0), entropy, int(homogeneous),
            int(homogeneous_units))


def measure(con: duckdb.DuckDBPyConnection, counts_sql: Fragment, keys: Sequence[str], *,
            threshold: int, unit: str = "record") -> tuple[ClassFigures, tuple[int, int, float,
                                                                               int, int]]:
    """k-anonymity, uniques, prosecutor risk and the l-diversity of one field, in a single
    aggregate over a counts relation (records as units): the fast path for one large table."""
    row = run(con, measure_statement(counts_sql, keys, threshold)).fetchone()
    units, n_classes, k, uniques, below = (int(v) for v in row[:5])
    figures = ClassFigures(unit=unit, threshold=threshold, units=units, records=units,
                           classes=n_classes, k=k, uniques=uniques, below_k=below,
                           records_below_k=below, max_risk=1.0 / k if k else 0.0,
                           mean_risk=n_classes / units if units else 0.0)
    entropy = round(math.exp(row[6]), 9) if row[6] is not None else 0.0
    return figures, (n_classes, int(row[5] or 0), entropy, int(row[7]), int(row[8]))
