"""Coarser levels of fields (dates, ages, postcode-like attributes, reference lookups), and
registering reference lookups."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from fivesafes.catalogue.errors import CatalogueError
from fivesafes.catalogue.granularity import (
    Column,
    attribute_columns,
    coarser_of,
    field_levels,
    levels_of,
)
from fivesafes.catalogue.lookups import Lookup, all_lookups, register_lookup
from fivesafes.errors import PermissionDenied
from fivesafes.sources.contract import AttributeColumn, Sensitivity
from fivesafes.sql import Params

OFFENCES = Lookup("offences", "offence_code", ("offence_group", "offence_category"),
                  ("prison.MAIN_OFFENCE",),
                  ({"offence_code": "VP01001", "offence_group": "violence",
                    "offence_category": "violent"},))


def evaluate(attribute: AttributeColumn, values: list, lookups=(OFFENCES,)) -> dict[str, list]:
    """Each column of the attribute and its levels, computed over ``values``."""
    p = Params()
    columns = attribute_columns("prison", attribute, list(lookups), {"offences": "lk"},
                                {attribute.column}, p)
    con = duckdb.connect()
    con.register("a", pa.table({attribute.column: values}))
    con.register("lk", pa.table({"offence_code": ["VP01001"], "offence_group": ["violence"],
                                 "offence_category": ["violent"]}))
    select = ", ".join(f'{c.sql} AS "{c.name}"' for c in columns)
    rows = con.sql(f"SELECT {select} FROM a", params=p.values).fetchall()
    return {c.name: [r[i] for r in rows] for i, c in enumerate(columns)}


def attr(column: str, typ: str) -> AttributeColumn:
    return AttributeColumn(column, typ, Sensitivity.QUASI_IDENTIFIER)


def test_dates_give_month_and_year():
    got = evaluate(attr("RECEPTION_DATE", "date"), [dt.date(2021, 3, 9), None])
    assert got == {"RECEPTION_DATE": [dt.date(2021, 3, 9), None],
                   "RECEPTION_DATE_month": ["2021-03", None],
                   "RECEPTION_DATE_year": [2021, None]}


def test_ages_give_bands_at_the_event():
    ages = [10, 17, 18, 20, 21, 24, 25, 29, 30, 39, 40, 49, 50, 59, 60, 97, None]
    got = evaluate(attr("AGE_ON_RECEPTION", "integer"), ages)["AGE_ON_RECEPTION_band"]
    assert got == ["under 18", "under 18", "18-20", "18-20", "21-24", "21-24", "25-29",
                   "25-29", "30-39", "30-39", "40-49", "40-49", "50-59", "50-59",
                   "60 and over", "60 and over", None]
    assert list(evaluate(attr("stage", "integer"), [3])) == ["stage"]  # not an age


def test_postcode_like_attributes_give_district_and_area():
    got = evaluate(attr("court_postcode", "string"), ["LS6 2AB", "sw1a1aa", "not one", None])
    assert got["court_postcode_district"] == ["LS6", "SW1A", None, None]
    assert got["court_postcode_area"] == ["LS", "SW", None, None]


def test_lookups_apply_by_key_name_or_by_declaration():
    got = evaluate(attr("MAIN_OFFENCE", "string"), ["VP01001", "ZZ99", None])
    assert got["offence_group"] == ["violence", None, None]
    assert got["offence_category"] == ["violent", None, None]
    assert list(evaluate(attr("other_code", "string"), ["VP01001"])) == ["other_code"]
    assert "offence_group" in evaluate(attr("offence_code", "string"), ["VP01001"])


def test_levels_run_from_the_most_detailed():
    p = Params()
    columns = attribute_columns("prison", attr("MAIN_OFFENCE", "string"), [OFFENCES],
                                {"offences": "lk"}, {"MAIN_OFFENCE", "offence_group"}, p)
    # a clash with an existing column gets the attribute's name in front
    assert levels_of(columns) == {"MAIN_OFFENCE": ["MAIN_OFFENCE", "MAIN_OFFENCE_offence_group",
                                                   "offence_category"]}


def column(name: str, derived_from: str | None = None, level: int = 0) -> Column:
    return Column(name, name, "string", Sensitivity.OTHER, "", "derived" if level else "attribute",
                  derived_from, level)


def test_a_fields_levels_are_worked_out_in_one_place():
    catalogue = [column("person_id"), column("hearing_date"),
                 column("hearing_date_year", "hearing_date", 2), column("offence"),
                 column("hearing_date_month", "hearing_date", 1),
                 column("offence_group", "offence", 1), column("offence_category", "offence", 2)]
    families = field_levels(catalogue)
    assert list(families) == ["person_id", "hearing_date", "offence"]  # the catalogue's order
    assert all(isinstance(c, Column) for family in families.values() for c in family)
    assert levels_of(catalogue) == {
        "person_id": ["person_id"],
        "hearing_date": ["hearing_date", "hearing_date_month", "hearing_date_year"],
        "offence": ["offence", "offence_group", "offence_category"]}
    coarser = coarser_of(catalogue)
    assert coarser["hearing_date"] == ("hearing_date_month", "hearing_date_year")
    assert coarser["hearing_date_month"] == ("hearing_date_year",)
    assert coarser["offence_category"] == coarser["person_id"] == ()
    # without the field itself (an extract approved at a coarser level) the levels still run
    assert levels_of(catalogue[2:3] + catalogue[4:5]) == {
        "hearing_date": ["hearing_date_month", "hearing_date_year"]}


def test_registering_lookups_checks_the_file_and_the_names(home, tmp_path: Path, staff):
    good = tmp_path / "offences.csv"
    good.write_text("offence_code,offence_group,offence_category\nA1,g,c\nB2,g,c\n", "utf-8")
    lookup = register_lookup(home, "offences", good, key="offence_code",
                             levels=["offence_group", "offence_category"],
                             applies_to=["prison.MAIN_OFFENCE"], by=staff.officer)
    assert len(lookup.rows) == 2 and lookup.applies("prison", "MAIN_OFFENCE")
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("offence_code,offence_group\nA1,g\nA1,h\n", "utf-8")
    problems = [
        (dict(name="Offences", path=good), "lower-case"),
        (dict(path=tmp_path / "missing.csv"), "file not found"),
        (dict(path=duplicate, levels=["offence_group"]), "line 3, column offence_code: 'A1' "
                                                         "also on line 2"),
        (dict(levels=["nope"]), "column(s) nope not in the header"),
        (dict(levels=["offence_code"]), "other than the key column"),
        (dict(applies_to=["MAIN_OFFENCE"]), "is not source.column"),
    ]
    for change, message in problems:
        args = dict(name="offences", path=good, key="offence_code",
                    levels=["offence_group"], applies_to=[], by=staff.officer) | change
        name, path = args.pop("name"), args.pop("path")
        with pytest.raises(CatalogueError, match=re.escape(message)):
            register_lookup(home, name, path, **args)
    with pytest.raises(PermissionDenied):
        register_lookup(home, "offences", good, key="offence_code", levels=["offence_group"],
                        by=staff.auditor)
    replaced = register_lookup(home, "offences", good, key="offence_code",
                               levels=["offence_group"], by=staff.admin)
    assert [lk.levels for lk in all_lookups(home)] == [replaced.levels] == [("offence_group",)]
