"""From a checked table to what may be published: the failing cells suppressed, secondary cells
chosen and the whole pattern verified (:mod:`fivesafes.outputs.suppression`), recorded in the
check record, and the published cells with the withheld ones blanked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from fivesafes.outputs import rules as r
from fivesafes.outputs.checks import TOTAL, cells_of, check, describe
from fivesafes.outputs.rules import CheckRecord, Severity, Thresholds, cell_key, finding
from fivesafes.outputs.suppression import Pattern, protect, verify
from fivesafes.outputs.tables import Grid, Table

#: Rules whose failing cell is withheld (primary suppression).
PRIMARY_RULES = {r.THRESHOLD, r.NK, r.P_RATIO, r.ZERO, r.CLASS, r.ALL_SAME}
#: Figures blanked in a withheld cell.
FIGURES = ("n", "value", "total", "abs_total", "largest", "second", "top", "min_contribution",
           "max_contribution", "records", "n_valued", "n_missing", "n_negative", "all_same")


@dataclass
class Output:
    """A computed output, its check record, and the cells that may be published."""

    table: Table
    record: CheckRecord
    published: pa.Table
    pattern: Pattern | None = None
    #: The published margins: the totals over each set of groups (``total_over`` names them).
    margins: pa.Table | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.table.name, "kind": self.table.kind,
                "groups": list(self.table.groups), "statistic": self.table.statistic,
                "value": self.table.value, "population": self.table.population,
                "cells": self.published.to_pylist(),
                "margins": [] if self.margins is None else self.margins.to_pylist(),
                "check": self.record.to_dict()}


def _mask(grid: Grid, names: tuple[str, ...], keys: set[tuple]) -> np.ndarray:
    mask = np.zeros(grid.values.shape, dtype=bool)
    for i in range(grid.values.shape[0]):
        for j in range(grid.values.shape[1]):
            mask[i, j] = cell_key(grid.cell(names, i, j)) in keys
    return mask


def suppress(table: Table, record: CheckRecord, th: Thresholds) -> Pattern | None:
    """Withhold the failing interior cells and enough others; record cells and intervals.

    A magnitude table publishes two figures per cell, the persons and the statistic, so the
    pattern must hold for both: it protects the cell totals (the statistic's failures), the
    person counts of cells under the threshold, and is verified on both."""
    if not 1 <= len(table.groups) <= 2:
        record.notes.append("suppression is applied to tables of one or two grouping fields; "
                            "this table must pass as it is or be coarsened")
        return None
    cell_findings = [f for f in record.findings if f.rule in PRIMARY_RULES
                     and f.severity is Severity.FAIL and f.cell and TOTAL not in f.cell]
    failing = {cell_key(f.cell) for f in cell_findings}
    if not failing:
        return None
    names = table.groups
    ratio = th.protection_ratio
    if table.kind != "magnitude":
        grids = {"n": (table.grid("n"), failing, th.count_width())}
    else:
        totals = table.grid("total")
        totals.additive = True  # sums of contributions add up to their margins
        if float(np.min(totals.values, initial=0.0)) < 0:
            record.notes.append("the table has negative totals: the interval attack assumes "
                                "non-negative cells, so its intervals are indicative only")
        persons = table.grid("n")
        persons.additive = abs(float(persons.values.sum()) - persons.grand) < 0.5
        small = {cell_key(f.cell) for f in cell_findings if f.rule == r.THRESHOLD}
        grids = {"total": (totals, failing, 0.0), "n": (persons, small, th.count_width())}
    suppressed: np.ndarray | None = None
    for grid, keys, width in grids.values():
        if keys:
            found = protect(grid, _mask(grid, names, keys), ratio, width)
            suppressed = found.suppressed if suppressed is None else suppressed | found.suppressed
    assert suppressed is not None
    pattern: Pattern | None = None
    primary_all = np.zeros_like(suppressed)
    for figure, (grid, keys, width) in grids.items():
        primary = _mask(grid, names, keys)
        primary_all |= primary
        intervals = verify(grid, primary, suppressed, ratio, width)
        for (i, j), iv in sorted(intervals.items()):
            cell = grid.cell(names, i, j)
            kind = "primary" if primary[i, j] else "secondary"
            record.intervals.append({"cell": cell, "reason": kind, "figure": figure}
                                    | iv.to_dict())
            if primary[i, j] and not iv.protected:
                record.findings.append(finding(
                    r.PROTECTION, Severity.FAIL, {**cell, "_after_suppression": True},
                    iv.to_dict() | {"figure": figure},
                    f"{describe(cell)}: even suppressed, the published cells and margins pin "
                    f"its {figure} to [{iv.low:g}, {iv.high:g}], narrower than required"))
        if figure == "n" or pattern is None:
            pattern = Pattern(primary, suppressed & ~primary, intervals)
    failing_mask = _mask(next(iter(grids.values()))[0], names, failing)
    for i, j in zip(*np.nonzero(suppressed), strict=True):
        cell = grids[next(iter(grids))][0].cell(names, int(i), int(j))
        record.suppressed.append({"cell": cell, "reason": "primary" if failing_mask[i, j]
                                  else "secondary"})
    record.notes.append(f"suppression: {int(failing_mask.sum())} primary and "
                        f"{int((suppressed & ~failing_mask).sum())} secondary cells withheld; "
                        "margins kept; verified by the interval attack on "
                        + " and ".join(grids))
    return pattern


def publishable(table: Table, record: CheckRecord) -> pa.Table:
    """The interior cells as they may be published: the group values, the count of persons and
    the statistic, never a contributor figure (largest, second, ...), and every figure of a
    withheld cell blanked (null)."""
    keep = [*table.groups, "n"] + (["value"] if table.kind == "magnitude" else [])
    out = table.cells.select(keep)
    hidden = {cell_key(c["cell"]) for c in record.suppressed}
    if not hidden:
        return out
    mask = pa.array([cell_key(table.cell(i)) in hidden for i in range(len(table.cells))])
    for name in FIGURES:
        if name in out.column_names:
            at = out.column_names.index(name)
            column = out.column(name)
            blank = pa.nulls(len(out), column.type)
            out = out.set_column(at, name, pa.compute.if_else(mask, blank, column))
    return out


def published_margins(table: Table) -> pa.Table:
    """The margins as published: group values (null where totalled), the groups totalled over,
    persons and (for a magnitude table) the statistic; no contributor figure."""
    keep = [*table.groups, "n"] + (["value"] if table.kind == "magnitude" else [])
    margins = table.margins
    over = [", ".join(c.get(TOTAL, [])) for c in cells_of(table, margins)]
    return margins.select(keep).append_column("total_over", pa.array(over, pa.string()))


def checked(table: Table, th: Thresholds | None = None, suppression: bool = True) -> Output:
    """Check ``table``, suppress what fails (when asked) and say what may be published."""
    th = th or Thresholds()
    record = check(table, th)
    pattern = suppress(table, record, th) if suppression else None
    return Output(table, record, publishable(table, record), pattern, published_margins(table))
