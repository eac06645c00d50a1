"""Benchmark: one source linked as a partner department's encodings, against the plaintext link.

    .venv/bin/python bench/bench_partner_link.py [--people 25000] [--partner probation]
                                                 [--data DIR] [--outsiders 0.4]
                                                 [--no-plaintext] [--clk]

``--partner education`` takes the generator's partner department extract (``synth --partner``:
education records of the same people, with their own error model) instead of a justice source.

Generates synthetic extracts (or reads ``--data``), links every source in plaintext, then links
again with ``--partner`` standardised and encoded as the partner's kit would
(:func:`fivesafes.linkage.as_partner.as_partner`, default hardened parameters) and linked through
its encodings (:mod:`fivesafes.linkage.encoded`). ``--outsiders`` sets how many pupils of the
education extract are in no justice extract, as a share of ``--people``: 250,000 people with
``--outsiders 2.86`` give about 1,000,000 home records and 1,000,000 partner records.
``--no-plaintext`` skips the plaintext link (at that size it only doubles the wall time). Prints pairwise F1 of both against the truth
(target: encoded within 0.01 of plaintext) and the partner stage's seconds by step. Copy the
figures into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib

from fivesafes.linkage.as_partner import as_partner
from fivesafes.linkage.encoded import PartnerEncoding
from fivesafes.linkage.inputs import read_extracts
from fivesafes.linkage.pipeline import link_tables
from fivesafes.partner.encoding import EncodingParameters, new_linkage_secret
from fivesafes.sources.contract import load_all
from fivesafes.synth import generate
from fivesafes.synth.systems import education

PARTNER_EXTRACT = "education"

F1_SQL = """
WITH j AS (SELECT c.cluster_id, t.true_id FROM clusters AS c JOIN truth AS t
           USING (source, record_id))
SELECT (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) n FROM j GROUP BY cluster_id)),
       (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) n FROM j GROUP BY true_id)),
       (SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) n FROM j GROUP BY cluster_id, true_id))
"""


def pairwise(clusters: pa.Table, truth: Path) -> dict[str, float]:
    con = duckdb.connect()
    con.register("clusters", clusters)
    con.execute("CREATE TABLE truth AS SELECT * FROM read_csv($1, all_varchar = true)",
                [str(truth)])
    found, real, both = con.sql(F1_SQL).fetchall()[0]
    precision, recall = both / found, both / real
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--partner", default="probation")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--outsiders", type=float, default=education.OUTSIDERS)
    parser.add_argument("--no-plaintext", action="store_true")
    parser.add_argument("--clk", action="store_true",
                        help="the partner sends one record-level CLK instead of name filters")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-partner-") as tmp:
        work = Path(tmp)
        for name in ("plain", "encoded"):
            (work / name).mkdir()
        data = args.data
        if data is None:
            data = work / "synth"
            started = time.perf_counter()
            generate(people=args.people, out=data, seed=17,
                     partner=args.partner == PARTNER_EXTRACT, partner_outsiders=args.outsiders)
            print(f"synthetic data for {args.people:,} people: "
                  f"{time.perf_counter() - started:.1f}s")
        contracts = sorted((data / "contracts").glob("*.toml"))
        truth = data / "truth.csv"
        if args.partner == PARTNER_EXTRACT:
            contracts.append(data / "partner" / "contracts" / f"{PARTNER_EXTRACT}.toml")
            truth = work / "truth.csv"
            lines = (data / "truth.csv").read_text().splitlines(keepends=True)
            lines += (data / "partner" / "truth.csv").read_text().splitlines(keepends=True)[1:]
            truth.write_text("".join(lines))
        tables = read_extracts(load_all(contracts))
        plain_f1: dict[str, float] = {}
        plain_wall = 0.0
        if not args.no_plaintext:
            started = time.perf_counter()
            plain = link_tables(tables, work / "plain")
            plain_wall = time.perf_counter() - started
            plain_f1 = pairwise(plain.clusters, truth)
            plain.con.close()
        source = next(t for t in tables if t.source == args.partner)
        encoding = PartnerEncoding(EncodingParameters(clk=args.clk), new_linkage_secret())
        started = time.perf_counter()
        partner = as_partner(source, encoding, rng=np.random.default_rng(5))
        kit_seconds = time.perf_counter() - started
        home = [t for t in tables if t.source != args.partner]
        started = time.perf_counter()
        encoded = link_tables([*home, partner], work / "encoded")
        encoded_wall = time.perf_counter() - started
        encoded_f1 = pairwise(encoded.clusters, truth)
        figures = encoded.partners[0].summary()
        encoded.con.close()
    print(json.dumps({
        "records": sum(t.table.num_rows for t in tables),
        "partner_records": figures["records"], "home_records": figures["home_records"],
        "plaintext": {**plain_f1, "wall": round(plain_wall, 1)},
        "encoded": {**encoded_f1, "wall": round(encoded_wall, 1)},
        "f1_difference": (round(plain_f1["f1"] - encoded_f1["f1"], 4) if plain_f1 else None),
        "partner_kit_encode_seconds": round(kit_seconds, 1),
        "partner_stage": figures, "peak_rss_mib": round(peak_rss_mib(), 0),
    }, indent=2))


if __name__ == "__main__":
    main()
