"""The columns of a research-ready dataset, with the coarser alternatives of each field.

Each source attribute is published as it is, followed by its coarser levels where they exist:

* a **date** -> its month (``YYYY-MM``) -> its year;
* an **age** (an integer attribute named ``age`` or ``age_...``/``..._age_...``) -> an age band
  at the event. Date of birth is an identifier and is destroyed, so year of birth and age at an
  event are never computed from it: a year of birth next to event dates narrows a person to a
  few days of birth, which is more identifying than the age band the source already gives;
* a **postcode-like** attribute (a string attribute whose name contains ``postcode``) ->
  district (outward code) -> area (its letters). Postcodes of people are identifiers and are
  never published; this is for, e.g., a court's or an office's postcode;
* an attribute a **reference lookup** applies to -> that lookup's levels (offence code ->
  offence group -> offence category).

SQL is generated here (identifiers quoted, values bound) and run by :mod:`publish`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fivesafes.catalogue.lookups import Lookup
from fivesafes.sources.contract import AttributeColumn, Sensitivity
from fivesafes.sql import Fragment, Params, compose, quote

AGE_NAME = re.compile(r"(^|_)age($|_)", re.IGNORECASE)
POSTCODE_NAME = re.compile(r"postcode", re.IGNORECASE)
AGE_BANDS: tuple[tuple[int | None, int | None, str], ...] = (
    (None, 17, "under 18"), (18, 20, "18-20"), (21, 24, "21-24"), (25, 29, "25-29"),
    (30, 39, "30-39"), (40, 49, "40-49"), (50, 59, "50-59"), (60, None, "60 and over"),
)


@dataclass(frozen=True)
class Column:
    """One column of a research-ready dataset and how it is computed from the row ``a``."""

    name: str
    sql: str
    type: str  # string | integer | decimal | date | boolean
    sensitivity: Sensitivity
    description: str
    origin: str  # person_id | replaced_id | attribute | derived
    derived_from: str | None = None
    level: int = 0
    lookup: str | None = None  # the reference lookup a derived column comes from


def _unique(name: str, taken: set[str], prefix: str) -> str:
    chosen = name if name not in taken else f"{prefix}_{name}"
    while chosen in taken:
        chosen += "_"
    taken.add(chosen)
    return chosen


def _age_band_sql(column: str, p: Params) -> str:
    whens = []
    for low, high, label in AGE_BANDS:
        tests = []
        if low is not None:
            tests.append(f"{column} >= {p(low)}")
        if high is not None:
            tests.append(f"{column} <= {p(high)}")
        whens.append(f"WHEN {' AND '.join(tests)} THEN {p(label)}")
    return f"CASE {' '.join(whens)} END"


def attribute_columns(source: str, attribute: AttributeColumn, lookups: list[Lookup],
                      lookup_tables: dict[str, str], taken: set[str], p: Params) -> list[Column]:
    """The attribute itself and its coarser levels. ``lookup_tables`` names the registered
    DuckDB table of each lookup; ``taken`` holds the column names already used."""
    name, typ, sens = attribute.column, attribute.type, attribute.sensitivity
    col = f"a.{quote(name)}"
    taken.add(name)
    out = [Column(name, col, typ, sens, attribute.description, "attribute")]

    def derived(level_name: str, sql: str, typ: str, description: str, level: int,
                lookup: str | None = None) -> None:
        out.append(Column(_unique(level_name, taken, name), sql, typ, sens, description,
                          "derived", name, level, lookup))

    if typ == "date":
        derived(f"{name}_month", f"strftime({col}, '%Y-%m')", "string",
                f"Month of {name} (YYYY-MM)", 1)
        derived(f"{name}_year", f"CAST(year({col}) AS BIGINT)", "integer",
                f"Year of {name}", 2)
    elif typ == "integer" and AGE_NAME.search(name):
        bands = ", ".join(label for _, _, label in AGE_BANDS)
        derived(f"{name}_band", _age_band_sql(col, p), "string",
                f"Age band of {name}: {bands}", 1)
    elif typ == "string" and POSTCODE_NAME.search(name):
        outward = (f"nullif(regexp_extract(upper(replace({col}, ' ', '')), "
                   f"'^([A-Z]{{1,2}}[0-9][A-Z0-9]?)[0-9][A-Z]{{2}}$', 1), '')")
        derived(f"{name}_district", outward, "string",
                f"Postcode district (outward code) of {name}", 1)
        derived(f"{name}_area", f"nullif(regexp_extract({outward}, '^[A-Z]+'), '')", "string",
                f"Postcode area (letters of the district) of {name}", 2)
    if typ == "string":
        for lookup in lookups:
            if not lookup.applies(source, name):
                continue
            for level, level_name in enumerate(lookup.levels, start=1):
                sql = compose("(SELECT l.{level} FROM {table} l WHERE l.{key} = {column})",
                              level=level_name, table=lookup_tables[lookup.name],
                              key=lookup.key_column, column=Fragment(col))
                derived(level_name, sql, "string",
                        f"{level_name.replace('_', ' ').capitalize()} of {name} (reference "
                        f"lookup '{lookup.name}')", level, lookup.name)
            break
    return out


class LevelledColumn(Protocol):
    """A column of the catalogue as far as its levels go (a :class:`Column` as built, a
    stored ``DatasetField``, a ``FieldEntry`` of the listing...)."""

    @property
    def name(self) -> str: ...

    @property
    def derived_from(self) -> str | None: ...

    @property
    def level(self) -> int: ...


L = TypeVar("L", bound=LevelledColumn)


def field_levels(columns: Iterable[L]) -> dict[str, list[L]]:
    """Each field's columns, most detailed first: the field itself (``derived_from`` None),
    then the columns derived from it by ``level`` (columns of the same level in the order
    given, which is the order publishing computed them). The one place levels are worked out."""
    columns = list(columns)
    levels: dict[str, list[L]] = {c.name: [c] for c in columns if c.derived_from is None}
    for c in sorted((c for c in columns if c.derived_from is not None), key=lambda c: c.level):
        levels.setdefault(c.derived_from, []).append(c)  # type: ignore[arg-type]
    return levels


def levels_of(columns: Iterable[LevelledColumn]) -> dict[str, list[str]]:
    """Each field's levels by name, most detailed first (the field itself, then coarser)."""
    return {name: [c.name for c in family] for name, family in field_levels(columns).items()}


def coarser_of(columns: Iterable[LevelledColumn]) -> dict[str, tuple[str, ...]]:
    """Each column's coarser alternatives, finest first (the levels of its field after it)."""
    coarser: dict[str, tuple[str, ...]] = {}
    for family in field_levels(columns).values():
        for c in family:
            coarser[c.name] = tuple(o.name for o in family if o.level > c.level)
    return coarser
