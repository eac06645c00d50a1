"""Small microdata for the output spec tests: rows written out by hand, one person per id."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from fivesafes.outputs import Microdata


def people(**groups: int) -> list[dict[str, Any]]:
    """``people(a=3)``: 3 rows of distinct persons whose ``g`` is ``a``."""
    rows = []
    for label, count in groups.items():
        rows += [{"g": label} for _ in range(count)]
    return rows


def microdata(rows: list[dict[str, Any]], start: int = 0) -> Microdata:
    """Rows as microdata; a row without ``person_id`` is a new person."""
    fields = sorted({k for row in rows for k in row} | {"person_id"})
    filled = [{"person_id": f"p{start + i}"} | row for i, row in enumerate(rows)]
    return Microdata.of(pa.table({f: [row.get(f) for row in filled] for f in fields}))


def crosstab_rows(counts: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    rows = []
    for (a, b), n in counts.items():
        rows += [{"a": a, "b": b} for _ in range(n)]
    return rows
