"""Spec tables for every rule: input microdata, the request, the findings expected."""

from __future__ import annotations

import json

from fivesafes.outputs import CheckRecord, Thresholds, check, frequency, magnitude
from fivesafes.outputs.rules import Severity
from tests.outputs.spec import crosstab_rows, microdata, people


def rules_by_cell(record: CheckRecord) -> set[tuple[str, str]]:
    return {(f.rule, json.dumps(f.cell, sort_keys=True)) for f in record.findings}


def test_threshold_fails_cells_under_ten_persons_and_says_what_to_do() -> None:
    record = check(frequency(microdata(people(a=12, b=9, c=10)), ["g"]))
    [small] = record.by_rule("threshold")
    assert small.cell == {"g": "b"} and small.figures == {"n": 9, "min_cell": 10}
    assert "merge categories" in small.actions and record.status == "fail"


def test_the_threshold_is_configuration() -> None:
    record = check(frequency(microdata(people(a=12, b=9)), ["g"]), Thresholds(min_cell=5))
    assert record.by_rule("threshold") == [] and record.status == "pass"


def test_a_margin_under_the_threshold_fails_too() -> None:
    rows = crosstab_rows({("x", "u"): 5, ("x", "v"): 3, ("y", "u"): 20, ("y", "v"): 20})
    record = check(frequency(microdata(rows), ["a", "b"]))
    assert {"a": "x", "_total": ["b"]} in [f.cell for f in record.by_rule("threshold")]


def test_zeros_and_class_disclosure() -> None:
    rows = crosstab_rows({("x", "u"): 15, ("y", "u"): 12, ("y", "v"): 11})
    record = check(frequency(microdata(rows), ["a", "b"]))
    assert rules_by_cell(record) == {
        ("zero", '{"a": "x", "b": "v"}'),
        ("class-disclosure", '{"a": "x", "b": "u"}'),  # everyone with a=x has b=u
        ("class-disclosure", '{"a": "y", "b": "v"}'),  # everyone with b=v has a=y
    }
    [full] = [f for f in record.by_rule("class-disclosure") if f.cell["a"] == "x"]
    assert full.figures == {"n": 15, "categories": 2, "field": "b"}


def test_a_structural_zero_is_not_a_finding() -> None:
    rows = crosstab_rows({("x", "u"): 15, ("x", "v"): 15, ("y", "u"): 12})
    table = frequency(microdata(rows), ["a", "b"], structural_zeros=[{"a": "y", "b": "v"}])
    # nor is a full cell beside it: the definition already says everyone with a=y has b=u
    assert check(table).findings == []


def test_nk_dominance_and_p_percent() -> None:
    big = [{"g": "a", "v": 1000.0}, {"g": "a", "v": 900.0}] + [{"g": "a", "v": 1.0}] * 10
    even = [{"g": "b", "v": 10.0 + i} for i in range(12)]
    record = check(magnitude(microdata(big + even), ["g"], "v", "sum"))
    [nk] = [f for f in record.by_rule("nk-rule") if f.cell == {"g": "a"}]
    assert nk.figures["share"] > 0.9 and nk.figures["largest"] == 1000.0
    [pp] = [f for f in record.by_rule("p-ratio") if f.cell == {"g": "a"}]
    assert pp.figures["remainder"] == 10.0
    assert not [f for f in record.findings if f.cell == {"g": "b"}]


def test_p_percent_without_nk() -> None:
    rows = ([{"g": "a", "v": 100.0}, {"g": "a", "v": 95.0}] + [{"g": "a", "v": 1.0}] * 7
            + [{"g": "a", "v": 0.5}] * 4)
    record = check(magnitude(microdata(rows), ["g"], "v", "mean"))
    assert {f.rule for f in record.findings if f.cell == {"g": "a"}} == {"p-ratio", "nk-rule"}
    loose = check(magnitude(microdata(rows), ["g"], "v", "mean"), Thresholds(nk_k=0.99))
    assert {f.rule for f in loose.findings if f.cell == {"g": "a"}} == {"p-ratio"}


def test_min_and_max_are_disclosive_and_all_same_values_too() -> None:
    rows = [{"g": "a", "v": float(i)} for i in range(12)] + [{"g": "b", "v": 7.0}] * 12
    record = check(magnitude(microdata(rows), ["g"], "v", "max"))
    assert {f.cell["g"] for f in record.by_rule("extreme") if "g" in f.cell} == {"a", "b"}
    record = check(magnitude(microdata(rows), ["g"], "v", "mean"))
    assert [f.cell for f in record.by_rule("all-values-are-same")] == [{"g": "b"}]


def test_negative_and_missing_values_are_said() -> None:
    rows = [{"g": "a", "v": float(i + 1)} for i in range(12)] + [{"g": "a", "v": -3.0},
                                                                  {"g": "a", "v": None}]
    record = check(magnitude(microdata(rows), ["g"], "v", "mean"))
    [neg] = record.by_rule("negative")
    assert neg.severity is Severity.REVIEW and neg.figures == {"persons": 1}
    [miss] = record.by_rule("missing")
    assert miss.severity is Severity.INFO and miss.figures == {"persons": 1}
    assert record.status == "review"


def test_the_check_record_round_trips_through_json() -> None:
    record = check(frequency(microdata(people(a=12, b=3)), ["g"]))
    again = CheckRecord.from_dict(json.loads(json.dumps(record.to_dict())))
    assert again.to_dict() == record.to_dict()
