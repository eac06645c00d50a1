"""What every synthetic source system shares: its declared columns (which become its source
contract), the table it produces, and the handful of truly invalid rows ingest must quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from .. import dates, places, rates
from ..identity import ErrorLog

BAD_DOB_DAYS = ((31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11))
BAD_DATE_DAYS = ((30, 2), (31, 9), (15, 13), (0, 6))
INVALID_KINDS = ("bad_dob", "bad_sex", "bad_date", "bad_value", "empty_record_id")
#: Kinds whose record ingest keeps, listing the unreadable identifier value as a warning; ingest
#: quarantines the others.
WARNING_KINDS = ("bad_dob", "bad_sex")


@dataclass(frozen=True)
class Identifier:
    column: str
    role: str
    order: str | None = None
    format: str | None = None
    codes: tuple[tuple[str, str], ...] | None = None
    required: bool = False
    description: str = ""

    def contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {"column": self.column, "role": self.role}
        if self.order:
            out["order"] = self.order
        if self.format:
            out["format"] = self.format
        if self.codes:
            out["codes"] = dict(self.codes)
        if self.required:
            out["required"] = True
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Attribute:
    column: str
    type: str
    sensitivity: str
    description: str
    format: str | None = None
    values: tuple[str, ...] | None = None
    required: bool = False

    def contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {"column": self.column, "type": self.type}
        if self.format:
            out["format"] = self.format
        if self.values:
            out["values"] = list(self.values)
        out["sensitivity"] = self.sensitivity
        out["description"] = self.description
        if self.required:
            out["required"] = True
        return out


@dataclass(frozen=True)
class Invalid:
    """Where this source's deliberately invalid rows go wrong."""

    dob_column: str
    dob_format: str
    sex_column: str
    bad_sex: str
    date_column: str
    date_format: str
    value_column: str
    bad_value: str


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    owner: str
    description: str
    record_id: str
    file_format: str  # csv | parquet
    columns: tuple[str, ...]  # every column of the extract, in file order
    identifiers: tuple[Identifier, ...]
    attributes: tuple[Attribute, ...]
    invalid: Invalid
    delimiter: str = ","
    encoding: str = "utf-8"
    jurisdictions: tuple[str, ...] = ("England", "Wales")
    systems: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.file_format}"

    def integer_columns(self) -> set[str]:
        return {a.column for a in self.attributes if a.type == "integer"}

    def contract(self) -> dict[str, Any]:
        file: dict[str, Any] = {"path": f"../extracts/{self.file_name}", "format": self.file_format}
        if self.file_format == "csv":
            file["delimiter"] = self.delimiter
            file["encoding"] = self.encoding
        source: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "owner": self.owner,
            "description": self.description,
            "jurisdictions": list(self.jurisdictions),
            "systems": list(self.systems),
            "record_id": self.record_id,
            "file": file,
            "identifier": [i.contract() for i in self.identifiers],
            "attribute": [a.contract() for a in self.attributes],
        }
        return {"source": [source]}


@dataclass
class Table:
    """One extract in memory: text columns (object arrays of str; "" = empty), integer columns
    (int64 arrays, -1 = empty), and the true person behind each row."""

    spec: Spec
    columns: dict[str, np.ndarray]
    person: np.ndarray
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)  # (record id, column, why)

    def __len__(self) -> int:
        return len(self.person)


def record_ids(
    rng: np.random.Generator, n: int, start: int, width: int, prefix: str = ""
) -> np.ndarray:
    """Increasing record numbers with occasional gaps (deleted records)."""
    step = 1 + np.where(rng.random(n) < 0.08, rng.integers(1, 6, n), 0)
    numbers = start + np.cumsum(step) - step[:1].sum()
    return np.array([f"{prefix}{k:0{width}d}" for k in numbers.tolist()], dtype=object)


def date_order(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """Row order of an extract: by date, ties in random order (never by person)."""
    return np.lexsort((rng.random(len(day)), day))


def year_sequence(day: np.ndarray) -> np.ndarray:
    """1, 2, 3, ... within each calendar year, in row order (rows already sorted by ``day``)."""
    year = dates.to_ymd(day)[0]
    seq = np.ones(len(day), dtype=np.int64)
    if len(day):
        change = np.flatnonzero(np.diff(year) != 0) + 1
        starts = np.zeros(len(day), dtype=np.int64)
        starts[change] = change
        starts = np.maximum.accumulate(starts)
        seq = np.arange(len(day)) - starts + 1
    return seq


@cache
def town_lookup(kind: str) -> np.ndarray:
    """The court of ``kind`` (magistrates, crown, family) serving each town (global town index)."""
    out = []
    seen: dict[int, int] = {}
    for r, _town in places.towns():
        local = seen.get(r, 0)
        seen[r] = local + 1
        region = places.REGIONS[r]
        courts = [name for name, _ in region.family] if kind == "family" else getattr(region, kind)
        out.append(courts[local % len(courts)])
    return np.array(out, dtype=object)


@cache
def family_court_codes() -> dict[str, str]:
    return {name: code for region in places.REGIONS for name, code in region.family}


def ethnicity_labels(table: tuple[str, ...], ethnicity: np.ndarray) -> np.ndarray:
    return np.array(table, dtype=object)[ethnicity]


def inject_invalid(table: Table, rng: np.random.Generator, log: ErrorLog) -> None:
    """Break a few rows against their contract and note which and why: ingest must quarantine
    them, or (an unreadable date of birth or sex code) keep them with an identifier warning."""
    n = len(table)
    count = int(round(n * rates.INVALID_ROW_RATE))
    if n >= 500:
        count = max(count, rates.MIN_INVALID_ROWS)
    if count == 0:
        return
    spec, cols, bad = table.spec, table.columns, table.spec.invalid
    rows = np.sort(rng.choice(n, count, replace=False))
    kinds = [INVALID_KINDS[k] if k < 5 else INVALID_KINDS[k % 4] for k in range(count)]
    kinds = [kinds[k] for k in rng.permutation(count)]
    years = rng.integers(1960, 2005, count)
    picks = rng.integers(0, 1000, count)
    for row, kind, year, pick in zip(
        rows.tolist(), kinds, years.tolist(), picks.tolist(), strict=True
    ):
        record = cols[spec.record_id][row]
        if kind == "bad_dob":
            dom, month = BAD_DOB_DAYS[pick % len(BAD_DOB_DAYS)]
            cols[bad.dob_column][row] = dates.render(bad.dob_format, year, month, dom)
            column = bad.dob_column
        elif kind == "bad_sex":
            cols[bad.sex_column][row] = bad.bad_sex
            column = bad.sex_column
        elif kind == "bad_date":
            dom, month = BAD_DATE_DAYS[pick % len(BAD_DATE_DAYS)]
            cols[bad.date_column][row] = dates.render(bad.date_format, 2010 + pick % 15, month, dom)
            column = bad.date_column
        elif kind == "bad_value":
            cols[bad.value_column][row] = bad.bad_value
            column = bad.value_column
        else:
            cols[spec.record_id][row] = ""
            record, column = "", spec.record_id
        table.quarantine.append((record, column, kind))
        log.add(spec.name, f"invalid_{kind}", 1)
