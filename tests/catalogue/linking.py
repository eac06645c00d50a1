"""Test stand-in for the linkage: a link run made from known groupings (synth's truth.csv, or
groupings a test chooses), written as the real link command writes it:
``linkage/links/<label>/clusters.parquet`` (record_key, source, cluster_id) and a ``LinkRun``
row, in one transaction with an audit entry.

Cluster ids deliberately embed a source record id, as Splink's do, so tests can check that they
never leave the linkage zone.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select

from fivesafes import audit
from fivesafes.home import Deployment
from fivesafes.pseudonyms import record_key
from fivesafes.store.models import IngestRun, LinkRun


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {(r["source"], r["record_id"]): r["true_id"] for r in csv.DictReader(fh)}


def ingested_keys(home: Deployment, ingests: list[str]) -> dict[str, str]:
    """record_key -> source of every accepted record of the ingests."""
    out: dict[str, str] = {}
    with home.store.reading() as session:
        runs = session.execute(select(IngestRun).where(IngestRun.label.in_(ingests))).scalars()
        for run in runs:
            for src in run.sources:
                keys = pq.read_table(home.root / src.attributes_path, columns=["record_key"])
                out.update(dict.fromkeys(keys.column("record_key").to_pylist(), src.source))
    return out


def link(home: Deployment, ingests: list[str], groups: Mapping[tuple[str, str], str],
         *, by: str = "test:linkage") -> str:
    """A link run over ``ingests`` whose clusters are ``groups``: (source, record id) -> group.
    Records not accepted at ingest are ignored; accepted records without a group are
    singletons."""
    secret = home.keys.load_key("record-key")
    present = ingested_keys(home, ingests)
    by_key: dict[str, tuple[str, str, str]] = {}
    for (source, record_id), group in groups.items():
        key = record_key(secret, source, record_id)
        if key in present:
            by_key[key] = (source, record_id, group)
    first_record: dict[str, str] = {}
    for _, record_id, group in sorted(by_key.values()):
        first_record.setdefault(group, record_id)
    keys, sources, clusters = [], [], []
    for key, source in sorted(present.items()):
        keys.append(key)
        sources.append(source)
        if key in by_key:
            group = by_key[key][2]
            clusters.append(f"{by_key[key][0]}-{first_record[group]}-g{group}")
        else:
            clusters.append(f"{source}-single-{key[:8]}")
    with home.store.reading() as session:
        highest = session.execute(select(func.max(LinkRun.id))).scalar() or 0
    label = f"link-{highest + 1:04d}"
    work = home.new_work_folder("link")
    pq.write_table(pa.table({"record_key": keys, "source": sources, "cluster_id": clusters}),
                   work / "clusters.parquet")
    target = home.linkage / "links" / label
    target.parent.mkdir(exist_ok=True)
    at = audit.utc_iso(home.clock())
    with home.store.transaction() as session:
        session.add(LinkRun(label=label, ingests=json.dumps(ingests), started_at=at,
                            finished_at=at, actor=by, engine="duckdb", threshold=0.9,
                            records=len(keys), clusters=len(set(clusters)),
                            folder=home.relative(target), summary="{}"))
        audit.record(session, by=by, action="link.complete", subject=label, at=home.clock(),
                     details={"ingests": ingests, "test": True})
        session.flush()
        os.rename(work, target)
    return label


def link_from_truth(home: Deployment, ingests: list[str], truth: Path) -> str:
    return link(home, ingests, read_truth(truth))
