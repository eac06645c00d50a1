"""Where Splink runs: DuckDB (default, in-process) or Spark (local mode here, a cluster at scale).

Standardisation, clustering, over-merge splitting and evaluation always run in DuckDB; an
engine only holds the features for Splink and hands its results back to DuckDB. The DuckDB engine
shares the pipeline's connection and shows Splink's own tables as views, so nothing is copied;
the Spark engine moves tables through Parquet files in the run's work folder. PySpark is an
optional extra (``pip install 'fivesafes[spark]'``) imported only when ``--engine spark`` is
chosen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import duckdb
from splink.internals.splink_dataframe import SplinkDataFrame

from fivesafes.errors import FivesafesError
from fivesafes.sql import Fragment, Statement, compose, literal, quote, run

__all__ = ["ENGINES", "DuckDBEngine", "Engine", "EngineError", "SparkEngine", "open_engine"]

ENGINES = ("duckdb", "spark")
#: Below this many records Spark runs with one partition per thread.
SMALL = 100_000


class EngineError(FivesafesError):
    """The chosen engine cannot run here."""


class Engine(Protocol):
    name: str
    api: Any

    def register(self, table: str, display_name: str) -> SplinkDataFrame:
        """Make DuckDB table ``table`` an input of Splink."""

    def to_duckdb(self, frame: SplinkDataFrame, name: str) -> str:
        """Make a Splink result readable in DuckDB as ``name`` until :meth:`release`; returns
        the quoted name."""

    def release(self, name: str) -> None:
        """Drop ``name`` (made by :meth:`to_duckdb`) and the Splink result behind it."""

    def close(self) -> None: ...


class DuckDBEngine:
    """Splink on the pipeline's own DuckDB connection."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        from splink import DuckDBAPI

        self.con = con
        self.api = DuckDBAPI(con)
        self._frames: dict[str, SplinkDataFrame] = {}

    def register(self, table: str, display_name: str) -> SplinkDataFrame:
        return self.api.register(table, dataset_display_name=display_name)

    def to_duckdb(self, frame: SplinkDataFrame, name: str) -> str:
        """A view over Splink's own table: nothing is copied (a copy of the scored pairs of a
        million records took 12 s and gigabytes)."""
        run(self.con, Statement("engine: show a Splink result", compose(
            "CREATE OR REPLACE VIEW {target} AS SELECT * FROM {frame}", target=name,
            frame=Fragment(frame.physical_name))))  # Splink's own table name, as Splink writes it
        self._frames[name] = frame
        return quote(name)

    def release(self, name: str) -> None:
        run(self.con, Statement("engine: drop a view of a Splink result", compose(
            "DROP VIEW IF EXISTS {target}", target=name)))
        frame = self._frames.pop(name, None)
        if frame is not None:
            frame.drop_table_from_database_and_remove_from_cache()

    def close(self) -> None:
        pass


def spark_session(work: Path, threads: int, partitions: int) -> Any:
    """The local Spark session linkage runs on, with Splink's similarity functions."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "--engine spark needs PySpark: install it with pip install 'fivesafes[spark]' "
            "(and Java 17), or use --engine duckdb"
        ) from None
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    builder = (
        SparkSession.builder.master(f"local[{threads}]")
        .appName("fivesafes-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.local.dir", str(work))
        .config("spark.driver.memory", "4g")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Java missing or failing to start
        raise EngineError(f"Spark could not start ({error}); check that Java 17 is installed "
                          "and JAVA_HOME points at it, or use --engine duckdb") from None
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(work / "checkpoints"))
    return session


class SparkEngine:
    """Splink's Spark backend; tables travel as Parquet through ``work``."""

    name = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection, work: Path, threads: int = 2,
                 records: int = 0) -> None:
        self.con = con
        self.work = work / "spark"
        self.work.mkdir(parents=True, exist_ok=True)
        # few partitions for small inputs: Spark's per-task overhead dominates them
        partitions = threads if records < SMALL else threads * 4
        self.session = spark_session(self.work, threads, partitions)
        from splink import SparkAPI

        self.api = SparkAPI(spark_session=self.session, num_partitions_on_repartition=partitions)
        self._count = 0

    def _path(self, stem: str) -> Path:
        self._count += 1
        return self.work / f"{self._count:03d}-{stem}.parquet"

    def register(self, table: str, display_name: str) -> SplinkDataFrame:
        path = self._path("input")
        # COPY takes no bound parameter for its file: the path is a literal, written by sqlglot
        run(self.con, Statement("engine: write a Spark input", compose(
            "COPY (SELECT * FROM {table}) TO {path} (FORMAT parquet)", table=table,
            path=Fragment(literal(str(path))))))
        frame = self.session.read.parquet(str(path))
        return self.api.register(frame, dataset_display_name=display_name)

    def to_duckdb(self, frame: SplinkDataFrame, name: str) -> str:
        path = self._path("result")
        frame.as_spark_dataframe().write.mode("overwrite").parquet(str(path))
        run(self.con, Statement("engine: read a Spark result", compose(
            "CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_parquet($1)", target=name),
            [f"{path}/*.parquet"]))
        return quote(name)

    def release(self, name: str) -> None:
        run(self.con, Statement("engine: drop a Spark result", compose(
            "DROP TABLE IF EXISTS {target}", target=name)))

    def close(self) -> None:
        try:
            self.session.stop()
        except Exception:  # pragma: no cover - best effort
            pass


def open_engine(name: str, con: duckdb.DuckDBPyConnection, work: Path, threads: int = 2,
                records: int = 0) -> Engine:
    """The engine called ``name`` (one of :data:`ENGINES`) for ``records`` records."""
    if name == "duckdb":
        return DuckDBEngine(con)
    if name == "spark":
        return SparkEngine(con, work, threads, records)
    raise EngineError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")
