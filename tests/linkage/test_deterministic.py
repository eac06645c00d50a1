"""The same extracts and settings give the same people and the same model, whatever the home
(each home keys its records with its own secret), the order the rows arrive in, the number of
threads, or how often the run is repeated (on Spark: tests/linkage/test_spark.py).

The u sample is kept small (``u_max_pairs``) so that sampling really happens: with every pair in
the sample the runs agree for a weaker reason."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.home import Deployment, init_home
from fivesafes.linkage.inputs import IdentifierTable, ingested_tables, read_extracts
from fivesafes.linkage.options import LinkOptions
from fivesafes.linkage.pipeline import link_tables
from fivesafes.linkage.runs import link_home
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest

from .link_fixtures import contracts, make_synth

SAMPLED = {"u_max_pairs": 4000}
Partition = list[list[tuple[str, str]]]


def _partition(rows: list[dict], key: str = "record_id",
               ids: dict[tuple[str, str], str] | None = None) -> Partition:
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        record = row[key] if ids is None else ids[(row["source"], row[key])]
        groups.setdefault(row["cluster_id"], []).append((row["source"], record))
    return sorted(sorted(members) for members in groups.values())


def _as_another_home(tables: list[IdentifierTable], secret: bytes, order: int
                     ) -> list[IdentifierTable]:
    """The same extracts as another home would hold them: its own record keys, rows in
    another order."""
    out = []
    for item in tables:
        ids = item.table.column("record_id").to_pylist()
        keys = [hashlib.sha256(secret + i.encode()).hexdigest()[:24] for i in ids]
        table = item.table.set_column(0, "record_key", pa.array(keys, pa.string()))
        positions = list(range(table.num_rows))
        random.Random(order).shuffle(positions)
        out.append(dataclasses.replace(item, table=table.take(pa.array(positions))))
    return out


def _run(tables: list[IdentifierTable], work: Path, threads: int) -> tuple[Partition, str, int]:
    work.mkdir()
    outcome = link_tables(tables, work, LinkOptions(threads=threads, **SAMPLED))
    try:
        return (_partition(outcome.clusters.to_pylist()),
                json.dumps(outcome.model, sort_keys=True), outcome.clusters_count)
    finally:
        assert outcome.con is not None
        outcome.con.close()


def test_the_same_extracts_give_the_same_people_and_model_in_any_home(tmp_path: Path) -> None:
    synth = make_synth(tmp_path, people=200, seed=21)
    tables = read_extracts(load_all(contracts(synth)))
    first = _run(_as_another_home(tables, b"home one", 1), tmp_path / "a", threads=2)
    again = _run(_as_another_home(tables, b"home one", 1), tmp_path / "b", threads=2)
    other_home = _run(_as_another_home(tables, b"home two", 2), tmp_path / "c", threads=2)
    one_thread = _run(_as_another_home(tables, b"home three", 3), tmp_path / "d", threads=1)
    assert first[2] < sum(t.table.num_rows for t in tables)  # it did link something
    assert first == again == other_home == one_thread
    assert "linker_uid" not in first[1]


def _home_partition(home: Deployment, folder: Path) -> Partition:
    ids = {(t.source, k): i for t in ingested_tables(home)
           for k, i in zip(t.table.column("record_key").to_pylist(),
                           t.table.column("record_id").to_pylist(), strict=True)}
    return _partition(pq.read_table(folder / "clusters.parquet").to_pylist(), "record_key", ids)


def test_two_homes_link_the_same_extracts_alike(tmp_path: Path, cheap_passwords) -> None:
    """Two real homes (each with its own record-key secret) ingest and link the same extracts.
    The store's backend plays no part in linkage, so both homes use the embedded one."""
    from fivesafes import accounts
    from tests.conftest import TEST_PASSWORD

    synth = make_synth(tmp_path, people=100, seed=9)
    results = []
    for name in ("first", "second"):
        home = init_home(tmp_path / name, by="test:officer")
        try:
            accounts.create_first_administrator(home, by="os:test", username="admin",
                                                full_name="Ada", email="a@example.org",
                                                password=TEST_PASSWORD)
            accounts.create_account(home, by="admin", username="officer", full_name="Officer",
                                    email="o@example.org", password=TEST_PASSWORD,
                                    roles=(("linkage_officer", ""),))
            ingest(home, load_all(contracts(synth)), by="officer")
            result = link_home(home, by="officer", options=LinkOptions(**SAMPLED))
            results.append((_home_partition(home, result.folder),
                            (result.folder / "model.json").read_bytes()))
        finally:
            home.close()
    assert results[0] == results[1]
