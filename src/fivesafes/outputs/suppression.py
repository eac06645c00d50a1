"""Primary and secondary suppression with the margins kept, verified by the interval attack.

Primary cells are those that fail a rule. Secondary cells are chosen by a mixed-integer
programme (scipy's ``milp``, HiGHS) that minimises what is withheld (the suppressed values plus
one per cell, or the number of cells) subject to:

* every primary cell is suppressed;
* a row or column holding a suppressed cell holds at least two (a lone one is its margin minus
  the published cells);
* in the row and in the column of each primary cell, the other suppressed cells hold enough
  value for the primary to move by its protection: ``max(ratio * value, width - value)``.

The pattern is then attacked (:mod:`fivesafes.outputs.attack`). Every primary cell's interval
must reach ``value * (1 - ratio)`` below and ``value * (1 + ratio)`` above, and for counts be at
least ``width`` wide (the minimum cell count by default). A primary cell that fails is first
given the cheapest rectangle of suppressed cells that protects it by construction (see
:func:`rectangle`; withholding more never narrows an interval), and the pattern attacked again.
Should one still fail, a constraint that one more cell of its row or column be suppressed is
added and the programme solved again; a cell that cannot be protected even so (e.g. its margin
is below what its protection needs) is reported, and the table must be coarsened instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

from fivesafes.outputs.attack import Interval, bounds
from fivesafes.outputs.tables import Grid


@dataclass
class Pattern:
    """The outcome: which cells are withheld and the attack on each of them."""

    primary: np.ndarray
    secondary: np.ndarray
    intervals: dict[tuple[int, int], Interval] = field(default_factory=dict)
    rounds: int = 0
    unprotected: list[tuple[int, int]] = field(default_factory=list)

    @property
    def suppressed(self) -> np.ndarray:
        return self.primary | self.secondary

    @property
    def protected(self) -> bool:
        return not self.unprotected


def requirement(value: float, ratio: float, width: float) -> tuple[float, float, float]:
    """(need_low, need_high, need_width) of a primary cell of ``value``."""
    return value * (1 - ratio), value * (1 + ratio), width


def _model(grid: Grid, primary: np.ndarray, ratio: float, width: float, cost: str,
           cuts: list[np.ndarray], allowed: np.ndarray
           ) -> tuple[np.ndarray, LinearConstraint, Bounds]:
    n_r, n_c = grid.values.shape
    one_way = n_r == 1
    cells = n_r * n_c
    lines = n_r + (0 if one_way else n_c)
    nv = cells + lines
    values = grid.values.ravel()
    c = np.concatenate([values + 1.0 if cost == "value" else np.ones(cells), np.zeros(lines)])
    ri, ci, data, lo, hi = [], [], [], [], []
    row_of = np.repeat(np.arange(n_r), n_c)
    col_of = np.tile(np.arange(n_c), n_r)
    e = 0
    # s_cell - y_line <= 0 for the cell's row (and column)
    line_of = [row_of] + ([] if one_way else [n_r + col_of])
    for lines_of in line_of:
        for k in range(cells):
            ri += [e, e]
            ci += [k, cells + lines_of[k]]
            data += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            e += 1
    # sum of the line's cells >= 2 y_line
    members: list[np.ndarray] = [np.flatnonzero(row_of == i) for i in range(n_r)]
    if not one_way:
        members += [np.flatnonzero(col_of == j) for j in range(n_c)]
    for line, ks in enumerate(members):
        ri += [e] * (len(ks) + 1)
        ci += list(ks) + [cells + line]
        data += [1.0] * len(ks) + [-2.0]
        lo.append(0.0)
        hi.append(np.inf)
        e += 1
    # capacity of the partners of each primary cell
    for k in np.flatnonzero(primary.ravel()):
        need = max(ratio * values[k], width - values[k])
        if need <= 0:
            continue
        for ks in ([members[row_of[k]]] if one_way
                   else [members[row_of[k]], members[n_r + col_of[k]]]):
            others = ks[ks != k]
            ri += [e] * len(others)
            ci += list(others)
            data += list(values[others])
            lo.append(min(need, float(values[others].sum())))
            hi.append(np.inf)
            e += 1
    for cut in cuts:
        ks = np.flatnonzero(cut)
        ri += [e] * len(ks)
        ci += list(ks)
        data += [1.0] * len(ks)
        lo.append(1.0)
        hi.append(np.inf)
        e += 1
    a = csr_matrix(coo_matrix((data, (ri, ci)), shape=(e, nv)))
    lower = np.concatenate([primary.ravel().astype(float), np.zeros(lines)])
    return c, LinearConstraint(a, np.array(lo), np.array(hi)), Bounds(
        lower, np.concatenate([allowed.ravel().astype(float), np.ones(lines)]))


def verify(grid: Grid, primary: np.ndarray, suppressed: np.ndarray, ratio: float,
           width: float) -> dict[tuple[int, int], Interval]:
    found = bounds(grid, suppressed)
    out = {}
    for (i, j), (low, high) in found.items():
        v = float(grid.values[i, j])
        need = requirement(v, ratio, width) if primary[i, j] else (v, v, 0.0)
        out[(i, j)] = Interval(i, j, v, low, high, *need)
    return out


def protect(grid: Grid, primary: np.ndarray, ratio: float = 0.5, width: float = 0.0,
            cost: str = "value", max_rounds: int = 25, time_limit: float = 20.0) -> Pattern:
    """Choose secondary cells for ``primary`` and verify the pattern (see the module)."""
    primary = primary.astype(bool)
    empty = np.zeros_like(primary)
    if not primary.any():
        return Pattern(primary, empty)
    n_r, n_c = grid.values.shape
    # a cell absent from the table (a magnitude cell no person falls in) is known to be empty:
    # withholding it would hide nothing, so it is never chosen
    allowed = grid.present | primary
    hopeless = _hopeless(grid, primary, ratio, width)
    cuts: list[np.ndarray] = []
    suppressed = primary.copy()
    intervals: dict[tuple[int, int], Interval] = {}
    for rounds in range(1, max_rounds + 1):
        c, constraint, box = _model(grid, primary, ratio, width, cost, cuts, allowed)
        result = milp(c, constraints=constraint, bounds=box, integrality=np.ones(len(c)),
                      options={"time_limit": time_limit, "mip_rel_gap": 0.02})
        if result.x is None:  # infeasible: suppress every cell of the primaries' lines
            suppressed = (_lines_of(primary) & allowed) | suppressed
        else:
            suppressed = result.x[: n_r * n_c].reshape(n_r, n_c) > 0.5
        intervals = verify(grid, primary, suppressed, ratio, width)
        failing = [cell for cell, iv in intervals.items()
                   if primary[cell] and not iv.protected and not hopeless[cell]]
        if not failing:
            break
        if rounds == 1:  # complete a protecting rectangle for each failing cell, then recheck
            extra = suppressed.copy()
            for i, j in failing:
                extra |= rectangle(grid.values, extra, i, j, ratio, width, allowed)
            if (extra != suppressed).any():
                suppressed = extra
                intervals = verify(grid, primary, suppressed, ratio, width)
                failing = [cell for cell, iv in intervals.items()
                           if primary[cell] and not iv.protected and not hopeless[cell]]
                if not failing:
                    break
        added = False
        for i, j in failing:
            cut = _lines_of(_only(primary.shape, i, j)) & ~suppressed & allowed
            if cut.any():
                cuts.append(cut.ravel())
                added = True
        if not added:
            break
    unprotected = [cell for cell, iv in intervals.items() if primary[cell] and not iv.protected]
    return Pattern(primary, suppressed & ~primary, intervals, rounds, unprotected)


def rectangle(values: np.ndarray, suppressed: np.ndarray, i: int, j: int, ratio: float,
              width: float, allowed: np.ndarray | None = None) -> np.ndarray:
    """The cheapest cells to add so that ``(i, j)`` sits in a rectangle that protects it.

    In a rectangle of suppressed cells ``(i, j), (i, k), (l, j), (l, k)`` the cell can move up by
    ``min(v_ik, v_lj)`` and down by ``min(v_ij, v_lk)`` with every margin unchanged, so the
    rectangle alone gives it that interval; more suppression only widens it. In a one-way
    table the partner is one other cell. Returns the cells to add (none if no rectangle will do).
    """
    v = values[i, j]
    allowed = np.ones_like(suppressed) if allowed is None else allowed | suppressed
    cost = np.where(suppressed, 0.0, np.where(allowed, values + 1.0, np.inf))
    add = np.zeros_like(suppressed)
    need = ratio * v
    if values.shape[0] == 1:
        ok = (values[0] >= need) & (v + values[0] >= width) & allowed[0]
        ok[j] = False
        if ok.any():
            k = int(np.argmin(np.where(ok, cost[0], np.inf)))
            add[0, k] = True
        return add
    up = np.where(allowed[i, :][None, :] & allowed[:, j][:, None],
                  np.minimum(values[i, :][None, :], values[:, j][:, None]), -1.0)  # [l, k]
    down = np.where(allowed, np.minimum(v, values), -1.0)
    ok = (up >= need) & (down >= need) & (up + down >= width)
    ok[i, :] = False
    ok[:, j] = False
    if not ok.any():
        return add
    total = cost[i, :][None, :] + cost[:, j][:, None] + cost
    row, k = np.unravel_index(int(np.argmin(np.where(ok, total, np.inf))), total.shape)
    add[i, k] = add[row, j] = add[row, k] = True
    return add


def _hopeless(grid: Grid, primary: np.ndarray, ratio: float, width: float) -> np.ndarray:
    """Primary cells no suppression can protect: the published margin of their row or column
    caps them below what their protection needs (only when margins are exact sums)."""
    if not grid.additive:
        return np.zeros_like(primary)
    if grid.values.shape[0] == 1:
        ceiling = np.full(grid.values.shape, grid.grand)
    else:
        ceiling = np.minimum(grid.row_totals[:, None], grid.col_totals[None, :])
    need = np.maximum(grid.values * (1 + ratio), width)
    return primary & (ceiling < need - 1e-9)


def _only(shape: tuple[int, ...], i: int, j: int) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[i, j] = True
    return mask


def _lines_of(mask: np.ndarray) -> np.ndarray:
    """Every cell in a row (or, for a two-way table, a column) of a cell of ``mask``."""
    rows = mask.any(axis=1)
    out = np.repeat(rows[:, None], mask.shape[1], axis=1)
    if mask.shape[0] > 1:
        out |= np.repeat(mask.any(axis=0)[None, :], mask.shape[0], axis=0)
    return out
