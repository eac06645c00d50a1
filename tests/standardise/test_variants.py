"""The shipped name-variant table and its lookups."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from fivesafes.standardise.names import clean_name
from fivesafes.standardise.variants import variant_group, variant_groups, variant_table


def _rows() -> list[dict[str, str]]:
    text = resources.files("fivesafes.standardise").joinpath("data", "name_variants.csv").read_text()
    return list(csv.DictReader(io.StringIO(text)))


def test_table_shape() -> None:
    rows = _rows()
    groups = {row["group"] for row in rows}
    assert len(groups) >= 150
    for row in rows:
        assert clean_name(row["name"]) == row["name"], row
        assert clean_name(row["group"]) == row["group"], row
    pairs = [(row["group"], row["name"]) for row in rows]
    assert len(pairs) == len(set(pairs)), "duplicate rows"
    names_by_group: dict[str, set[str]] = {}
    for group, name in pairs:
        names_by_group.setdefault(group, set()).add(name)
    for group, names in names_by_group.items():
        assert group in names, f"group {group} does not contain its own canonical name"
        assert len(names) >= 2, f"group {group} has no variants"


@pytest.mark.parametrize(
    "names",
    [
        ["William", "Bill", "Will", "Billy", "Liam"],
        ["Margaret", "Peggy", "Maggie", "Meg"],
        ["Robert", "Bob", "Rob", "Bobby"],
        ["Elizabeth", "Liz", "Beth", "Betty", "Eliza"],
        ["Jonathan", "Jon"],
        ["John", "Jack", "Johnny"],
        ["Stephen", "Steven", "Steve"],
        ["Catherine", "Katherine", "Kathryn", "Kate", "Katie", "Cathy"],
        ["Mohammed", "Muhammad", "Mohammad", "Mohamed"],
        ["Zoë", "Zoe", "Zoey"],
    ],
)
def test_required_variants_share_a_group(names: list[str]) -> None:
    shared = set(variant_groups(names[0]))
    for name in names[1:]:
        shared &= set(variant_groups(name))
    assert shared, f"{names} share no group"


def test_lookup_cleans_and_uses_first_token() -> None:
    assert variant_group("  bill ") == "WILLIAM"
    assert variant_group("Mr Bill") == "WILLIAM"
    assert variant_group("Mary-Jane") == variant_group("MARY") == "MARY"
    assert variant_group("Xyzzy") is None
    assert variant_group(None) is None
    assert variant_group("") is None
    assert variant_groups("Xyzzy") == ()


def test_multi_group_names_are_deterministic() -> None:
    groups = variant_groups("Alex")
    assert groups == tuple(sorted(groups))
    assert {"ALEXANDER", "ALEXANDRA"} <= set(groups)
    assert variant_group("Alex") == groups[0] == "ALEXANDER"
    assert variant_groups("Jon") == ("JOHN", "JONATHAN")
    assert variant_group("Jon") == "JOHN"


def test_table_maps_every_name_to_sorted_groups() -> None:
    table = variant_table()
    assert all(groups == tuple(sorted(groups)) for groups in table.values())
    assert table["BILL"] == ("WILLIAM",)
