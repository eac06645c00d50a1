"""Standalone linkage: extract files in, person key map, model, report and summary out."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fivesafes.linkage.cli import register_commands
from fivesafes.linkage.options import LinkOptions
from fivesafes.linkage.runs import link_files

from .link_fixtures import contracts, make_synth


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synth(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="module")
def linked(synth: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("linked") / "out"
    result = link_files(contracts(synth), out, truth=synth / "truth.csv")
    return out, result


def test_outputs_cover_every_valid_record_once(linked, synth: Path) -> None:
    out, result = linked
    assert sorted(p.name for p in out.iterdir()) == [
        "clusters.parquet", "model.json", "report.html", "summary.json"]
    clusters = pq.read_table(out / "clusters.parquet")
    assert clusters.column_names == ["source", "record_id", "cluster_id"]
    keys = list(zip(clusters.column("source").to_pylist(),
                    clusters.column("record_id").to_pylist(), strict=True))
    assert len(keys) == len(set(keys))
    summary = json.loads((out / "summary.json").read_text())
    rejected = sum(summary["rows_not_valid"].values())
    truth_rows = sum(1 for _ in open(synth / "truth.csv")) - 1
    assert len(keys) == summary["records"] == truth_rows - rejected
    assert summary["clusters"] == len(set(clusters.column("cluster_id").to_pylist()))
    assert summary["threshold"] == LinkOptions().threshold
    for phase in ("read", "standardise", "train", "predict", "cluster", "split", "report"):
        assert phase in summary["seconds"]


def test_accurate_on_synthetic_data(linked) -> None:
    _, result = linked
    accuracy = result.summary["accuracy"]
    assert accuracy["clusters"]["f1"] > 0.97
    assert accuracy["clusters"]["precision"] > 0.97
    assert accuracy["true_pairs_unblocked"] >= 0
    thresholds = [row["threshold"] for row in accuracy["by_threshold"]]
    assert thresholds == sorted(thresholds)


def test_model_json_is_a_trained_splink_model(linked) -> None:
    out, _ = linked
    model = json.loads((out / "model.json").read_text())
    assert model["link_type"] == "link_and_dedupe"
    names = [c["output_column_name"] for c in model["comparisons"]]
    assert names == ["name", "dob", "postcode", "address", "sex"]
    levels = [level for c in model["comparisons"] for level in c["comparison_levels"]
              if not level.get("is_null_level")]
    assert all(level.get("u_probability") for level in levels)


def test_report_is_self_contained_html(linked) -> None:
    out, _ = linked
    html = (out / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 4
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    for section in ("Match-weight distribution", "Model parameters", "Cluster sizes",
                    "Largest clusters", "Blocking", "Clerical review sample",
                    "Accuracy against the truth file", "Over-merged clusters"):
        assert section in html


def test_cli_standalone(synth: Path, tmp_path: Path) -> None:
    group = click.Group()
    register_commands(group)
    out = tmp_path / "cli-out"
    files = [str(p) for p in contracts(synth)]
    result = CliRunner().invoke(group, ["link", "--contracts", *files, "--out", str(out),
                                        "--threshold", "0.95", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["threshold"] == 0.95 and summary["engine"] == "duckdb"
    assert (out / "report.html").is_file()


def test_interrupted_run_keeps_previous_results(synth: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from fivesafes.linkage import runs

    out = tmp_path / "out"
    out.mkdir()
    (out / "clusters.parquet").write_text("previous results")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs, "render", fail)
    with pytest.raises(KeyboardInterrupt):
        link_files(contracts(synth)[:2], out)
    assert (out / "clusters.parquet").read_text() == "previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging or work left
    monkeypatch.undo()
    killed = tmp_path / ".out.work-999999999-dead"  # as a run killed with SIGKILL leaves it
    killed.mkdir()
    link_files(contracts(synth)[:2], out)
    assert pq.read_table(out / "clusters.parquet").num_rows > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_link_database_draws_no_progress_bar_on_stdout(synth: Path, tmp_path: Path) -> None:
    # DuckDB draws a bar on stdout for a query over two seconds; `link --json` must stay JSON
    from fivesafes.linkage.inputs import read_extracts
    from fivesafes.linkage.pipeline import link_tables
    from fivesafes.sources.contract import load_all

    outcome = link_tables(read_extracts(load_all(contracts(synth))), tmp_path)
    try:
        assert outcome.con.sql("SELECT current_setting('enable_progress_bar')").fetchall() == [
            (False,)]
    finally:
        outcome.con.close()
