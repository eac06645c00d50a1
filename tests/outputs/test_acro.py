"""ACRO/SACRO interchange: our results.json has ACRO's shape and reads back whole; an ACRO
results.json (hand-written here in ACRO's format) reads in as findings."""

from __future__ import annotations

import json
from pathlib import Path

from fivesafes.outputs import checked, frequency, magnitude
from fivesafes.outputs.acro import read_results, write_results
from fivesafes.outputs.models import regression, survival
from tests.outputs.spec import crosstab_rows, microdata


def test_results_json_has_acros_shape_and_round_trips(tmp_path: Path) -> None:
    rows = crosstab_rows({("x", "u"): 20, ("x", "v"): 3, ("x", "w"): 30, ("y", "u"): 25,
                          ("y", "v"): 40, ("y", "w"): 35, ("z", "u"): 15, ("z", "v"): 22,
                          ("z", "w"): 50})
    for row in rows:
        row["v"] = 10.0
    data = microdata(rows)
    outputs = [checked(frequency(data, ["a", "b"], name="a by b")),
               checked(magnitude(data, ["a"], "v", "mean", name="mean v"))]
    path = write_results(outputs, tmp_path, comments={"a by b": ["as in table 2"]},
                         exceptions={"mean v": "the value is a constant by design"})
    document = json.loads(path.read_text())
    assert set(document) == {"version", "tool", "results"}
    first = document["results"]["output_0"]
    assert first["status"] == "review" and first["type"] == "table"
    assert first["properties"]["method"] == "crosstab"
    sdc = first["files"][0]["sdc"]
    assert sdc["summary"]["threshold"] == 1 and sdc["summary"]["suppressed"] is True
    assert sdc["cells"]["threshold"] == [[0, 1]]  # row x, column v
    csv_text = (tmp_path / first["files"][0]["name"]).read_text().splitlines()
    assert csv_text[0] == "a / b,u,v,w" and csv_text[1] == "x,,,30"
    back = read_results(tmp_path)
    assert [b.name for b in back] == ["a by b", "mean v"]
    assert back[0].record.to_dict() == outputs[0].record.to_dict()
    assert back[0].comments == ["as in table 2"]
    assert back[1].exception == "the value is a constant by design"


def test_an_acro_results_json_reads_in_as_findings(tmp_path: Path) -> None:
    (tmp_path / "output_0_0.csv").write_text("a,b\n1,2\n")
    (tmp_path / "results.json").write_text(json.dumps({
        "version": "1.0.2",
        "tool": {"@type": "SoftwareApplication", "name": "ACRO", "version": "1.0.2"},
        "results": {"output_0": {
            "uid": "output_0", "status": "fail", "type": "table",
            "properties": {"method": "crosstab"},
            "files": [{"name": "output_0_0.csv", "sdc": {
                "summary": {"suppressed": False, "negative": 0, "missing": 0, "threshold": 2,
                            "p-ratio": 0, "nk-rule": 0, "all-values-are-same": 0},
                "cells": {"negative": [], "missing": [], "threshold": [[0, 1], [2, 0]],
                          "p-ratio": [], "nk-rule": [], "all-values-are-same": []}}}],
            "outcome": {}, "command": "acro.crosstab(df.a, df.b)",
            "summary": "fail; threshold: 2 cells may need suppressing; ",
            "timestamp": "2026-01-01T00:00:00", "comments": [], "exception": "", "fair": {}}}}))
    [out] = read_results(tmp_path / "results.json")
    assert out.status == "fail" and out.method == "crosstab"
    assert [f.cell for f in out.record.findings] == [{"row": 0, "column": 1},
                                                     {"row": 2, "column": 0}]
    assert out.record.status == "fail" and out.files == [tmp_path / "output_0_0.csv"]


def test_acro_1_0_check_names_read_as_our_rules(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"version": "1.0.2", "results": {
        "output_0": {"uid": "output_0", "status": "fail", "type": "table",
                     "properties": {"method": "crosstab"}, "files": [{"name": "t.csv", "sdc": {
                         "summary": {"MinimumThresholdCheck": 1, "NKCheck": 1,
                                     "PresenceOfLinkedTableCheck": 0},
                         "cells": {"MinimumThresholdCheck": [[1, 1]], "NKCheck": [[0, 2]],
                                   "PresenceOfLinkedTableCheck": []}}}]},
        "output_1": {"uid": "output_1", "status": "fail", "type": "regression",
                     "properties": {"method": "ols"}, "files": [{"name": "r.csv", "sdc": {
                         "summary": {"MinimumDoFCheck": 1}, "cells": {}}}]}}}))
    table, model = read_results(tmp_path)
    assert {(f.rule, f.cell["row"]) for f in table.record.findings} == {("threshold", 1),
                                                                         ("nk-rule", 0)}
    assert [f.rule for f in model.record.findings] == ["dof"]


def test_models_go_into_results_json_too(tmp_path: Path) -> None:
    rows = [{"y": 2.0 * i, "x": float(i), "t": float(i % 9), "e": i % 2} for i in range(8)]
    data = microdata(rows)
    outputs = [regression(data, "y", ["x"], name="y on x"),
               survival(data, "t", "e", [0, 5, 10], name="time to e")]
    document = json.loads(write_results(outputs, tmp_path).read_text())
    model = document["results"]["output_0"]
    assert model["type"] == "regression" and model["status"] == "fail"  # 6 residual df
    assert model["files"][0]["sdc"]["summary"]["dof"] == 1
    assert (tmp_path / "output_0.csv").read_text().startswith("term,coefficient,")
    assert [b.record.to_dict() for b in read_results(tmp_path)] == [
        o.record.to_dict() for o in outputs]
