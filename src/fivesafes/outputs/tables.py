"""Frequency tables, crosstabs, magnitude tables and histograms, counted by distinct person.

Each is one or two DuckDB group-bys over the microdata (``GROUPING SETS`` give the margins in the
same pass). A :class:`Table` holds the interior cells and the margins as Arrow tables, with the
figures the checks need: for every cell the number of distinct persons ``n``, and for a magnitude
table each person's contribution (the sum of their values in the cell) as ``total``, the
``largest`` and ``second`` largest absolute contributions, and how many persons had a missing or a
negative value.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

from fivesafes.outputs.data import Filter, Microdata, OutputError
from fivesafes.sql import Fragment, Params, Statement, compose, quote, run, run_arrow

STATISTICS = ("count", "sum", "mean", "median", "min", "max")
#: Percentiles are asked for as ``p5``, ``p25``, ... ``p95``.
LEVEL = "_level"


def statistic_sql(statistic: str, column: str, params: Params) -> str:
    if statistic == "count":
        return f"count({column})"
    if statistic in ("sum", "min", "max", "median"):
        return f"{statistic}({column})::DOUBLE"
    if statistic == "mean":
        return f"avg({column})::DOUBLE"
    if statistic.startswith("p") and statistic[1:].isdigit() and 0 <= int(statistic[1:]) <= 100:
        return f"quantile_cont({column}, {params(int(statistic[1:]) / 100)})::DOUBLE"
    raise OutputError(f"unknown statistic {statistic!r}: use one of {', '.join(STATISTICS)} or "
                      "a percentile such as p25")


@dataclass
class Table:
    """A computed table: interior cells, margins (``_level`` says which groups are totalled: bit
    ``i`` set means group ``i`` is summed over), and the request that made it."""

    name: str
    kind: str
    groups: tuple[str, ...]
    cells: pa.Table
    margins: pa.Table
    statistic: str = "count"
    value: str | None = None
    population: dict[str, Any] = field(default_factory=dict)
    #: True when every person falls in exactly one cell, so the margins are the sums of cells.
    additive: bool = True
    structural_zeros: frozenset[tuple] = frozenset()
    notes: list[str] = field(default_factory=list)

    def cell(self, i: int) -> dict[str, Any]:
        return {g: self.cells.column(g)[i].as_py() for g in self.groups}

    def grid(self, column: str = "n") -> Grid:
        """The table as a full rows x columns array (a 1-way table is one row); cells no person
        falls in are zeros."""
        if not 1 <= len(self.groups) <= 2:
            raise OutputError(f"{self.name}: a grid needs one or two grouping fields, not "
                              f"{len(self.groups)}")
        margins = {int(lv): self.margins.filter(pa.compute.equal(self.margins[LEVEL], lv))
                   for lv in set(self.margins[LEVEL].to_pylist())}
        if len(self.groups) == 1:
            rows: list[Any] = [None]
            cols = _labels(self.cells.column(self.groups[0]).to_pylist())
            r = np.zeros(len(self.cells), dtype=np.int64)
            c = _index(cols, self.cells.column(self.groups[0]).to_pylist())
        else:
            rows = _labels(self.cells.column(self.groups[0]).to_pylist())
            cols = _labels(self.cells.column(self.groups[1]).to_pylist())
            r = _index(rows, self.cells.column(self.groups[0]).to_pylist())
            c = _index(cols, self.cells.column(self.groups[1]).to_pylist())
        values = np.zeros((len(rows), len(cols)))
        present = np.zeros((len(rows), len(cols)), dtype=bool)
        data = np.asarray(self.cells.column(column).to_numpy(zero_copy_only=False), dtype=float)
        values[r, c] = np.nan_to_num(data)
        present[r, c] = True
        full = (1 << len(self.groups)) - 1
        grand = _margin_values(margins.get(full), [], column)
        if len(self.groups) == 1:
            row_totals = np.array([grand[()] if () in grand else values.sum()])
            col_totals = values[0].copy()
        else:
            by_row = _margin_values(margins.get(2), [self.groups[0]], column)
            by_col = _margin_values(margins.get(1), [self.groups[1]], column)
            row_totals = np.array([by_row.get((x,), 0.0) for x in rows])
            col_totals = np.array([by_col.get((x,), 0.0) for x in cols])
        return Grid(rows, cols, values, present, row_totals, col_totals,
                    float(grand.get((), values.sum())), self.additive)


@dataclass
class Grid:
    """A two-way table as arrays (margins as published)."""

    rows: list[Any]
    cols: list[Any]
    values: np.ndarray
    present: np.ndarray
    row_totals: np.ndarray
    col_totals: np.ndarray
    grand: float
    additive: bool = True

    def cell(self, groups: Sequence[str], i: int, j: int) -> dict[str, Any]:
        if len(groups) == 1:
            return {groups[0]: self.cols[j]}
        return {groups[0]: self.rows[i], groups[1]: self.cols[j]}


def _labels(values: list[Any]) -> list[Any]:
    return sorted(set(values), key=lambda v: (v is None, str(type(v)), v if v is not None else 0))


def _index(labels: list[Any], values: list[Any]) -> np.ndarray:
    at = {v: i for i, v in enumerate(labels)}
    return np.array([at[v] for v in values], dtype=np.int64)


def _margin_values(table: pa.Table | None, groups: list[str], column: str) -> dict[tuple, float]:
    if table is None:
        return {}
    keys = [table.column(g).to_pylist() for g in groups]
    vals = table.column(column).to_pylist()
    return {tuple(k[i] for k in keys): float(v or 0) for i, v in enumerate(vals)}


def _grouping_sets(groups: Sequence[str], extra: Sequence[str] = ()) -> str:
    """Every subset of the groups (all margins), each with ``extra`` appended."""
    sets = []
    for mask in range(1 << len(groups)):
        kept = [quote(g) for i, g in enumerate(groups) if not mask >> i & 1]
        sets.append("(" + ", ".join(kept + [quote(e) for e in extra]) + ")")
    return "GROUPING SETS (" + ", ".join(sets) + ")"


def _level(groups: Sequence[str]) -> str:
    """DuckDB's ``GROUPING()`` numbers the first argument as the highest bit; ours is bit 0."""
    if not groups:
        return "0"
    return "GROUPING(" + ", ".join(quote(g) for g in reversed(groups)) + ")"


def _split(result: pa.Table, groups: Sequence[str]) -> tuple[pa.Table, pa.Table]:
    interior = result.filter(pa.compute.equal(result[LEVEL], 0))
    margins = result.filter(pa.compute.not_equal(result[LEVEL], 0))
    sort = [(g, "ascending") for g in groups]
    return (interior.sort_by(sort) if sort else interior), margins


def _with_zeros(cells: pa.Table, groups: Sequence[str]) -> pa.Table:
    """Every combination of the categories seen, a zero where no person falls."""
    labels = [_labels(cells.column(g).to_pylist()) for g in groups]
    have = dict(zip(zip(*(cells.column(g).to_pylist() for g in groups), strict=True),
                    cells.column("n").to_pylist(), strict=True))
    combos = list(itertools.product(*labels))
    if len(combos) == len(have):
        return cells
    columns = {LEVEL: pa.array([0] * len(combos), pa.int64())}
    for k, g in enumerate(groups):
        columns[g] = pa.array([c[k] for c in combos], cells.schema.field(g).type)
    columns["n"] = pa.array([have.get(c, 0) for c in combos], pa.int64())
    return pa.table(columns).select(cells.column_names)


def frequency(data: Microdata, groups: Sequence[str], name: str = "table",
              population: Filter | None = None,
              structural_zeros: Sequence[dict[str, Any]] = ()) -> Table:
    """Distinct persons by one or more grouping fields (a crosstab for two), with margins."""
    groups = tuple(groups)
    data.need(list(groups))
    result = run_arrow(data.con, frequency_statement(data, groups, population))
    cells, margins = _split(result, groups)
    if not groups:
        cells, margins = result, result.slice(0, 0)
    elif len(groups) <= 2:
        cells = _with_zeros(cells, groups)
    full = (1 << len(groups)) - 1
    grand = margins.filter(pa.compute.equal(margins[LEVEL], full))["n"].to_pylist()
    additive = bool(grand) and sum(cells["n"].to_pylist()) == grand[0]
    zeros = frozenset(tuple(z[g] for g in groups) for z in structural_zeros)
    return Table(name, "frequency", groups, cells, margins, population=dict(population or {}),
                 additive=additive or not groups, structural_zeros=zeros)


def magnitude(data: Microdata, groups: Sequence[str], value: str, statistic: str = "mean",
              name: str = "table", population: Filter | None = None, top: int = 2) -> Table:
    """A statistic of ``value`` by groups, with the contributor figures of every cell.

    The statistic is over the rows (e.g. the mean sentence length of sentences); a person's
    contribution to a cell is the sum of their values in it, and dominance is judged on those.
    Rows with a missing value are left out of the statistic and counted in ``n_missing``."""
    groups = tuple(groups)
    data.need([*groups, value])
    result = run_arrow(data.con, magnitude_statement(data, groups, value, statistic,
                                                     population, top))
    top = result["top"].to_pylist()
    largest = [float(t[0]) if t else 0.0 for t in top]
    second = [float(t[1]) if t and len(t) > 1 else 0.0 for t in top]
    result = result.append_column("largest", pa.array(largest))
    result = result.append_column("second", pa.array(second))
    cells, margins = _split(result, groups)
    if not groups:
        cells, margins = result, result.slice(0, 0)
    return Table(name, "magnitude", groups, cells, margins, statistic=statistic, value=value,
                 population=dict(population or {}), additive=False)


def histogram(data: Microdata, value: str, bins: Sequence[float], name: str = "histogram",
              population: Filter | None = None) -> Table:
    """Distinct persons with a value in each bin ``[edge_i, edge_i+1)`` (the last bin closed).
    The edges are the researcher's; values outside them fall in no bin and are said."""
    edges = sorted(float(b) for b in bins)
    if len(edges) < 2:
        raise OutputError(f"{name}: a histogram needs at least two bin edges")
    data.need([value])
    counted = run(data.con, histogram_statement(data, value, edges, population)).fetchall()
    by_bin = dict(counted)
    labels = [f"[{lo:g}, {hi:g}{']' if i == len(edges) - 2 else ')'}"
              for i, (lo, hi) in enumerate(itertools.pairwise(edges))]
    cells = pa.table({"bin": labels,
                      "n": pa.array([by_bin.get(i, 0) for i in range(len(labels))], pa.int64()),
                      LEVEL: pa.array([0] * len(labels), pa.int64())})
    total = run(data.con, binned_persons_statement(data, value, edges, population)
                ).fetchall()[0]
    outside = by_bin.get(None, 0)
    margins = pa.table({"bin": pa.array([None], pa.string()),
                        "n": pa.array([total[0] if total else 0], pa.int64()),
                        LEVEL: pa.array([1], pa.int64())})
    table = Table(name, "histogram", ("bin",), cells, margins, population=dict(population or {}),
                  additive=sum(cells["n"].to_pylist()) == (total[0] if total else 0))
    if outside:
        table.notes.append(f"{outside} persons have a value of {value!r} outside the bins "
                           f"[{edges[0]:g}, {edges[-1]:g}] or missing; they are in no bin")
    return table


# -- the statements (pure builders; names quoted, values bound) -------------------------------

def frequency_statement(data: Microdata, groups: Sequence[str], population: Filter | None
                        ) -> Statement:
    """Distinct persons by ``groups``, every margin too (see :func:`frequency`)."""
    params = Params()
    where = Fragment(data.where(population, params))
    group = Fragment(f"GROUP BY {_grouping_sets(groups)}" if groups else "")
    return Statement("outputs: frequency table", compose(
        "SELECT {grouping} AS {level}, {groups}count(DISTINCT {person}) AS n FROM {view}{where} "
        "{group}", grouping=Fragment(_level(groups)), level=LEVEL,
        groups=Fragment("".join(quote(g) + ", " for g in groups)), person=data.person,
        view=data.view, where=where, group=group), params.values)


def magnitude_statement(data: Microdata, groups: Sequence[str], value: str, statistic: str,
                        population: Filter | None, top: int) -> Statement:
    """A statistic of ``value`` by ``groups`` with the contributor figures of every cell (see
    :func:`magnitude`)."""
    params = Params()
    stat = Fragment(statistic_sql(statistic, quote(value), params))
    where = Fragment(data.where(population, params))
    g = [quote(x) for x in groups]
    join = " AND ".join(["c._level = s._level"]
                        + [f"c.{x} IS NOT DISTINCT FROM s.{x}" for x in g])
    return Statement("outputs: magnitude table", compose(
        "WITH rows AS (SELECT * FROM {view}{where}), "
        "per AS (SELECT {grouping} AS _level, {groups}{person}, sum({value}) AS c, "
        "count({value}) AS nv, count(*) AS nr, bool_or({value} < 0) AS neg FROM rows "
        "GROUP BY {person_sets}), "
        "cells AS (SELECT _level, {groups}count(*) AS n, count(*) FILTER (nv > 0) AS n_valued, "
        "count(*) FILTER (nv < nr) AS n_missing, count(*) FILTER (neg) AS n_negative, "
        "coalesce(sum(c), 0)::DOUBLE AS total, coalesce(sum(abs(c)), 0)::DOUBLE AS abs_total, "
        "max(abs(c)::DOUBLE, {top}) AS top, min(c)::DOUBLE AS min_contribution, "
        "max(c)::DOUBLE AS max_contribution, sum(nv)::BIGINT AS records FROM per "
        "GROUP BY _level{cell_groups}), "
        "stats AS (SELECT {grouping} AS _level, {groups}{stat} AS value, min({value}) AS lo, "
        "max({value}) AS hi FROM rows {stats_group}"
        ") SELECT c.*, s.value, s.lo = s.hi AS all_same FROM cells c JOIN stats s ON {join}",
        view=data.view, where=where, grouping=Fragment(_level(groups)),
        groups=Fragment("".join(x + ", " for x in g)), person=data.person, value=value,
        person_sets=Fragment(_grouping_sets(groups, [data.person])),
        top=Fragment(str(int(top))), cell_groups=Fragment("".join(", " + x for x in g)),
        stat=stat, stats_group=Fragment(f"GROUP BY {_grouping_sets(groups)}" if groups else ""),
        join=Fragment(join)), params.values)


def _binned(data: Microdata, value: str, edges: list[float], population: Filter | None,
            params: Params) -> Fragment:
    """Each row's bin of ``value`` (``bin``, NULL outside the edges) and person (``p``)."""
    where = Fragment(data.where(population, params))
    v = quote(value)
    cases = " ".join(
        f"WHEN {v} >= {params(lo)} AND {v} {'<=' if i == len(edges) - 2 else '<'} "
        f"{params(hi)} THEN {params(i)}"
        for i, (lo, hi) in enumerate(itertools.pairwise(edges)))
    return Fragment(compose("SELECT CASE {cases} END AS bin, {person} AS p FROM {view}{where}",
                            cases=Fragment(cases), person=data.person, view=data.view,
                            where=where))


def histogram_statement(data: Microdata, value: str, edges: list[float],
                        population: Filter | None) -> Statement:
    """Distinct persons by bin of ``value`` (bin NULL: outside the edges or missing)."""
    params = Params()
    binned = _binned(data, value, edges, population, params)
    return Statement("outputs: histogram", compose(
        "SELECT bin, count(DISTINCT p) AS n FROM ({binned}) GROUP BY bin", binned=binned),
        params.values)


def binned_persons_statement(data: Microdata, value: str, edges: list[float],
                             population: Filter | None) -> Statement:
    """Distinct persons with a value in some bin."""
    params = Params()
    binned = _binned(data, value, edges, population, params)
    return Statement("outputs: histogram total", compose(
        "SELECT count(DISTINCT p) FROM ({binned}) WHERE bin IS NOT NULL", binned=binned),
        params.values)


__all__ = ["Grid", "Table", "frequency", "histogram", "magnitude"]
