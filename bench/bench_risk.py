"""Benchmark: disclosure risk (issue 11).

    .venv/bin/python bench/bench_risk.py [--rows 10000000] [--compare-rows 1000000] [--data DIR]

1. **10,000,000 rows x 6 quasi-identifiers**: k-anonymity, sample uniques, prosecutor risk and
   the l-diversity (distinct and entropy) of one field, read from Parquet with
   ``fivesafes.risk.diversity.measure`` (one DuckDB aggregate). Target <= 10 s, peak RSS
   <= 4 GiB. The measurement runs in a child process so its memory is its own.
2. **The full assessment** (``fivesafes.risk.assess``: person level over 4 records per person,
   record level, l-diversity, contributions of each field, lattice suggestions) on the first
   1,000,000 of those rows, in a child process.
3. **Side by side with pycanon** (a bench-only dependency, ``pip install .[bench]``) on the same
   1,000,000 rows x 3 quasi-identifiers with about 938,000 classes: k-anonymity and
   l-diversity; the answers must be the same. Target >= 50x faster.

Data is generated with DuckDB (seeded hashes, so every run sees the same rows). Prints the
figures; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import peak_rss_mib, timed

SIX = ["sex", "age_band", "hearing_month", "court", "ethnicity_group", "region"]
THREE = ["day_of_year", "age", "district"]
SENSITIVE = "offence_group"
K = 10


def _column(seed: int, cardinality: int) -> str:
    return f"(hash(i + {seed} * 1000000007::BIGINT) % {cardinality})::INTEGER"


def generate(path: Path, rows: int, wide: bool) -> None:
    """``wide``: the six quasi-identifiers (two as strings, like the published data) and a
    person id over 4 records each; otherwise the three high-cardinality ones of the pycanon
    comparison."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit = '3GB'")
    if wide:
        cols = ["'p' || (i // 4)::VARCHAR AS person_id",
                f"CASE WHEN {_column(1, 2)} = 0 THEN 'female' ELSE 'male' END AS sex",
                f"{_column(2, 8)} AS age_band", f"{_column(3, 60)} AS hearing_month",
                f"'court-' || {_column(4, 150)}::VARCHAR AS court",
                f"{_column(5, 5)} AS ethnicity_group", f"{_column(6, 10)} AS region",
                f"{_column(8, 2)} AS region_group"]
    else:
        cols = [f"{_column(1, 365)} AS day_of_year", f"{_column(2, 100)} AS age",
                f"{_column(3, 211)} AS district"]
    cols.append(f"'offence-' || {_column(7, 40)}::VARCHAR AS {SENSITIVE}")
    con.execute(f"COPY (SELECT {', '.join(cols)} FROM range({rows}) t(i)) "  # noqa: S608
                f"TO '{path}' (FORMAT parquet)")
    con.close()


def measure_file(path: Path, keys: list[str]) -> dict:
    """The fast path over one Parquet file; returns figures, seconds and peak RSS."""
    import duckdb

    from fivesafes.risk.diversity import measure, record_counts

    con = duckdb.connect()
    con.execute("SET memory_limit = '3GB'")
    con.execute("SET preserve_insertion_order = false")
    with timed() as t:
        con.register("rows", con.read_parquet(str(path)))  # read inside the timing
        figures, (_, distinct, entropy, homogeneous, _) = measure(
            con, record_counts("rows", keys, SENSITIVE), keys, threshold=K)
    return {"seconds": t.seconds, "rss_mib": peak_rss_mib(), "units": figures.units,
            "classes": figures.classes, "k": figures.k, "uniques": figures.uniques,
            "below_k": figures.below_k, "max_risk": figures.max_risk,
            "mean_risk": figures.mean_risk, "distinct_l": distinct, "entropy_l": entropy,
            "homogeneous_classes": homogeneous}


def assess_file(path: Path) -> dict:
    """The full assessment of the wide file (6 keys, one sensitive field)."""
    from types import MappingProxyType

    from fivesafes.catalogue.refs import DatasetRef, FieldRef, StaticCatalogue
    from fivesafes.risk import Request, assess
    from fivesafes.risk.data import PublishedTable, StaticData
    from fivesafes.sources.contract import Sensitivity

    qi, off = Sensitivity.QUASI_IDENTIFIER, Sensitivity.CRIMINAL_OFFENCE
    levels = {"sex": ("sex",), "age_band": ("age_band",), "hearing_month": ("hearing_month",),
              "court": ("court",), "ethnicity_group": ("ethnicity_group",),
              "region": ("region", "region_group")}
    fields = {n: FieldRef(n, qi, lv) for n, lv in levels.items()}
    fields[SENSITIVE] = FieldRef(SENSITIVE, off, (SENSITIVE,))
    catalogue = StaticCatalogue.of(DatasetRef("bench", "v1", "Bench", MappingProxyType(fields)))
    data = StaticData({("bench", "v1"): PublishedTable(path)})
    request = Request.of({("bench", "v1"): {"sex": "sex", "age_band": "age_band",
                                            "region": "region", SENSITIVE: SENSITIVE}})
    with timed() as t:
        a = assess(catalogue, data, request, k=K)
    return {"seconds": t.seconds, "rss_mib": peak_rss_mib(), "persons": a.persons.units,
            "records": a.persons.records, "k": a.persons.k, "classes": a.persons.classes,
            "below_k": a.persons.below_k, "uniques": a.persons.uniques,
            "contributions": len(a.contributions), "suggestions": [s.text for s in a.suggestions],
            "lattice": f"{a.lattice_evaluated} of {a.lattice_nodes} nodes evaluated"}


def pycanon_file(path: Path, keys: list[str]) -> dict:
    import pyarrow.parquet as pq
    from pycanon import anonymity

    frame = pq.read_table(path).to_pandas()
    with timed() as tk:
        k = anonymity.k_anonymity(frame, keys)
    with timed() as tl:
        l_div = anonymity.l_diversity(frame, keys, [SENSITIVE])
    out = {"k_seconds": tk.seconds, "l_seconds": tl.seconds, "k": int(k),
           "distinct_l": int(l_div)}
    if len(keys) < 3:  # entropy l too, where classes are few enough for it to finish
        with timed() as te:
            out["entropy_l"] = int(anonymity.entropy_l_diversity(frame, keys, [SENSITIVE]))
        out["e_seconds"] = te.seconds
    return out


def _child(what: str, path: Path, keys: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", what, "--path", str(path),
                          "--keys", ",".join(keys)], capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{what} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--compare-rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--skip-pycanon", action="store_true")
    parser.add_argument("--child", choices=["generate-wide", "generate-narrow", "measure",
                                            "assess", "pycanon"])
    parser.add_argument("--path", type=Path)
    parser.add_argument("--keys", default="")
    parser.add_argument("--n", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        keys = [k for k in args.keys.split(",") if k]
        if args.child.startswith("generate"):
            generate(args.path, args.n, args.child == "generate-wide")
            print("{}")
            return
        run = {"measure": measure_file, "assess": assess_file, "pycanon": pycanon_file}
        result = run[args.child](args.path, keys) if args.child != "assess" else assess_file(
            args.path)
        print(json.dumps(result))
        return

    folder = args.data or Path(tempfile.mkdtemp(prefix="fivesafes-bench-risk-"))
    folder.mkdir(parents=True, exist_ok=True)
    wide, small, narrow = (folder / f"wide-{args.rows}.parquet",
                           folder / f"wide-{args.compare_rows}.parquet",
                           folder / f"narrow-{args.compare_rows}.parquet")
    for path, n, kind in ((wide, args.rows, "generate-wide"),
                          (small, args.compare_rows, "generate-wide"),
                          (narrow, args.compare_rows, "generate-narrow")):
        if not path.exists():
            subprocess.run([sys.executable, __file__, "--child", kind, "--path", str(path),
                            "--n", str(n)], check=True, capture_output=True)

    big = _child("measure", wide, SIX)
    print(f"{args.rows:,} rows x 6 quasi-identifiers, k = {K}: k-anonymity + uniques + "
          f"prosecutor risk + l-diversity of {SENSITIVE}")
    print(f"  {big['seconds']:.2f} s, peak RSS {big['rss_mib']:,.0f} MiB (child process)")
    print(f"  classes {big['classes']:,}; k {big['k']}; uniques {big['uniques']:,}; below k "
          f"{big['below_k']:,}; max risk {big['max_risk']:.3f}; mean risk "
          f"{big['mean_risk']:.4f}; distinct l {big['distinct_l']}; entropy l "
          f"{big['entropy_l']:.3f}")

    full = _child("assess", small, [])
    print(f"full assess() on {args.compare_rows:,} rows (4 records per person), 3 of the keys "
          f"and {SENSITIVE}:")
    print(f"  {full['seconds']:.2f} s, peak RSS {full['rss_mib']:,.0f} MiB; persons "
          f"{full['persons']:,}, person classes {full['classes']:,}, k {full['k']}, below k "
          f"{full['below_k']:,}, uniques {full['uniques']:,}; {full['contributions']} "
          f"contributions; {full['lattice']}; suggestions: {full['suggestions']}")

    ours = _child("measure", narrow, THREE)
    print(f"{args.compare_rows:,} rows x 3 quasi-identifiers ({ours['classes']:,} classes):")
    print(f"  fivesafes: {ours['seconds']:.2f} s for k-anonymity + uniques + risk + "
          f"l-diversity (k {ours['k']}, distinct l {ours['distinct_l']}, entropy l "
          f"{ours['entropy_l']:.3f})")
    if args.skip_pycanon:
        return
    differ = False
    for keys in (THREE, THREE[1:]):
        mine = ours if keys == THREE else _child("measure", narrow, keys)
        theirs = _child("pycanon", narrow, keys)
        total = theirs["k_seconds"] + theirs["l_seconds"]
        same = (theirs["k"], theirs["distinct_l"]) == (mine["k"], mine["distinct_l"])
        if "entropy_l" in theirs:  # pycanon floors exp(min entropy)
            same = same and theirs["entropy_l"] == int(mine["entropy_l"] + 1e-9)
        print(f"  {len(keys)} keys ({', '.join(keys)}; {mine['classes']:,} classes): fivesafes "
              f"{mine['seconds']:.2f} s (k {mine['k']}, distinct l {mine['distinct_l']}, "
              f"entropy l {mine['entropy_l']:.3f}); pycanon k-anonymity "
              f"{theirs['k_seconds']:.1f} s (k {theirs['k']}), l-diversity "
              f"{theirs['l_seconds']:.1f} s (l {theirs['distinct_l']})"
              + (f", entropy l {theirs['e_seconds']:.1f} s (l {theirs['entropy_l']})"
                 if "entropy_l" in theirs else ""))
        print(f"    k-anonymity + l-diversity: pycanon {total:.1f} s, fivesafes "
              f"{mine['seconds']:.2f} s: {total / mine['seconds']:.0f}x faster; same answers: "
              f"{same}")
        differ = differ or not same
    if differ:
        sys.exit("the answers differ from pycanon's")


if __name__ == "__main__":
    main()
