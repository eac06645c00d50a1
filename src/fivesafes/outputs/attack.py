"""The interval attack: what an intruder can learn about each suppressed cell from the published
cells and margins.

For a two-way table (a one-way table is one row), the unknowns are the suppressed cells, each at
least 0. When every person is in one cell the margins are exact sums, so each row and column of
the table gives an equation; when persons may fall in several cells (distinct-person counts),
a margin only says that the cells of its line add up to at least the margin and that no cell
exceeds it. The smallest and largest value of each unknown under those constraints (linear
programmes solved by HiGHS) are the intruder's interval. Cells linked by no row or column are
solved apart, which keeps each programme small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from fivesafes.outputs.tables import Grid


@dataclass(frozen=True)
class Interval:
    """The feasible range of one suppressed cell, and whether it is wide enough."""

    row: int
    col: int
    value: float
    low: float
    high: float
    need_low: float
    need_high: float
    need_width: float

    @property
    def protected(self) -> bool:
        eps = 1e-6 * max(1.0, abs(self.value))
        return (self.low <= self.need_low + eps and self.high >= self.need_high - eps
                and self.high - self.low >= self.need_width - eps)

    def to_dict(self) -> dict[str, float | bool]:
        return {"value": self.value, "low": self.low, "high": self.high,
                "required_low": self.need_low, "required_high": self.need_high,
                "required_width": self.need_width, "protected": self.protected}


def _components(cells: list[tuple[int, int]], one_way: bool) -> list[list[int]]:
    """Suppressed cells grouped by shared rows and columns (union-find)."""
    parent = list(range(len(cells)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    first: dict[tuple[str, int], int] = {}
    for k, (i, j) in enumerate(cells):
        for line in ((("r", i),) if one_way else (("r", i), ("c", j))):
            if line in first:
                parent[find(k)] = find(first[line])
            else:
                first[line] = k
    groups: dict[int, list[int]] = {}
    for k in range(len(cells)):
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def bounds(grid: Grid, suppressed: np.ndarray, additive: bool | None = None
           ) -> dict[tuple[int, int], tuple[float, float]]:
    """The intruder's (low, high) for every suppressed cell of ``grid``."""
    additive = grid.additive if additive is None else additive
    one_way = grid.values.shape[0] == 1
    cells = [(int(i), int(j)) for i, j in zip(*np.nonzero(suppressed), strict=True)]
    published = np.where(suppressed, 0.0, grid.values)
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for component in _components(cells, one_way):
        mine = [cells[k] for k in component]
        lines: dict[tuple[str, int], list[int]] = {}
        for v, (i, j) in enumerate(mine):
            lines.setdefault(("r", i), []).append(v)
            if not one_way:
                lines.setdefault(("c", j), []).append(v)
        rows, cols, rhs = [], [], []
        caps = np.full(len(mine), np.inf)
        for e, ((kind, idx), members) in enumerate(lines.items()):
            if kind == "r":
                total = grid.row_totals[idx] if not one_way else grid.grand
                rest = total - published[idx].sum()
            else:
                total = grid.col_totals[idx]
                rest = total - published[:, idx].sum()
            rows += [e] * len(members)
            cols += members
            rhs.append(rest)
            caps[members] = np.minimum(caps[members], rest if additive else total)
        a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(lines), len(mine))).tocsr()
        b = np.array(rhs)
        kw = ({"A_eq": a, "b_eq": b} if additive else {"A_ub": -a, "b_ub": -b})
        box = [(0.0, None if additive or np.isinf(cap) else float(cap)) for cap in caps]
        out.update(_solve(mine, np.array([grid.values[c] for c in mine], dtype=float),
                          caps, box, kw))
    return out


def _solve(cells: list[tuple[int, int]], truth: np.ndarray, caps: np.ndarray,
           box: list[tuple[float, float | None]], kw: dict[str, object]
           ) -> dict[tuple[int, int], tuple[float, float]]:
    """Exact min and max of every unknown. Each solution is a feasible table, so it also shows
    values the other unknowns can take: a minimum of 0 or a maximum at the cell's own bound
    (what is left of its row or column) seen in any solution is exact without a programme of
    its own."""
    low, high = truth.copy(), truth.copy()
    exact_low = np.zeros(len(cells), dtype=bool)
    exact_high = np.zeros(len(cells), dtype=bool)
    eps = 1e-9 * max(1.0, float(np.abs(truth).max(initial=0.0)))
    for v in range(len(cells)):
        for sign, exact in ((1.0, exact_low), (-1.0, exact_high)):
            if exact[v] or (sign > 0 and low[v] <= eps) or (sign < 0 and high[v] >= caps[v] - eps):
                exact[v] = True
                continue
            c = np.zeros(len(cells))
            c[v] = sign
            res = linprog(c, bounds=box, method="highs", **kw)
            if res.status == 3:  # unbounded above
                high[v], exact[v] = float("inf"), True
                continue
            if res.status != 0:
                raise RuntimeError(f"interval attack: HiGHS failed ({res.message})")
            np.minimum(low, res.x, out=low)
            np.maximum(high, res.x, out=high)
            exact[v] = True
    return {cell: (max(0.0, float(low[v])), float(high[v])) for v, cell in enumerate(cells)}
