"""Benchmark: link about 1,000,000 synthetic records (target: <= 5 min wall on 2 cores, peak RSS
<= 8 GiB, pairwise F1 >= 0.99), and compare with a plain Splink set-up as its documentation
suggests, on the same data and machine.

    .venv/bin/python bench/bench_link.py [--people 250000] [--data DIR] [--runs 1]
                                         [--skip-baseline] [--engine duckdb]

Each linkage runs in a child process so its peak memory is measured alone. Both read the
extracts the same way (contract, validation) and standardise them the same way; the plain set-up
then uses Splink's out-of-the-box comparisons on forename, surname, date of birth, postcode and
sex, the blocking and training its tutorials show, and clusters at the same threshold. Prints
the figures; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib

OURS = """
import json, sys, time
from pathlib import Path
from fivesafes.linkage.options import LinkOptions
from fivesafes.linkage.runs import link_files
data, out, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
started = time.perf_counter()
result = link_files(sorted((data / "contracts").glob("*.toml")), out,
                    LinkOptions(engine=engine), truth=data / "truth.csv")
result.summary["wall"] = time.perf_counter() - started
print(json.dumps(result.summary))
"""

PLAIN = """
import json, logging, sys, time
from pathlib import Path
import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.clustering import cluster_pairwise_predictions_at_threshold
from fivesafes.linkage.inputs import read_extracts
from fivesafes.linkage.options import DEFAULT_THRESHOLD
from fivesafes.linkage.pipeline import _standardise
from fivesafes.sources.contract import load_all
data = Path(sys.argv[1])
seconds = {}
started = t = time.perf_counter()
tables = read_extracts(load_all(sorted((data / "contracts").glob("*.toml"))))
seconds["read"] = time.perf_counter() - t; t = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads = 2")
_standardise(con, tables, None)
con.execute('''CREATE TABLE people AS SELECT source || '-' || record_key AS unique_id,
    forename AS first_name, surname_joined AS surname, strftime(dob, '%Y-%m-%d') AS dob,
    postcode, sex FROM std''')
seconds["standardise"] = time.perf_counter() - t; t = time.perf_counter()
settings = SettingsCreator(
    link_type="dedupe_only",
    blocking_rules_to_generate_predictions=[
        block_on("first_name", "surname"), block_on("surname", "dob"),
        block_on("first_name", "dob"), block_on("postcode", "first_name"),
    ],
    comparisons=[
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.PostcodeComparison("postcode"),
        cl.ExactMatch("sex"),
    ],
    retain_intermediate_calculation_columns=False,
)
api = DuckDBAPI(con)
linker = Linker(api.register("people"), settings, log_level=logging.ERROR)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first_name", "surname", "dob")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("first_name", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
seconds["train"] = time.perf_counter() - t; t = time.perf_counter()
predictions = linker.inference.predict(threshold_match_probability=0.01)
seconds["predict"] = time.perf_counter() - t; t = time.perf_counter()
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    predictions, DEFAULT_THRESHOLD)
con.execute(f"CREATE TABLE clusters AS SELECT unique_id, cluster_id FROM {clusters.physical_name}")
seconds["cluster"] = time.perf_counter() - t
wall = time.perf_counter() - started
con.execute("CREATE TABLE truth AS SELECT source || '-' || record_id AS unique_id, true_id "
            "FROM read_csv($1, all_varchar = true)", [str(data / "truth.csv")])
p, r, c = con.sql('''WITH j AS (SELECT c.cluster_id, t.true_id FROM clusters c JOIN truth t
        USING (unique_id))
    SELECT (SELECT sum(n*(n-1)//2) FROM (SELECT count(*) n FROM j GROUP BY cluster_id)),
           (SELECT sum(n*(n-1)//2) FROM (SELECT count(*) n FROM j GROUP BY true_id)),
           (SELECT sum(n*(n-1)//2) FROM (SELECT count(*) n FROM j GROUP BY cluster_id, true_id))
''').fetchall()[0]
precision, recall = c / p, c / r
print(json.dumps({"seconds": seconds, "wall": wall, "precision": precision, "recall": recall,
                  "f1": 2 * precision * recall / (precision + recall)}))
"""


def _child(code: str, *args: str) -> tuple[dict, float]:
    before = peak_rss_mib(children=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"child failed:\n{done.stderr[-4000:]}")
    peak = peak_rss_mib(children=True)
    if peak <= before:
        print("  (peak RSS below an earlier child's; figure is an upper bound)")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--data", type=Path, default=None, help="existing synth output")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fivesafes-bench-link-"))
    data = args.data
    if data is None:
        from fivesafes.synth import generate

        data = work / "data"
        summary = generate(people=args.people, out=data, seed=7)
        print(f"synth: {summary.people:,} people, {summary.total_records:,} records")
    for run in range(args.runs):
        ours, wall, peak = _child(OURS, str(data), str(work / f"out-{run}"), args.engine)
        accuracy = ours["accuracy"]["clusters"]
        before = ours["accuracy"]["before_split"] or accuracy
        phases = ", ".join(f"{k} {v:.1f}" for k, v in ours["seconds"].items())
        linking = sum(v for k, v in ours["seconds"].items() if k not in ("evaluate", "report"))
        print(f"fivesafes ({args.engine}): {ours['records']:,} records -> {ours['clusters']:,} "
              f"clusters; wall {wall:.1f} s (process), read..split {linking:.1f} s; "
              f"peak RSS {peak:,.0f} MiB")
        print(f"  phases (s): {phases}")
        print(f"  pairwise precision {accuracy['precision']:.5f} recall {accuracy['recall']:.5f} "
              f"F1 {accuracy['f1']:.5f} (before splitting: precision {before['precision']:.5f}, "
              f"F1 {before['f1']:.5f}; clusters split {ours['split']['split_clusters']:,})")
        print(f"  true pairs no blocking rule reaches: "
              f"{ours['accuracy']['true_pairs_unblocked']:,} of {accuracy['true_pairs']:,}")
        if args.skip_baseline:
            continue
        plain, plain_wall, plain_peak = _child(PLAIN, str(data))
        plain_phases = ", ".join(f"{k} {v:.1f}" for k, v in plain["seconds"].items())
        print(f"plain Splink: wall {plain_wall:.1f} s (process), read..cluster "
              f"{plain['wall']:.1f} s; peak RSS {plain_peak:,.0f} MiB (upper bound)")
        print(f"  phases (s): {plain_phases}")
        print(f"  pairwise precision {plain['precision']:.5f} recall {plain['recall']:.5f} "
              f"F1 {plain['f1']:.5f}")
        print(f"time ratio fivesafes / plain Splink: {linking / plain['wall']:.2f} "
              f"(read..split vs read..cluster); F1 {accuracy['f1']:.5f} vs {plain['f1']:.5f}")


if __name__ == "__main__":
    main()
