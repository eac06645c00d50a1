"""Differencing pairs: populations a few persons apart, and a withheld cell published in another
output; each finding names both outputs."""

from __future__ import annotations

import json

from fivesafes.outputs import checked, frequency
from fivesafes.outputs.differencing import (
    Ledger,
    LedgerEntry,
    check_against,
    population_difference,
)
from tests.outputs.spec import crosstab_rows, microdata


def rows_with_ages() -> list[dict]:
    adults = [{"g": "a" if i % 2 else "b", "age": 20 + i % 40} for i in range(60)]
    minors = [{"g": "a", "age": 16}, {"g": "b", "age": 17}, {"g": "a", "age": 15}]
    return adults + minors


def test_all_ages_and_adults_differ_by_three_persons() -> None:
    data = microdata(rows_with_ages())
    ledger = Ledger("p1")
    ledger.add(LedgerEntry.of(checked(frequency(data, ["g"], name="all ages")), data, "released"))
    adults = LedgerEntry.of(checked(frequency(data, ["g"], name="adults",
                                              population={"age": {">=": 18}})), data)
    [f] = check_against(ledger, adults, data)
    assert f.rule == "differencing" and f.outputs == ("all ages", "adults")
    assert f.figures["only_in_all ages"] == 3 and f.figures["only_in_adults"] == 0
    assert {c["cell"]["g"]: c["difference"] for c in f.figures["cells"]} == {"a": 2, "b": 1}


def test_populations_far_apart_are_fine() -> None:
    data = microdata(rows_with_ages())
    ledger = Ledger("p1")
    ledger.add(LedgerEntry.of(checked(frequency(data, ["g"], name="all")), data))
    older = LedgerEntry.of(checked(frequency(data, ["g"], name="40+",
                                             population={"age": {">=": 40}})), data)
    assert check_against(ledger, older, data) == []


def test_a_withheld_cell_published_in_another_table_is_recovered() -> None:
    rows = crosstab_rows({("x", "u"): 4, ("x", "v"): 30, ("y", "u"): 25, ("y", "v"): 40,
                          ("z", "u"): 15, ("z", "v"): 22})
    data = microdata(rows)
    ledger = Ledger("p1")
    cross = checked(frequency(data, ["a", "b"], name="a by b"))
    assert {"a": "x", "b": "u"} in [c["cell"] for c in cross.record.suppressed]
    ledger.add(LedgerEntry.of(cross, data, "released"))
    only_u = checked(frequency(data, ["a"], name="a among u",
                               population={"b": "u", "a": ["y", "z"]}))
    found = [f for f in check_against(ledger, LedgerEntry.of(only_u, data))
             if f.rule == "recovered-by-margins" and "published_cell" in f.figures]
    # the secondary partner of the 4 persons at a=x, b=u, published in the other table
    secondary = [c["cell"] for c in cross.record.suppressed if c["reason"] == "secondary"
                 and c["cell"]["b"] == "u"]
    assert [(f.cell, f.figures["published_cell"]) for f in found] == [
        (cell, {"a": cell["a"]}) for cell in secondary]
    assert found and found[0].outputs == ("a by b", "a among u")


def test_the_ledger_round_trips() -> None:
    data = microdata(rows_with_ages())
    ledger = Ledger("p1")
    ledger.add(LedgerEntry.of(checked(frequency(data, ["g"], name="t")), data))
    assert Ledger.from_dict(json.loads(json.dumps(ledger.to_dict()))) == ledger


def test_overlapping_margins_pin_a_withheld_cell_across_tables() -> None:
    rows = crosstab_rows({("x", "u"): 20, ("x", "v"): 3, ("x", "w"): 30, ("y", "u"): 25,
                          ("y", "v"): 40, ("y", "w"): 35, ("z", "u"): 15, ("z", "v"): 22,
                          ("z", "w"): 50})
    data = microdata(rows)
    ledger = Ledger("p1")
    cross = checked(frequency(data, ["a", "b"], name="a by b"))
    assert cross.record.status == "review"  # protected on its own: 3 could be 0 to 23
    ledger.add(LedgerEntry.of(cross, data, "released"))
    among_u = checked(frequency(data, ["a"], name="a among u", population={"b": "u"}))
    assert among_u.record.status == "pass"  # 20, 25, 15: nothing to hide on its own
    found = check_against(ledger, LedgerEntry.of(among_u, data))
    [pinned] = [f for f in found if f.rule == "recovered-by-margins" and "low" in f.figures]
    assert pinned.cell == {"a": "x", "b": "v"}
    assert pinned.figures["low"] == pinned.figures["high"] == 3.0
    assert pinned.outputs == ("a by b", "a among u")


def test_a_table_with_and_without_one_small_category() -> None:
    rows = [{"g": "a"}] * 20 + [{"g": "b"}] * 15 + [{"g": "c"}] * 3
    data = microdata(rows)
    ledger = Ledger("p1")
    ledger.add(LedgerEntry.of(checked(frequency(data, ["g"], name="all groups",
                                                population={"g": ["a", "b", "c"]})), data))
    without = LedgerEntry.of(checked(frequency(data, ["g"], name="without c",
                                               population={"g": ["a", "b"]})), data)
    [f] = [f for f in check_against(ledger, without, data) if f.rule == "differencing"]
    assert f.figures["only_in_all groups"] == 3 and f.outputs == ("all groups", "without c")


def test_populations_over_hostile_field_names_are_quoted_and_bound() -> None:
    field = 'age"; DROP TABLE t; --'
    data = microdata([{field: 17, "g": "x'; --"}, {field: 30, "g": "a"}, {field: 40, "g": "a"}])
    assert population_difference(data, {}, {field: {">=": 18}}) == (1, 0)
    assert population_difference(data, {"g": "x'; --"}, {"g": ["a"]}) == (1, 2)
    assert data.persons({"g": "x'; --"}) == {"p0"}
