"""Benchmark: ingest about 1,000,000 synthetic records (target: < 2 min, peak RSS < 4 GiB).

    .venv/bin/python bench/bench_ingest.py [--people 250000] [--data DIR]

Generates the extracts (or reuses --data), then runs `fivesafes ingest` in a child process so
that its peak memory is measured alone. Prints the figures; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--data", type=Path, default=None, help="existing synth output")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fivesafes-bench-ingest-"))
    data = args.data
    if data is None:
        from fivesafes.synth import generate

        data = work / "data"
        summary = generate(people=args.people, out=data, seed=7)
        print(f"synth: {summary.people:,} people, {summary.total_records:,} records in "
              f"{summary.seconds:.1f} s")
    fs = Path(sys.executable).parent / "fivesafes"
    home = work / "home"
    env = {**os.environ, "FIVESAFES_ACTOR": "bench.officer"}
    env.pop("FIVESAFES_DB_URL", None)
    subprocess.run([fs, "init", str(home)], check=True, env=env, stdout=subprocess.DEVNULL)
    _linkage_officer(home)  # ingest is a linkage officer's command
    contracts = sorted(str(p) for p in (data / "contracts").glob("*.toml"))
    with timed() as t:
        out = subprocess.run([fs, "ingest", "--home", str(home), "--json", *contracts],
                             check=True, env=env, capture_output=True, text=True)
    result = json.loads(out.stdout)
    rss = peak_rss_mib(children=True)
    print(f"ingest: {result['read']:,} rows read, {result['accepted']:,} accepted, "
          f"{result['quarantined']:,} quarantined, {len(result['sources'])} sources")
    print(f"ingest wall time: {t.seconds:.1f} s (in-process {result['seconds']:.1f} s); "
          f"rows/s: {result['read'] / t.seconds:,.0f}")
    print(f"ingest peak RSS: {rss:,.0f} MiB")
    print(f"records kept with an identifier warning: {sum(s['identifier_warnings'] for s in result['sources']):,}")
    for s in result["sources"]:
        print(f"  {s['source']:<14} read {s['read']:>9,}  quarantined {s['quarantined']:>6,}  "
              f"identifier warnings {s['identifier_warnings']:>5,}")
    print(f"(data and home left in {work})")


def _linkage_officer(home: Path) -> None:
    import secrets

    from fivesafes import accounts
    from fivesafes.home import open_home

    deployment = open_home(home)
    try:
        accounts.create_first_administrator(deployment, by="os:bench", username="bench.admin",
                                            full_name="Bench Admin", email="admin@bench.example",
                                            password=secrets.token_urlsafe(24))
        accounts.create_account(deployment, by="bench.admin", username="bench.officer",
                                full_name="Bench Officer", email="officer@bench.example",
                                password=secrets.token_urlsafe(24),
                                roles=(("linkage_officer", ""),))
    finally:
        deployment.close()


if __name__ == "__main__":
    main()
