"""Benchmark: person ids and publishing for about 1,000,000 records (issue 4: assigning stable
person ids and publishing in <= 60 s; the release-gate scan in <= 60 s; 2 cores).

    .venv/bin/python bench/bench_publish.py [--people 250000] [--data DIR]

Generates the extracts (or reuses --data), ingests them, and writes a link run from the ground
truth (as the linkage would). Then it times, in this process:

* the identifier digests (salted token hashes the gate and the replaced ids use);
* publish: person ids for every cluster, every dataset with replaced ids and coarser levels, the
  person-level index, the release gate, and recording the release;
* the release-gate scan alone, again over the published files;
* a refresh: a second link run in which 1% of people are merged in pairs and 1% split, and the
  assignment of stable person ids against the first run's 1,000,000-record person key map.

Prints the figures; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib, timed

OFFICER = "bench.officer"


def _accounts(home) -> None:
    from fivesafes import accounts

    password = os.urandom(18).hex()
    accounts.create_first_administrator(home, by="os:bench", username="bench.admin",
                                        full_name="Bench Admin", email="admin@bench.example",
                                        password=password)
    accounts.create_account(home, by="bench.admin", username=OFFICER, full_name="Bench Officer",
                            email="officer@bench.example", password=password,
                            roles=(("linkage_officer", ""),))


def _truth(path: Path) -> pa.Table:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    return pa.table({"source": [r[0] for r in rows], "record_id": [r[1] for r in rows],
                     "true_id": [r[2] for r in rows]})


def write_link_run(home, ingest: str, truth: pa.Table, regroup=None) -> str:
    """A link run whose clusters are the ground truth (optionally regrouped), written as the
    link command writes it."""
    from sqlalchemy import func, select

    from fivesafes import audit
    from fivesafes.pseudonyms import record_keys
    from fivesafes.store.models import LinkRun

    secret = home.keys.load_key("record-key")
    parts = []
    for source in pc.unique(truth["source"]).to_pylist():
        rows = truth.filter(pc.equal(truth["source"], source))
        keys = record_keys(secret, source, rows["record_id"])
        parts.append(pa.table({"record_key": keys, "source": rows["source"],
                               "cluster_id": pc.binary_join_element_wise(
                                   rows["source"], rows["record_id"], rows["true_id"], "-")
                               if regroup is None else regroup(rows)}))
    clusters = pa.concat_tables(parts)
    accepted = set()
    for path in (home.linkage / "attributes" / ingest).glob("*.parquet"):
        accepted |= set(pq.read_table(path, columns=["record_key"])["record_key"].to_pylist())
    clusters = clusters.filter(pa.array([k in accepted for k in
                                         clusters["record_key"].to_pylist()]))
    # one cluster id per true person: the first record's id, as Splink names clusters
    con_clusters = _name_clusters(clusters)
    with home.store.reading() as session:
        label = f"link-{(session.execute(select(func.max(LinkRun.id))).scalar() or 0) + 1:04d}"
    folder = home.linkage / "links" / label
    folder.mkdir(parents=True)
    pq.write_table(con_clusters, folder / "clusters.parquet")
    at = audit.utc_iso(home.clock())
    with home.store.transaction() as session:
        session.add(LinkRun(label=label, ingests=json.dumps([ingest]), started_at=at,
                            finished_at=at, actor=OFFICER, engine="duckdb", threshold=0.9,
                            records=con_clusters.num_rows, clusters=0,
                            folder=home.relative(folder), summary="{}"))
        audit.record(session, by=OFFICER, action="link.complete", subject=label,
                     details={"bench": True})
    return label


def _name_clusters(clusters: pa.Table) -> pa.Table:
    import duckdb

    con = duckdb.connect()
    con.register("c", clusters)
    return con.sql("SELECT record_key, source, first(cluster_id) OVER (PARTITION BY "
                   "regexp_extract(cluster_id, '[^-]+$') ORDER BY cluster_id) AS cluster_id "
                   "FROM c").to_arrow_table()


def _refresh_groups(rows: pa.Table) -> pa.Array:
    """1% of people merged in pairs with the next person, 1% split record by record."""
    true_ids = [int(t) for t in rows["true_id"].to_pylist()]
    out = []
    for rid, true in zip(rows["record_id"].to_pylist(), true_ids, strict=True):
        if true % 100 == 0:
            out.append(f"x-{rid}-{true + 1}")  # merged with person true + 1
        elif true % 100 == 50:
            out.append(f"x-{rid}-{true}s{rid}")  # every record a person of its own
        else:
            out.append(f"x-{rid}-{true}")
    return pa.array(out, pa.string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--data", type=Path, default=None, help="existing synth output")
    args = parser.parse_args()
    from fivesafes.catalogue import gate
    from fivesafes.catalogue.digests import ensure_digests
    from fivesafes.catalogue.lookups import register_lookup
    from fivesafes.catalogue.persons import ensure_person_ids
    from fivesafes.catalogue.publish import publish
    from fivesafes.home import init_home
    from fivesafes.sources.contract import load_all
    from fivesafes.sources.ingest import ingest

    work = Path(tempfile.mkdtemp(prefix="fivesafes-bench-publish-"))
    data = args.data
    if data is None:
        from fivesafes.synth import generate

        data = work / "data"
        summary = generate(people=args.people, out=data, seed=7)
        print(f"synth: {summary.people:,} people, {summary.total_records:,} records in "
              f"{summary.seconds:.1f} s")
    os.environ.pop("FIVESAFES_DB_URL", None)
    home = init_home(work / "home", by="os:bench")
    _accounts(home)
    with timed() as t:
        result = ingest(home, load_all(sorted((data / "contracts").glob("*.toml"))), by=OFFICER)
    print(f"ingest: {result.accepted:,} records accepted in {t.seconds:.1f} s")
    truth = _truth(data / "truth.csv")
    link = write_link_run(home, result.label, truth)
    register_lookup(home, "offences", data / "reference" / "offences.csv", key="offence_code",
                    levels=["offence_group", "offence_category"],
                    applies_to=["prison.MAIN_OFFENCE"], by=OFFICER)

    with timed() as t_digests:
        ensure_digests(home, result.label, by=OFFICER)
    with timed() as t_persons:
        persons = ensure_person_ids(home, link, by=OFFICER)
    with timed() as t_publish:
        published = publish(home, by=OFFICER, link_label=link)
    files = {d.name: home.root / d.folder / f"{d.name}.parquet" for d in published.datasets}
    with timed() as t_gate:
        scanned = gate.scan(home, files)
    refresh = write_link_run(home, result.label, truth, regroup=_refresh_groups)
    with timed() as t_refresh:
        again = ensure_person_ids(home, refresh, by=OFFICER)
    rss = peak_rss_mib()

    rows = sum(d.rows for d in published.datasets if d.name != "person_index")
    print(f"records published: {rows:,} in {len(files) - 1} datasets + person index; "
          f"persons: {persons.persons:,}")
    print(f"identifier digests (built once, before destruction): {t_digests.seconds:.1f} s")
    print(f"person ids, first linkage ({persons.records:,} records): {t_persons.seconds:.1f} s")
    print(f"publish (datasets, replaced ids, levels, index, gate, record): "
          f"{t_publish.seconds:.1f} s")
    print(f"person ids + publish: {t_persons.seconds + t_publish.seconds:.1f} s (target <= 60)")
    print(f"release-gate scan alone: {t_gate.seconds:.1f} s over {scanned.values_scanned:,} "
          f"distinct values in {scanned.columns_scanned} columns (target <= 60); "
          f"passed: {scanned.passed}")
    print(f"refresh (1% merged, 1% split): person ids in {t_refresh.seconds:.1f} s; "
          f"{again.summary_line()}")
    print(f"peak RSS: {rss:,.0f} MiB")
    print(f"(data and home left in {work})")


if __name__ == "__main__":
    main()
