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

A finding names both outputs. The ledger is plain data (``to_dict``/``from_dict``); where it is
stored and how a checker reviews it is the release workflow's business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fivesafes.outputs import rules as r
from fivesafes.outputs.checks import TOTAL, describe
from fivesafes.outputs.data import Microdata
from fivesafes.outputs.rules import Finding, Severity, Thresholds, cell_key, finding
from fivesafes.outputs.safe import Output
from fivesafes.sql import Params, quote


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

    @classmethod
    def of(cls, output: Output, data: Microdata, status: str = "requested") -> LedgerEntry:
        params = Params()
        where = data.where(output.table.population, params)
        persons = data.con.execute(
            f"SELECT count(DISTINCT {quote(data.person)}) FROM {quote(data.view)}"  # noqa: S608
            + where, params.values).fetchall()[0]
        hidden = {cell_key(c["cell"]) for c in output.record.suppressed}
        cells = []
        for i in range(len(output.table.cells)):
            cell = output.table.cell(i)
            n = output.table.cells.column("n")[i].as_py()
            cells.append({"cell": cell, "n": None if cell_key(cell) in hidden else n})
        return cls(output.table.name, output.table.kind, output.table.groups,
                   dict(output.table.population), int(persons[0]) if persons else 0,
                   tuple(cells), status)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "kind": self.kind, "groups": list(self.groups),
                "population": self.population, "persons": self.persons,
                "cells": list(self.cells), "status": self.status}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LedgerEntry:
        return cls(data["output"], data["kind"], tuple(data["groups"]), dict(data["population"]),
                   int(data["persons"]), tuple(data["cells"]), data.get("status", "requested"))


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
    params = Params()
    in_a, in_b = data.condition(a, params), data.condition(b, params)
    p = quote(data.person)
    row = data.con.execute(
        f"SELECT count(*) FILTER (WHERE x AND NOT y), count(*) FILTER (WHERE y AND NOT x) "  # noqa: S608
        f"FROM (SELECT {p}, bool_or({in_a}) AS x, bool_or({in_b}) AS y "
        f"FROM {quote(data.view)} GROUP BY {p})", params.values).fetchall()[0]
    return (int(row[0]), int(row[1])) if row else (0, 0)


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
