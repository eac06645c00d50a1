"""Benchmark: safe outputs (issue 14).

    .venv/bin/python bench/bench_outputs.py [--rows 1000000] [--data DIR] [--skip-acro]

1. **1,000,000 rows, a 150 x 40 crosstab** (court x offence, 250,000 persons with 4 rows each):
   distinct-person counts with their margins, threshold + zeros + class disclosure checks; and
   the same table as a sum of ``amount`` with threshold + N-K + p% dominance. Target <= 0.5 s.
2. **A mean of ``amount`` with N-K and p%** over the same table. Target <= 0.5 s.
3. **Secondary suppression plus the interval attack** of a 100 x 100 (10,000-cell) count table
   with about 3% of its cells under the threshold. Target <= 2 s.
4. **Side by side with ACRO** (``acro`` 1.0.2) on the same rows: ``acro.crosstab`` counts, sum
   and mean. ACRO pins ``pandas<=2.3.3`` and this project is on pandas 3, so ACRO runs in a
   throwaway virtual environment of its own that this script builds on first use (``--acro-venv``,
   default ``~/.cache/fivesafes-bench/acro-venv``); ACRO counts rows, not distinct persons, so
   the answers are compared on a second file of one row per person: cells failing the
   threshold, N-K and p% must be the same.

Data is generated with DuckDB (seeded hashes). Prints the figures; copy them into
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import timed

ACRO = "acro==1.0.2"

ACRO_SCRIPT = r"""
import json, sys, time, warnings, logging
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
import pandas as pd
from acro import ACRO
df = pd.read_parquet(sys.argv[1])
acro = ACRO(suppress=False)
out = {}
t = time.perf_counter(); acro.crosstab(df.court, df.offence); out["count"] = time.perf_counter() - t
t = time.perf_counter()
acro.crosstab(df.court, df.offence, values=df.amount, aggfunc="sum")
out["sum"] = time.perf_counter() - t
t = time.perf_counter()
acro.crosstab(df.court, df.offence, values=df.amount, aggfunc="mean")
out["mean"] = time.perf_counter() - t
one = pd.read_parquet(sys.argv[2])  # one row per person: ACRO's rows are then persons
acro.crosstab(one.court, one.offence)
acro.crosstab(one.court, one.offence, values=one.amount, aggfunc="sum")
keys = acro.results.get_keys()
out["single_count"] = acro.results.get(keys[-2]).sdc["summary"]
out["single_sum"] = acro.results.get(keys[-1]).sdc["summary"]
print(json.dumps(out))
"""


def generate(path: Path, rows: int, per_person: int = 4) -> None:
    import duckdb

    con = duckdb.connect()
    court = f"(hash(i // {int(per_person)} + 1 * 1000000007::BIGINT) % 1000)::INTEGER"
    offence = "(hash(i + 2 * 1000000007::BIGINT) % 1000)::INTEGER"
    # skewed: the low-numbered courts and offences are small, so some cells are too
    con.execute(
        f"COPY (SELECT 'p' || (i // {int(per_person)})::VARCHAR AS person_id, "  # noqa: S608
        f"'court-' || least(149, floor(150 * pow({court} / 1000.0, 0.5)))::INTEGER::VARCHAR "
        "AS court, "
        f"'offence-' || least(39, floor(40 * pow({offence} / 1000.0, 0.6)))::INTEGER::VARCHAR "
        "AS offence,"
        " round(10 + (hash(i + 3 * 1000000007::BIGINT) % 100000) / 100.0, 2) AS amount "
        f"FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)")
    con.close()


def ours(path: Path) -> dict:
    import duckdb
    import pyarrow.parquet as pq

    from fivesafes.outputs import Microdata, check, frequency, magnitude

    rows = pq.read_table(path)
    con = duckdb.connect()
    data = Microdata.of(rows, con)
    out: dict = {}
    with timed() as t:
        counts = frequency(data, ["court", "offence"])
        record = check(counts)
    out["count"] = t.seconds
    out["cells"] = len(counts.cells)
    out["count_summary"] = record.summary()
    with timed() as t:
        sums = magnitude(data, ["court", "offence"], "amount", "sum")
        record = check(sums)
    out["sum"] = t.seconds
    out["sum_summary"] = record.summary()
    with timed() as t:
        means = magnitude(data, ["court", "offence"], "amount", "mean")
        record = check(means)
    out["mean"] = t.seconds
    out["mean_summary"] = record.summary()
    from fivesafes.outputs import checked

    with timed() as t:
        full = checked(frequency(data, ["court", "offence"]))
    out["checked"] = t.seconds
    out["checked_note"] = full.record.notes[-1]
    out["checked_status"] = full.record.status
    return out


def suppression(size: int = 100) -> dict:
    import numpy as np

    from fivesafes.outputs.suppression import protect
    from fivesafes.outputs.tables import Grid

    rng = np.random.default_rng(14)
    values = rng.poisson(40, (size, size)).astype(float)
    small = rng.random((size, size)) < 0.03
    values[small] = rng.integers(1, 10, int(small.sum()))
    grid = Grid(list(range(size)), list(range(size)), values,
                np.ones(values.shape, dtype=bool), values.sum(1),
                values.sum(0), float(values.sum()))
    with timed() as t:
        pattern = protect(grid, (values > 0) & (values < 10), ratio=0.5, width=10)
    widths = [iv.high - iv.low for cell, iv in pattern.intervals.items() if pattern.primary[cell]]
    return {"seconds": t.seconds, "primary": int(pattern.primary.sum()),
            "secondary": int(pattern.secondary.sum()), "rounds": pattern.rounds,
            "unprotected": len(pattern.unprotected), "min_width": min(widths),
            "protected": pattern.protected}


def same_answers(single: Path, theirs: dict) -> dict:
    """Cells failing each rule, ours (interior cells; ACRO's threshold counts zeros too) and
    ACRO's, on the one-row-per-person data."""
    import duckdb
    import pyarrow.parquet as pq

    from fivesafes.outputs import Microdata, check, frequency, magnitude

    data = Microdata.of(pq.read_table(single), duckdb.connect())

    def interior(record, *rules: str) -> int:  # type: ignore[no-untyped-def]
        return len({json.dumps(f.cell, sort_keys=True) for f in record.findings
                    if f.rule in rules and f.cell and "_total" not in f.cell})

    counts = check(frequency(data, ["court", "offence"]))
    sums = check(magnitude(data, ["court", "offence"], "amount", "sum"))
    ours = {"threshold": interior(counts, "threshold", "zero"),
            "nk": interior(sums, "nk-rule"), "p": interior(sums, "p-ratio")}
    acro = {"threshold": theirs["single_count"].get("MinimumThresholdCheck"),
            "nk": theirs["single_sum"].get("NKCheck"),
            "p": theirs["single_sum"].get("PPercentCheck")}
    text = ", ".join(f"{k}: fivesafes {ours[k]} cells, ACRO {acro[k]}" for k in ours)
    return {"same": ours == acro, "text": text + f"; same answers: {ours == acro}"}


def acro_python(folder: Path) -> Path:
    where = folder
    python = where / "bin" / "python"
    if not python.exists():
        print(f"  building a throwaway venv for {ACRO} in {where} ...", flush=True)
        venv.create(where, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", ACRO, "pyarrow"], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--acro-venv", type=Path)
    parser.add_argument("--skip-acro", action="store_true")
    args = parser.parse_args()
    folder = args.data or Path(tempfile.mkdtemp(prefix="fivesafes-bench-outputs-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"outputs-{args.rows}.parquet"
    single = folder / f"outputs-{args.rows}-one-per-person.parquet"
    if not path.exists():
        generate(path, args.rows)
    if not single.exists():
        generate(single, args.rows, per_person=1)

    mine = ours(path)
    print(f"{args.rows:,} rows (4 per person), court x offence crosstab of {mine['cells']:,} "
          "cells:")
    print(f"  distinct-person counts + margins, threshold + zeros + class disclosure: "
          f"{mine['count']:.2f} s; findings {mine['count_summary']}")
    print(f"  sum of amount + margins, threshold + N-K + p%: {mine['sum']:.2f} s; findings "
          f"{mine['sum_summary']}")
    print(f"  mean of amount + margins, threshold + N-K + p%: {mine['mean']:.2f} s; findings "
          f"{mine['mean_summary']}")
    print(f"  the whole path, checked(): counts, checks, suppression and its attack: "
          f"{mine['checked']:.2f} s; {mine['checked_note']}; status {mine['checked_status']}")
    s = suppression()
    print(f"secondary suppression + interval attack, 100 x 100 table: {s['seconds']:.2f} s; "
          f"{s['primary']} primary, {s['secondary']} secondary cells, {s['rounds']} round(s), "
          f"all protected: {s['protected']}; narrowest primary interval {s['min_width']:g}")
    if args.skip_acro:
        return
    python = acro_python(args.acro_venv
                         or Path.home() / ".cache" / "fivesafes-bench" / "acro-venv")
    run = subprocess.run([str(python), "-c", ACRO_SCRIPT, str(path), str(single)],
                         capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"ACRO failed:\n{run.stderr}")
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    print("side by side with ACRO 1.0.2 (its own venv; it counts rows, we count persons):")
    for what in ("count", "sum", "mean"):
        print(f"  {what}: fivesafes {mine[what]:.2f} s, ACRO {theirs[what]:.2f} s "
              f"({theirs[what] / mine[what]:.1f}x)")
    agree = same_answers(single, theirs)
    print(f"  one row per person (ACRO's rows are then persons): {agree['text']}")
    if not agree["same"]:
        sys.exit("the answers differ from ACRO's")


if __name__ == "__main__":
    main()
