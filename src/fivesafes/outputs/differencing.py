"""Differencing across a project's outputs: a ledger of what the project has requested and
released, and the checks of a new output against it.

* **Populations that differ by a few persons.** Two outputs whose populations (their filters over
  the same extract) differ by fewer than ``min_cell`` persons, e.g. "all ages" and "age 18+", or
  a table with and without one category: subtracting one from the other describes those few.
  The differences of shared cells are given too.
* **A suppressed cell published elsewhere.** A cell withheld in one output whose defining
  condition (population and group values) is the same as that of a cell published in another
  (e.g. the ``a=x, b=u`` cell of an ``a`` by ``b`` table and the ``a=x`` cell of an ``a`` table of
  the persons with ``b=u``) is recovered from the other.
* **Overlapping margins.** When one output's cells are sums of another's (its population is the
  other's restricted to some categories of its grouping fields, its groups a subset), the
  interval attack on the withheld cells of the first is run again with the second's published
  cells and margins as further equations; a primary cell pinned narrower than the minimum cell
  count is recovered across the two tables.

A finding names both outputs. The ledger is plain data (``to_dict``/``from_dict``); where it is
stored and how a checker reviews it is the release workflow's business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fivesafes.outputs import rules as r
from fivesafes.outputs.checks import TOTAL, cells_of, describe
from fivesafes.outputs.data import Filter, Microdata
from fivesafes.outputs.rules import Finding, Severity, Thresholds, cell_key, finding
from fivesafes.outputs.safe import Output
from fivesafes.sql import Fragment, Params, Statement, compose, run


@dataclass(frozen=True)
class LedgerEntry:
    """One output as the ledger remembers it: how its population was defined and its cells
    (``n`` ``None`` where withheld)."""

    output: str
    kind: str
    groups: tuple[str, ...]
    population: dict[str, Any]
    persons: int
    cells: tuple[dict[str, Any], ...]
    status: str = "requested"
    #: Published margins (``cell`` with ``_total``, ``n``); cells add up to them when additive.
    margins: tuple[dict[str, Any], ...] = ()
    additive: bool = False

    @classmethod
    def of(cls, output: Output, data: Microdata, status: str = "requested") -> LedgerEntry:
        persons = run(data.con, persons_statement(data, output.table.population)).fetchall()[0]
        hidden = {cell_key(c["cell"]): c["reason"] for c in output.record.suppressed}
        cells = []
        # a regression's coefficients have no count of persons per row: nothing to difference
        counted = "n" in output.table.cells.column_names
        for i in range(len(output.table.cells)):
            cell = output.table.cell(i)
            n = output.table.cells.column("n")[i].as_py() if counted else None
            withheld = hidden.get(cell_key(cell))
            cells.append({"cell": cell, "n": None if withheld else n}
                         | ({"withheld": withheld} if withheld else {}))
        table = output.table
        margins = tuple({"cell": c, "n": n} for c, n in zip(
            cells_of(table, table.margins), table.margins.column("n").to_pylist(), strict=True)
        ) if len(table.margins) and "n" in table.margins.column_names else ()
        return cls(table.name, table.kind, table.groups, dict(table.population),
                   int(persons[0]) if persons else 0, tuple(cells), status, margins,
                   table.additive and table.kind == "frequency")

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "kind": self.kind, "groups": list(self.groups),
                "population": self.population, "persons": self.persons,
                "cells": list(self.cells), "status": self.status,
                "margins": list(self.margins), "additive": self.additive}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LedgerEntry:
        return cls(data["output"], data["kind"], tuple(data["groups"]), dict(data["population"]),
                   int(data["persons"]), tuple(data["cells"]), data.get("status", "requested"),
                   tuple(data.get("margins", ())), bool(data.get("additive", False)))


@dataclass
class Ledger:
    """Every output a project has requested or released, in order."""

    project: str
    entries: list[LedgerEntry] = field(default_factory=list)

    def add(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "entries": [e.to_dict() for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ledger:
        return cls(data["project"], [LedgerEntry.from_dict(e) for e in data["entries"]])


def population_difference(data: Microdata, a: dict[str, Any], b: dict[str, Any]
                          ) -> tuple[int, int]:
    """(persons in ``a`` only, persons in ``b`` only); a person belongs to a population when
    any of their rows matches its filter."""
    row = run(data.con, difference_statement(data, a, b)).fetchall()[0]
    return (int(row[0]), int(row[1])) if row else (0, 0)


def persons_statement(data: Microdata, population: Filter | None) -> Statement:
    """The number of distinct persons of ``population``."""
    params = Params()
    where = Fragment(data.where(population, params))
    return Statement("differencing: count persons", compose(
        "SELECT count(DISTINCT {person}) FROM {view}{where}", person=data.person,
        view=data.view, where=where), params.values)


def difference_statement(data: Microdata, a: dict[str, Any], b: dict[str, Any]) -> Statement:
    """See :func:`population_difference`."""
    params = Params()
    in_a, in_b = Fragment(data.condition(a, params)), Fragment(data.condition(b, params))
    return Statement("differencing: persons in one population only", compose(
        "SELECT count(*) FILTER (WHERE x AND NOT y), count(*) FILTER (WHERE y AND NOT x) "
        "FROM (SELECT {person}, bool_or({in_a}) AS x, bool_or({in_b}) AS y "
        "FROM {view} GROUP BY {person})", person=data.person, in_a=in_a, in_b=in_b,
        view=data.view), params.values)


def _definition(population: dict[str, Any], cell: dict[str, Any]) -> str | None:
    """The condition a cell counts, as a comparable text; ``None`` if not plain equalities."""
    out: dict[str, Any] = {}
    for name, wanted in population.items():
        if isinstance(wanted, list | tuple) and name in cell:
            if cell[name] not in wanted:
                return None
            continue  # the cell's own value says it
        if isinstance(wanted, list | tuple) and len(wanted) == 1:
            wanted = wanted[0]
        if isinstance(wanted, dict | list | tuple | set):
            return None
        out[name] = wanted
    for name, value in cell.items():
        if name == TOTAL:
            continue
        if name in out and out[name] != value:
            return None
        out[name] = value
    return json.dumps(out, sort_keys=True, default=str)


def check_against(ledger: Ledger, new: LedgerEntry, data: Microdata | None = None,
                  th: Thresholds | None = None) -> list[Finding]:
    """Findings for ``new`` against every earlier output of the ledger."""
    th = th or Thresholds()
    found: list[Finding] = []
    for old in ledger.entries:
        if old.output == new.output:
            continue
        both = (old.output, new.output)
        if data is not None and old.population != new.population:
            only_old, only_new = population_difference(data, old.population, new.population)
            if 0 < only_old + only_new < th.min_cell:
                shared = _cell_differences(old, new, th)
                found.append(finding(
                    r.DIFFERENCING, Severity.FAIL, {},
                    {"only_in_" + old.output: only_old, "only_in_" + new.output: only_new,
                     "min_cell": th.min_cell, "cells": shared},
                    f"the populations of {old.output!r} ({old.population or 'everyone'}) and "
                    f"{new.output!r} ({new.population or 'everyone'}) differ by "
                    f"{only_old + only_new} persons, fewer than {th.min_cell}: subtracting one "
                    "from the other describes those persons", both))
        found += _recovered(old, new, both) + _recovered(new, old, both)
        found += _joint_attack(old, new, th, both) + _joint_attack(new, old, th, both)
    return found


def _cell_differences(old: LedgerEntry, new: LedgerEntry, th: Thresholds) -> list[dict[str, Any]]:
    if old.groups != new.groups:
        return []
    before = {cell_key(c["cell"]): c for c in old.cells}
    out = []
    for c in new.cells:
        o = before.get(cell_key(c["cell"]))
        if o and o["n"] is not None and c["n"] is not None and 0 < abs(o["n"] - c["n"]) < th.min_cell:
            out.append({"cell": c["cell"], "difference": abs(o["n"] - c["n"])})
    return out


def _recovered(hiding: LedgerEntry, showing: LedgerEntry, both: tuple[str, str]) -> list[Finding]:
    shown = {}
    for c in showing.cells:
        key = _definition(showing.population, c["cell"])
        if key is not None and c["n"] is not None:
            shown[key] = c
    found = []
    for c in hiding.cells:
        if c["n"] is not None:
            continue
        key = _definition(hiding.population, c["cell"])
        if key in shown:
            found.append(finding(
                r.RECOVERED, Severity.FAIL, c["cell"],
                {"withheld_in": hiding.output, "published_in": showing.output,
                 "published_cell": shown[key]["cell"], "n": shown[key]["n"]},
                f"{describe(c['cell'])} is withheld in {hiding.output!r} but the same persons "
                f"are counted in {describe(shown[key]['cell'])} of {showing.output!r}", both))
    return found


def _restriction(base: dict[str, Any], other: dict[str, Any], groups: tuple[str, ...]
                 ) -> dict[str, list[Any]] | None:
    """``other``'s population as ``base``'s plus a choice of categories of ``groups`` (``None``
    when it is not: then the two outputs' cells cannot be lined up)."""
    extra: dict[str, list[Any]] = {}
    for name in set(base) | set(other):
        if base.get(name) == other.get(name):
            continue
        wanted = other.get(name)
        if name not in groups or name in base or wanted is None or isinstance(wanted, dict):
            return None
        extra[name] = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
    return extra


def _joint_attack(hiding: LedgerEntry, showing: LedgerEntry, th: Thresholds,
                  both: tuple[str, str]) -> list[Finding]:
    """The interval attack on ``hiding``'s withheld cells with ``showing``'s published cells
    and margins as further equations, when ``showing``'s cells are sums of ``hiding``'s."""
    import numpy as np
    from scipy.optimize import linprog

    unknown = [c for c in hiding.cells if c["n"] is None]
    if not unknown or not hiding.additive or not showing.additive:
        return []
    if not set(showing.groups) <= set(hiding.groups):
        return []
    extra = _restriction(hiding.population, showing.population, hiding.groups)
    if extra is None:
        return []
    at = {cell_key(c["cell"]): v for v, c in enumerate(unknown)}
    known = {cell_key(c["cell"]): c["n"] for c in hiding.cells if c["n"] is not None}

    def equation(condition: dict[str, Any], value: float, restrict: bool
                 ) -> tuple[np.ndarray, float] | None:
        row, rest = np.zeros(len(unknown)), float(value)
        for c in hiding.cells:
            cell = c["cell"]
            if any(cell.get(k) != v for k, v in condition.items() if k != TOTAL):
                continue
            if restrict and any(cell.get(k) not in vs for k, vs in extra.items()):
                continue
            key = cell_key(cell)
            if key in at:
                row[at[key]] = 1.0
            else:
                rest -= known[key]
        return (row, rest) if row.any() else None

    rows = [equation(m["cell"], m["n"], False) for m in hiding.margins]
    rows += [equation(c["cell"], c["n"], True) for c in [*showing.cells, *showing.margins]
             if c["n"] is not None]
    got = [e for e in rows if e is not None]
    if not got:
        return []
    a = np.array([e[0] for e in got])
    b = np.array([e[1] for e in got])
    found = []
    for v, c in enumerate(unknown):
        if c.get("withheld") != "primary":
            continue
        obj = np.zeros(len(unknown))
        obj[v] = 1.0
        lo = linprog(obj, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-obj, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        if lo.status != 0:
            continue  # the two outputs do not line up as assumed; nothing to conclude
        low = float(lo.fun)
        high = float(-hi.fun) if hi.status == 0 else float("inf")
        if high - low < th.count_width() - 1e-6:
            found.append(finding(
                r.RECOVERED, Severity.FAIL, c["cell"],
                {"withheld_in": hiding.output, "with": showing.output, "low": low, "high": high,
                 "required_width": th.count_width()},
                f"{describe(c['cell'])} is withheld in {hiding.output!r}, but with "
                f"{showing.output!r} its margins pin it to [{low:g}, {high:g}]", both))
    return found
