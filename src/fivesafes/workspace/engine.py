"""The sandboxed engine of a workspace session: an in-memory DuckDB database that holds one
project's extract and nothing else.

The datasets are views over Arrow tables (decrypted in memory by the service; nothing is written
to disk, and Python variables are not scanned by name), a ``scratch`` schema is made for derived tables, and then the engine is locked: no
external access (files, network, ``ATTACH``), no extension installing or autoloading, a memory
cap and a thread count, and ``lock_configuration`` so that no setting can change afterwards.
Each statement runs under a timeout (the connection is interrupted when it passes) and returns
at most ``max_rows`` rows, with a flag when there were more.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from fivesafes.errors import FivesafesError

SCRATCH = "scratch"


class QueryFailed(FivesafesError):
    """The engine could not run an allowed statement (an unknown column, a type error)."""


class QueryTimedOut(QueryFailed):
    """The statement ran past the workspace's timeout and was stopped."""


@dataclass(frozen=True)
class Limits:
    max_rows: int = 1000
    timeout_seconds: float = 30.0
    memory_limit: str = "2GB"
    threads: int = 2


@dataclass(frozen=True)
class Result:
    table: pa.Table
    truncated: bool
    seconds: float

    @property
    def rows(self) -> int:
        return self.table.num_rows


class Sandbox:
    """One session's locked DuckDB database over ``datasets`` (name -> Arrow table)."""

    def __init__(self, datasets: dict[str, pa.Table], limits: Limits = Limits()) -> None:
        self.limits = limits
        self._con = duckdb.connect(":memory:", config={
            "enable_external_access": False, "autoinstall_known_extensions": False,
            "autoload_known_extensions": False, "allow_community_extensions": False,
            "allow_unsigned_extensions": False, "python_enable_replacements": False,
            "memory_limit": limits.memory_limit,
            "threads": limits.threads})
        try:
            for name, table in datasets.items():
                # a view over the decrypted Arrow table: no copy, and nothing written anywhere
                self._con.register(_identifier(name), table)
            self._con.execute(f"CREATE SCHEMA {SCRATCH}")
            self._con.execute("SET lock_configuration = true")
        except BaseException:
            self._con.close()
            raise
        self.datasets = tuple(datasets)

    def run(self, sql: str) -> Result:
        """Run one statement (already allowed by the guard) under the limits."""
        started = time.perf_counter()
        timer = threading.Timer(self.limits.timeout_seconds, self._con.interrupt)
        timer.start()
        try:
            relation = self._con.sql(sql)
            if relation is None:  # CREATE and DROP
                return Result(pa.table({}), False, time.perf_counter() - started)
            reader = relation.to_arrow_reader(min(self.limits.max_rows + 1, 100_000))
            batches, count = [], 0
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > self.limits.max_rows:
                    break
            table = (pa.Table.from_batches(batches) if batches
                     else pa.Table.from_batches([], schema=reader.schema))
        except duckdb.InterruptException:
            raise QueryTimedOut(f"the statement ran for more than "
                                f"{self.limits.timeout_seconds:g} s and was stopped; narrow it "
                                "or aggregate first") from None
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise QueryFailed(f"the statement failed: {first}") from None
        finally:
            timer.cancel()
        truncated = table.num_rows > self.limits.max_rows
        if truncated:
            table = table.slice(0, self.limits.max_rows)
        return Result(table, truncated, time.perf_counter() - started)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The locked connection, for the platform's own output functions (never for a
        researcher's statement: those go through :meth:`run` after the guard)."""
        return self._con

    def scratch_tables(self) -> list[str]:
        rows = self._con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'scratch' "
            "ORDER BY table_name").fetchall()
        return [r[0] for r in rows]

    def columns(self, table: str) -> list[tuple[str, str]]:
        schema, _, name = table.rpartition(".")
        rows = self._con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE "
            "table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema or "main", name]).fetchall()
        return [(r[0], r[1]) for r in rows]

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a dataset name: {name!r}")
    return name
