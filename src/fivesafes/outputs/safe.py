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
from fivesafes.outputs.checks import TOTAL, check, describe
from fivesafes.outputs.rules import CheckRecord, Severity, Thresholds, cell_key, finding
from fivesafes.outputs.suppression import Pattern, protect
from fivesafes.outputs.tables import Table

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

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.table.name, "kind": self.table.kind,
                "groups": list(self.table.groups), "statistic": self.table.statistic,
                "value": self.table.value, "population": self.table.population,
                "cells": self.published.to_pylist(), "check": self.record.to_dict()}


def suppress(table: Table, record: CheckRecord, th: Thresholds) -> Pattern | None:
    """Withhold the failing interior cells and enough others; record cells and intervals."""
    if not 1 <= len(table.groups) <= 2:
        record.notes.append("suppression is applied to tables of one or two grouping fields; "
                            "this table must pass as it is or be coarsened")
        return None
    failing = {cell_key(f.cell) for f in record.findings
               if f.rule in PRIMARY_RULES and f.severity is Severity.FAIL and f.cell
               and TOTAL not in f.cell}
    if not failing:
        return None
    column = "n" if table.kind != "magnitude" else "total"
    grid = table.grid(column)
    if table.kind == "magnitude":
        grid.additive = True  # sums of contributions add up to their margins
        if float(np.min(grid.values, initial=0.0)) < 0:
            record.notes.append("the table has negative totals: the interval attack assumes "
                                "non-negative cells, so its intervals are indicative only")
    primary = np.zeros(grid.values.shape, dtype=bool)
    names = table.groups
    for i in range(grid.values.shape[0]):
        for j in range(grid.values.shape[1]):
            if cell_key(grid.cell(names, i, j)) in failing:
                primary[i, j] = True
    width = th.count_width() if table.kind != "magnitude" else 0.0
    pattern = protect(grid, primary, th.protection_ratio, width)
    for (i, j), iv in sorted(pattern.intervals.items()):
        cell = grid.cell(names, i, j)
        kind = "primary" if primary[i, j] else "secondary"
        record.suppressed.append({"cell": cell, "reason": kind})
        record.intervals.append({"cell": cell, "reason": kind} | iv.to_dict())
    for i, j in pattern.unprotected:
        cell = grid.cell(names, i, j)
        iv = pattern.intervals[(i, j)]
        record.findings.append(finding(
            r.PROTECTION, Severity.FAIL, {**cell, "_after_suppression": True},
            iv.to_dict(),
            f"{describe(cell)}: even suppressed, the published cells and margins pin it to "
            f"[{iv.low:g}, {iv.high:g}], narrower than required"))
    record.notes.append(f"suppression: {int(primary.sum())} primary and "
                        f"{int(pattern.secondary.sum())} secondary cells withheld; margins kept; "
                        f"verified by the interval attack in {pattern.rounds} round(s)")
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


def checked(table: Table, th: Thresholds | None = None, suppression: bool = True) -> Output:
    """Check ``table``, suppress what fails (when asked) and say what may be published."""
    th = th or Thresholds()
    record = check(table, th)
    pattern = suppress(table, record, th) if suppression else None
    return Output(table, record, publishable(table, record), pattern)
