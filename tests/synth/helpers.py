"""Reading synth output back as a consumer would: extracts as text columns, truth, contracts."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

SOURCES = ("magistrates", "crown_court", "family_court", "prison", "probation")


def contract(out: Path, source: str) -> dict[str, Any]:
    return tomllib.loads((out / "contracts" / f"{source}.toml").read_text("utf-8"))["source"][0]


def read_extract(out: Path, source: str) -> dict[str, list[str]]:
    """Every column of an extract as text ("" for empty), in file order."""
    spec = contract(out, source)
    path = (out / "contracts" / spec["file"]["path"]).resolve()
    if spec["file"]["format"] == "parquet":
        table = pq.read_table(path)
        return {
            name: ["" if v is None else str(v) for v in table.column(name).to_pylist()]
            for name in table.column_names
        }
    with path.open(encoding=spec["file"]["encoding"], newline="") as handle:
        rows = list(csv.reader(handle, delimiter=spec["file"]["delimiter"]))
    header, body = rows[0], rows[1:]
    return {name: [row[i] for row in body] for i, name in enumerate(header)}


def header(out: Path, source: str) -> list[str]:
    return list(read_extract(out, source))


def truth(out: Path) -> dict[str, list[tuple[str, int]]]:
    """source -> [(record_id, true_id)] in extract row order."""
    found: dict[str, list[tuple[str, int]]] = {s: [] for s in SOURCES}
    with (out / "truth.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            found[row["source"]].append((row["record_id"], int(row["true_id"])))
    return found


def expected_quarantine(out: Path) -> list[dict[str, str]]:
    with (out / "expected_quarantine.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def role_columns(spec: dict[str, Any], role: str) -> list[str]:
    return [i["column"] for i in spec["identifier"] if i["role"] == role]


def modal(values: list[str]) -> str:
    return Counter(values).most_common(1)[0][0]
