"""The same linkage through Splink's Spark backend (local mode) agrees with DuckDB, and is
repeatable: a second run gives the same people and a byte-identical model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fivesafes.linkage.options import LinkOptions
from fivesafes.linkage.runs import link_files

from .link_fixtures import contracts, make_synth

pytestmark = [
    pytest.mark.spark,
    # one worker runs every Spark test, one after another, on one JVM: two local[2] Spark
    # sessions side by side on a two-core machine each take several times longer
    pytest.mark.xdist_group("spark"),
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="pyspark is not installed (pip install 'fivesafes[spark]')"),
]


def _pairs(path: Path) -> set[tuple[str, str]]:
    rows = pq.read_table(path).to_pylist()
    by_cluster: dict[str, list[str]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster_id"], []).append(f"{row['source']}:{row['record_id']}")
    return {(a, b) for members in by_cluster.values() for a in members for b in members if a < b}


def test_spark_agrees_with_duckdb(tmp_path: Path) -> None:
    synth = make_synth(tmp_path, people=120, seed=3)
    files = contracts(synth)
    duck = link_files(files, tmp_path / "duckdb", truth=synth / "truth.csv")
    spark = link_files(files, tmp_path / "spark", LinkOptions(engine="spark"),
                       truth=synth / "truth.csv")
    assert spark.summary["engine"] == "spark"
    assert spark.summary["records"] == duck.summary["records"]
    a, b = _pairs(tmp_path / "duckdb" / "clusters.parquet"), _pairs(tmp_path / "spark" /
                                                                    "clusters.parquet")
    agreement = 2 * len(a & b) / (len(a) + len(b))
    assert agreement >= 0.99, (len(a), len(b), len(a & b))
    spark_f1 = spark.summary["accuracy"]["clusters"]["f1"]
    assert spark_f1 >= duck.summary["accuracy"]["clusters"]["f1"] - 0.01 and spark_f1 > 0.9
    assert (tmp_path / "spark" / "report.html").is_file()
    # and Spark gives the same people and the same model when run again
    link_files(files, tmp_path / "spark-again", LinkOptions(engine="spark"))
    assert _pairs(tmp_path / "spark-again" / "clusters.parquet") == b
    assert ((tmp_path / "spark-again" / "model.json").read_bytes()
            == (tmp_path / "spark" / "model.json").read_bytes())
