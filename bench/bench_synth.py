"""Benchmark: generate about 1,000,000 synthetic records (target: well under 2 min on 2 cores).

    .venv/bin/python bench/bench_synth.py [--people 250000] [--seed 1] [--keep]

Writes the extracts into a temporary folder (removed afterwards unless --keep) and prints people,
records per source, total records, records per person, wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from fivesafes.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fivesafes-bench-synth-"))
    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    try:
        summary = generate(
            people=args.people,
            out=work / "data",
            seed=args.seed,
            on_progress=lambda label, done, total: steps.append(
                (label, time.perf_counter() - started)
            ),
        )
        wall = time.perf_counter() - started
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"people:             {summary.people:>12,}")
    for source, count in summary.records_per_source.items():
        print(f"  {source:<17} {count:>12,}")
    print(f"total records:      {summary.total_records:>12,}")
    print(f"records per person: {summary.records_per_person:>12.2f}")
    print(f"invalid rows:       {sum(summary.invalid_rows.values()):>12,}")
    print(f"wall time:          {wall:>11.1f} s  ({summary.total_records / wall:,.0f} records/s)")
    print(f"peak RSS:           {peak:>9,.0f} MiB")
    previous = 0.0
    for label, at in steps:
        print(f"  {label:<22} {at - previous:6.1f} s")
        previous = at
    if args.keep:
        print(f"(files left in {work / 'data'})")


if __name__ == "__main__":
    main()
