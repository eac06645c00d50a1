"""The disclosure checks of a table: every cell (margins included) against every rule that
applies to it, each failure a :class:`~fivesafes.outputs.rules.Finding` with its figures.

* frequency tables and histograms: threshold (fewer than ``min_cell`` persons), zeros, class
  disclosure (everyone in a group falls in one category);
* magnitude tables: threshold on contributors, N-K dominance, the p% rule, all values the same,
  minimum/maximum (always one person's value), negative and missing values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from fivesafes.outputs import rules as r
from fivesafes.outputs.rules import CheckRecord, Finding, Severity, Thresholds, finding
from fivesafes.outputs.tables import LEVEL, Table

TOTAL = "_total"
EXTREMES = {"min", "max", "p0", "p100"}


def describe(cell: dict[str, Any]) -> str:
    shown = [f"{k}={v!r}" for k, v in cell.items() if k != TOTAL]
    if cell.get(TOTAL):
        shown.append("total over " + ", ".join(cell[TOTAL]))
    return ", ".join(shown) or "the whole population"


def cells_of(table: Table, rows: pa.Table) -> list[dict[str, Any]]:
    """The cell names of ``rows`` (interior cells or margins): their group values, and for a
    margin the groups it totals."""
    values = {g: rows.column(g).to_pylist() for g in table.groups}
    levels = rows.column(LEVEL).to_pylist() if LEVEL in rows.column_names else [0] * len(rows)
    out = []
    for i, level in enumerate(levels):
        cell = {g: values[g][i] for k, g in enumerate(table.groups) if not level >> k & 1}
        totalled = [g for k, g in enumerate(table.groups) if level >> k & 1]
        if totalled:
            cell[TOTAL] = totalled
        out.append(cell)
    return out


def _parts(table: Table) -> list[pa.Table]:
    return [table.cells] + ([table.margins] if len(table.margins) else [])


def threshold(table: Table, th: Thresholds) -> list[Finding]:
    found = []
    for part in _parts(table):
        n = part.column("n").to_numpy(zero_copy_only=False)
        small = np.flatnonzero((n > 0) & (n < th.min_cell))
        if not len(small):
            continue
        names = cells_of(table, part.take(small))
        for cell, count in zip(names, n[small], strict=True):
            found.append(finding(
                r.THRESHOLD, Severity.FAIL, cell, {"n": int(count), "min_cell": th.min_cell},
                f"{describe(cell)}: {int(count)} persons, fewer than the minimum of "
                f"{th.min_cell}"))
    return found


def zeros_and_classes(table: Table, th: Thresholds) -> list[Finding]:
    """Zero cells (unless declared structural) and full cells: a group whose persons all share
    one category tells everyone who is known to be in the group that category."""
    if not 1 <= len(table.groups) <= 2 or not len(table.cells):
        return []
    grid = table.grid()
    found: list[Finding] = []
    names = table.groups
    if th.zeros_disclosive:
        for i, j in zip(*np.nonzero(grid.values == 0), strict=True):
            cell = grid.cell(names, i, j)
            if tuple(cell[g] for g in names) in table.structural_zeros:
                continue
            found.append(finding(r.ZERO, Severity.FAIL, cell, {"n": 0},
                                 f"{describe(cell)}: no person; a zero tells that nobody in "
                                 "the group has this category"))
    if not th.class_disclosure:
        return found
    lines: list[tuple[str, np.ndarray, list[dict[str, Any]], Any]] = []
    for i in range(grid.values.shape[0]):
        group = {names[0]: grid.rows[i]} if len(names) == 2 else {}
        lines.append((names[-1], grid.values[i], [grid.cell(names, i, j)
                                                  for j in range(len(grid.cols))], group))
    if len(names) == 2:
        for j in range(grid.values.shape[1]):
            lines.append((names[0], grid.values[:, j], [grid.cell(names, i, j)
                                                         for i in range(len(grid.rows))],
                          {names[1]: grid.cols[j]}))
    for category, line, cells, group in lines:
        possible = [c for c in cells if tuple(c[g] for g in names) not in table.structural_zeros]
        if len(possible) < 2:  # one category is all the definition allows: nothing learnt
            continue
        filled = np.flatnonzero(line > 0)
        if len(filled) == 1:
            cell = cells[filled[0]]
            found.append(finding(
                r.CLASS, Severity.FAIL, cell,
                {"n": int(line[filled[0]]), "categories": len(line), "field": category},
                f"{describe(cell)}: every one of the {int(line[filled[0]])} persons in "
                f"{describe(group)} has the same {category}, so it is disclosed for each"))
    return found


def dominance(table: Table, th: Thresholds) -> list[Finding]:
    found = []
    for part in _parts(table):
        n = part.column("n").to_numpy(zero_copy_only=False)
        total = part.column("abs_total").to_numpy(zero_copy_only=False)
        largest = part.column("largest").to_numpy(zero_copy_only=False)
        second = part.column("second").to_numpy(zero_copy_only=False)
        tops = part.column("top").to_pylist()
        topn = np.array([sum(t[: th.nk_n]) if t else 0.0 for t in tops])
        nk = (total > 0) & (topn > th.nk_k * total) & (n > 0)
        remainder = total - largest - second
        pp = (largest > 0) & (remainder < th.p_percent * largest)
        for rule, mask in ((r.NK, nk), (r.P_RATIO, pp)):
            idx = np.flatnonzero(mask)
            for k, cell in zip(idx, cells_of(table, part.take(idx)), strict=True):
                figures = {"n": int(n[k]), "total": float(total[k]),
                           "largest": float(largest[k]), "second": float(second[k])}
                if rule == r.NK:
                    share = topn[k] / total[k]
                    figures |= {"top_n": float(topn[k]), "share": float(share),
                                "nk_n": th.nk_n, "nk_k": th.nk_k}
                    text = (f"the largest {th.nk_n} contributors hold {share:.1%} of the total, "
                            f"more than {th.nk_k:.0%}")
                else:
                    figures |= {"remainder": float(remainder[k]), "p": th.p_percent}
                    text = (f"the others besides the two largest contribute {remainder[k]:g}, "
                            f"less than {th.p_percent:.0%} of the largest ({largest[k]:g}): the "
                            "second largest could estimate the largest too closely")
                found.append(finding(rule, Severity.FAIL, cell, figures,
                                     f"{describe(cell)}: {text}"))
    return found


def magnitude_extras(table: Table, th: Thresholds) -> list[Finding]:
    found = []
    for part in _parts(table):
        names = cells_of(table, part)
        n = part.column("n").to_pylist()
        same = part.column("all_same").to_pylist()
        for k, cell in enumerate(names):
            if table.statistic in EXTREMES and n[k]:
                found.append(finding(
                    r.EXTREME, Severity.FAIL, cell, {"statistic": table.statistic},
                    f"{describe(cell)}: the {table.statistic} is one person's value"))
            elif same[k] and n[k] > 1 and table.statistic != "count":
                found.append(finding(
                    r.ALL_SAME, Severity.FAIL, cell, {"n": n[k]},
                    f"{describe(cell)}: all {n[k]} persons have the same {table.value}, so the "
                    f"{table.statistic} discloses each one's value"))
    cells = table.cells
    negative = int(np.sum(cells.column("n_negative").to_numpy(zero_copy_only=False)))
    missing = int(np.sum(cells.column("n_missing").to_numpy(zero_copy_only=False)))
    if negative:
        found.append(finding(
            r.NEGATIVE, Severity.REVIEW, {}, {"persons": negative},
            f"{negative} persons have a negative {table.value}; the dominance rules were "
            "judged on the absolute size of each person's contribution"))
    if missing:
        found.append(finding(
            r.MISSING, Severity.INFO, {}, {"persons": missing},
            f"{missing} persons have a missing {table.value} in some row; those rows are left "
            f"out of the {table.statistic}, and the persons still count as contributors"))
    return found


def missing_groups(table: Table) -> list[Finding]:
    found = []
    for g in table.groups:
        if table.cells.column(g).null_count:
            found.append(finding(
                r.MISSING, Severity.INFO, {}, {"field": g},
                f"some persons have no {g}; they form the category null, checked like any other"))
    return found


def check(table: Table, th: Thresholds | None = None) -> CheckRecord:
    """Every rule that applies to ``table``."""
    th = th or Thresholds()
    record = CheckRecord(table.name, table.kind, th, notes=list(table.notes))
    record.findings += threshold(table, th)
    if table.kind in ("frequency", "histogram"):
        record.findings += zeros_and_classes(table, th)
    else:
        record.findings += dominance(table, th) + magnitude_extras(table, th)
    record.findings += missing_groups(table)
    if not table.additive and table.kind == "frequency":
        record.notes.append("some persons fall in more than one cell: each cell counts distinct "
                            "persons, so the totals are less than the sums of their cells")
    return record
