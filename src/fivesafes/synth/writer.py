"""Writing extracts, contracts, ground truth and reference files, byte-for-byte reproducibly."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from .systems.base import Table

HEADER = "# Source contract written by `fivesafes synth` for a synthetic extract.\n"


def write_csv_rows(
    path: Path,
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerows(rows)


def _text(values: np.ndarray, integer: bool) -> list[str]:
    if integer:
        return ["" if v < 0 else str(v) for v in values.tolist()]
    return values.tolist()


def write_extract(table: Table, path: Path) -> None:
    spec = table.spec
    integers = spec.integer_columns()
    if spec.file_format == "csv":
        columns = [_text(table.columns[name], name in integers) for name in spec.columns]
        rows = chain([list(spec.columns)], zip(*columns, strict=True))
        write_csv_rows(path, rows, delimiter=spec.delimiter, encoding=spec.encoding)
        return
    arrays = []
    for name in spec.columns:
        values = table.columns[name]
        if name in integers:
            arrays.append(pa.array(values, type=pa.int32(), mask=values < 0))
        else:
            arrays.append(pa.array(values.tolist(), type=pa.string(), mask=values == ""))
    pq.write_table(
        pa.table(arrays, names=list(spec.columns)),
        path,
        compression="zstd",
        write_statistics=True,
    )


def _body(table: dict[str, Any]) -> str:
    """The key/value lines of one TOML table; a nested table (``codes``) is written inline."""
    lines = []
    for key, value in table.items():
        if isinstance(value, dict):
            inner = ", ".join(tomli_w.dumps({k: v}).strip() for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}\n")
        else:
            lines.append(tomli_w.dumps({key: value}))
    return "".join(lines)


def contract_toml(contract: dict[str, Any]) -> str:
    """A contract as TOML laid out like docs/source-contracts.md: ``[[source]]``,
    ``[source.file]``, then one ``[[source.identifier]]`` / ``[[source.attribute]]`` per column."""
    parts = [HEADER]
    for source in contract["source"]:
        scalars = {k: v for k, v in source.items() if k not in ("file", "identifier", "attribute")}
        parts.append("[[source]]\n" + _body(scalars))
        parts.append("\n[source.file]\n" + _body(source["file"]))
        for identifier in source["identifier"]:
            parts.append("\n[[source.identifier]]\n" + _body(identifier))
        for attribute in source.get("attribute", []):
            parts.append("\n[[source.attribute]]\n" + _body(attribute))
    text = "".join(parts)
    if tomllib.loads(text) != contract:
        raise AssertionError("contract TOML does not round-trip")  # pragma: no cover
    return text


def write_contract(table: Table, path: Path) -> None:
    path.write_text(contract_toml(table.spec.contract()), encoding="utf-8")
