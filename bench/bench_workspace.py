"""Benchmark: the research workspace over a 1,000,000-row extract (issue 13: session start
< 0.5 s, an aggregate query < 1 s; 2 cores).

    .venv/bin/python bench/bench_workspace.py [--rows 1000000] [--people 250000] [--repeat 5]

Builds the extract of bench_extracts.py (three research-ready datasets, 1,000,000 rows in all,
an approved and provisioned application), then times, as the project's lead would meet them:

* session start: :func:`fivesafes.workspace.service.open_workspace` (the access check, the audit
  entry, unwrapping the extract's key, decrypting every dataset in memory, loading it into a
  locked DuckDB database);
* aggregate queries through :meth:`Workspace.run` (the statement guard, the access re-check, the
  query, the monitor and the audit entry): a count by one column of the largest dataset, a
  count by two columns over all 1,000,000 rows, a join of two datasets on the person pseudonym,
  and a derived scratch table.

Each figure is the median of ``--repeat`` runs (and the slowest). Prints the figures; copy them
into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_extracts import OFFICER, governance, write_research
from common import peak_rss_mib, timed

QUERIES = [
    ("count by outcome, magistrates (400,000 rows)",
     "SELECT outcome, count(*) AS cases FROM magistrates GROUP BY outcome"),
    ("count by two columns, all 3 datasets (1,000,000 rows)",
     "SELECT source, band, count(*) AS n FROM ("
     "SELECT 'magistrates' AS source, age_at_hearing_band AS band FROM magistrates "
     "UNION ALL SELECT 'prison', CAST(RECEPTION_DATE_year AS VARCHAR) FROM prison "
     "UNION ALL SELECT 'probation', order_type FROM probation) GROUP BY ALL"),
    ("join magistrates x prison on the pseudonym, persons by outcome",
     "SELECT m.outcome, p.ETHNICITY, count(DISTINCT m.person_id) AS persons "
     "FROM magistrates m JOIN prison p USING (person_id) GROUP BY ALL"),
    ("scratch table of persons with their first hearing month",
     "CREATE OR REPLACE TABLE scratch.first_hearing AS SELECT person_id, "
     "min(hearing_date_month) AS first_month FROM magistrates GROUP BY person_id"),
]


def _figure(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s, slowest {max(times):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from fivesafes.extracts import build_extract
    from fivesafes.home import init_home
    from fivesafes.workspace.service import open_workspace

    with tempfile.TemporaryDirectory(prefix="fivesafes-bench-") as tmp:
        clock = lambda: datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # noqa: E731
        home = init_home(Path(tmp) / "home", by="os:bench", clock=clock)
        write_research(home, args.rows, args.people)
        reference, lead = governance(home)
        extract = build_extract(home, by=OFFICER, reference=reference)
        print(f"extract of {reference}: {extract.rows:,} rows, {extract.persons:,} persons, "
              f"3 datasets")
        starts = []
        for _ in range(args.repeat):
            with timed() as t:
                workspace = open_workspace(home, by=lead, project=reference)
            starts.append(t.seconds)
            workspace.close()
        print(f"session start (access check, audit, decrypt, load): {_figure(starts)}")
        with open_workspace(home, by=lead, project=reference) as workspace:
            for label, sql in QUERIES:
                times, rows = [], 0
                for _ in range(args.repeat):
                    with timed() as t:
                        outcome = workspace.run(sql)
                    times.append(t.seconds)
                    rows = outcome.result.rows
                print(f"{label}: {_figure(times)} ({rows:,} result rows; engine "
                      f"{outcome.result.seconds:.3f} s of the last)")
        print(f"peak RSS: {peak_rss_mib():,.0f} MiB")
        home.close()


if __name__ == "__main__":
    main()
