"""Monitoring rules of the workspace: which queries may single people out, decided from the
statement, its result and the person's recent queries. Pure: the service stores what they find.

* ``pseudonym_filter`` (violation): a filter that compares a pseudonym column with a value, i.e.
  looks up one person.
* ``differencing`` (violation): a query of the same shape as a recent one (the same statement
  with its WHERE removed and its values blanked) whose population differs from it by fewer than
  ``k`` persons, but not by none: subtracting the two results describes those few.
* ``repeated_refusals`` (violation): the ``refusals_allowed``-th refused statement, or a later
  one, within the last hour.
* ``small_groups`` (notice): a count in the result between 1 and ``k - 1``. Exploring inside the
  setting needs small counts, so this is a notice; the output check stops them leaving.
* ``refused`` (notice): a refused statement, with the guard's reason.

Only violations count towards the automatic suspension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot import exp

from fivesafes.workspace.guard import Statement

VIOLATION = "violation"
NOTICE = "notice"
HISTORY = 20  # queries compared for differencing


@dataclass(frozen=True)
class Alert:
    kind: str
    severity: str
    explanation: str

    def as_details(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "explanation": self.explanation}


def _count_columns(statement: Statement, result: pa.Table) -> list[str]:
    select = statement.expression
    if isinstance(select, exp.Create):
        return []
    if not isinstance(select, exp.Select):
        return []
    names = []
    for i, projection in enumerate(select.expressions):
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(inner, exp.Count) and i < result.num_columns:
            names.append(result.column_names[i])
    return names


def small_groups(statement: Statement, result: pa.Table, k: int) -> Alert | None:
    for name in _count_columns(statement, result):
        small = [v for v in result.column(name).to_pylist()
                 if isinstance(v, int) and 0 < v < k]
        if small:
            return Alert("small_groups", NOTICE,
                         f"{len(small)} count(s) in {name} below the threshold of {k} (smallest "
                         f"{min(small)}); such cells cannot leave the setting")
    return None


def pseudonym_filter(statement: Statement) -> Alert | None:
    if statement.pseudonym_filters:
        return Alert("pseudonym_filter", VIOLATION,
                     f"filters on the pseudonym column(s) {', '.join(statement.pseudonym_filters)}"
                     " with a value: this looks up individuals")
    return None


def differencing(shape: str, population: int | None, history: list[dict[str, Any]], k: int
                 ) -> Alert | None:
    """``history``: recent queries' details (``shape``, ``population``, ``seq``), newest last."""
    if population is None or population <= 0:
        return None
    for earlier in reversed(history[-HISTORY:]):
        other = earlier.get("population")
        if earlier.get("shape") != shape or not isinstance(other, int) or other <= 0:
            continue
        gap = abs(population - other)
        if 0 < gap < k:
            return Alert("differencing", VIOLATION,
                         f"the same query as audit entry {earlier.get('seq')} over a population "
                         f"of {population} instead of {other}: the two differ by {gap} "
                         f"person(s), fewer than {k}")
    return None


def refused(rule: str, reason: str) -> Alert:
    """``reason`` is the guard's message; the alert keeps its first clause (what was refused),
    not the reminder of what is allowed."""
    return Alert("refused", NOTICE, f"refused ({rule}): {reason.split('; allowed:', 1)[0]}")


def repeated_refusals(recent_refusals: int, allowed: int) -> Alert | None:
    if recent_refusals >= allowed:
        return Alert("repeated_refusals", VIOLATION,
                     f"{recent_refusals} refused statements within the hour")
    return None
