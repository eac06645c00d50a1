"""Writing an extract's files from its :class:`~fivesafes.extracts.plan.Plan` (DuckDB).

For each dataset one query reads the research-ready Parquet file, keeps the rows in coverage,
selects the planned columns and re-keys ``person_id`` and every replaced id with the project's
pseudonym key (:func:`fivesafes.pseudonyms.project_pseudonym_sql`). Its result streams as Arrow
batches into a Parquet writer whose bytes go straight into an encrypted file
(:mod:`fivesafes.encrypted_files`), so no plaintext data is written to disk. Then the manifest
(``manifest.json``) and the data dictionary of exactly what is in the extract.

Everything is written into a folder the caller gives (a scratch folder); the caller moves it
into place.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.catalogue.dictionary import write_dictionary
from fivesafes.catalogue.granularity import coarser_of
from fivesafes.catalogue.listing import DatasetEntry, FieldEntry, VersionEntry
from fivesafes.encrypted_files import EncryptedWriter
from fivesafes.extracts.plan import PERSON_ID, Plan, PlannedColumn, PlannedDataset
from fivesafes.pseudonyms import (
    PROJECT_PERSON_PREFIX,
    PROJECT_REPLACED_PREFIX,
    project_pseudonym_sql,
)
from fivesafes.sql import Fragment, Params, Statement, compose, quote, run

MANIFEST = "manifest.json"
SUFFIX = ".parquet.enc"
FORMAT = "fivesafes-extract/1"
_BATCH_ROWS = 256 * 1024
_PREFIX = {"person": PROJECT_PERSON_PREFIX, "replaced": PROJECT_REPLACED_PREFIX}


def associated_data(application: str, build: int, dataset: str) -> bytes:
    """What an encrypted extract file is bound to: its application, build and dataset."""
    return f"extract/{application}/b{build}/{dataset}".encode()


class _Hashing(io.RawIOBase):
    """Passes writes on to ``inner`` and hashes them (the plaintext Parquet's SHA-256)."""

    def __init__(self, inner: EncryptedWriter) -> None:
        super().__init__()
        self.inner, self.sha256, self.size = inner, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        self.sha256.update(view)
        self.size += len(view)
        return self.inner.write(view)


@dataclass(frozen=True)
class BuiltFile:
    dataset: str
    path: Path
    rows: int
    persons: int
    content_sha256: str
    stats: dict[str, dict[str, int]]


def extract_statement(ds: PlannedDataset, plan: Plan, root: Path, key: bytes) -> Statement:
    """``fs_extract``: the rows of ``ds`` in coverage, its planned columns, ids re-keyed with
    the project's pseudonym ``key`` (bound, never in the text)."""
    p = Params()
    return Statement(f"extract: rows of {ds.name}", compose(
        "CREATE OR REPLACE TEMP TABLE fs_extract AS {query}", query=_query(ds, plan, root, key, p)),
        p.values)


def _query(ds: PlannedDataset, plan: Plan, root: Path, key: bytes, p: Params) -> Fragment:
    selects = []
    for c in ds.columns:
        col = f"r.{quote(c.name)}"
        if c.rekey is not None:
            kind = c.rekey if c.rekey == "person" else f"replaced/{c.name}"
            expression = project_pseudonym_sql(f"CAST({col} AS VARCHAR)", key, kind,
                                               _PREFIX[c.rekey], p)
            selects.append(f"{expression} AS {quote(c.name)}")
        else:
            selects.append(f"{col} AS {quote(c.name)}")
    where = []
    if ds.excluded_because is not None:
        where.append("FALSE")
    if ds.date_field is not None:
        where.append(f"r.{quote(ds.date_field)} BETWEEN {p(plan.coverage_from)}::DATE "
                     f"AND {p(plan.coverage_to)}::DATE")
    for column, allowed in ds.row_filters.items():
        where.append(f"r.{quote(column)} IN ({p.many(list(allowed))})" if allowed else "FALSE")
    order = f" ORDER BY {quote(PERSON_ID)}" if any(c.name == PERSON_ID for c in ds.columns) \
        else ""
    return Fragment(compose(
        "SELECT {selects} FROM read_parquet({path}) r{where}{order}",
        selects=Fragment(", ".join(selects)), path=Fragment(p(str(root / ds.file))),
        where=Fragment(f" WHERE {' AND '.join(where)}" if where else ""), order=Fragment(order)))


def _write(con: duckdb.DuckDBPyConnection, table: str, path: Path, file_key: bytes,
           associated: bytes) -> str:
    reader = con.table(table).to_arrow_reader(_BATCH_ROWS)
    encrypted = EncryptedWriter(path, file_key, associated)
    hashing = _Hashing(encrypted)
    sink = pa.PythonFile(hashing, mode="w")
    try:
        with pq.ParquetWriter(sink, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
    finally:
        sink.close()
        encrypted.close()
    return hashing.sha256.hexdigest()


def statistics_statement(ds: PlannedDataset) -> Statement:
    """Rows and persons of ``fs_extract``, then each column's non-null and distinct counts."""
    parts = ["count(*)", f"count(DISTINCT {quote(PERSON_ID)})"
             if any(c.name == PERSON_ID for c in ds.columns) else "0"]
    for c in ds.columns:
        parts += [f"count({quote(c.name)})", f"count(DISTINCT {quote(c.name)})"]
    return Statement(f"extract: statistics of {ds.name}", compose(
        "SELECT {parts} FROM fs_extract", parts=Fragment(", ".join(parts))))


def _stats(con: duckdb.DuckDBPyConnection, ds: PlannedDataset
           ) -> tuple[int, int, dict[str, dict[str, int]]]:
    row = list(run(con, statistics_statement(ds)).fetchall()[0])
    rows, persons = int(row.pop(0)), int(row.pop(0))
    stats = {c.name: {"non_null": int(row.pop(0)), "distinct": int(row.pop(0))}
             for c in ds.columns}
    return rows, persons, stats


def build_files(plan: Plan, *, build: int, root: Path, out: Path, pseudonym_key: bytes,
                file_key: bytes, progress: Callable[[str], None] | None = None
                ) -> tuple[list[BuiltFile], int]:
    """Write every dataset of ``plan`` into ``out``; the files and the number of distinct
    persons across all of them."""
    con = duckdb.connect()
    built: list[BuiltFile] = []
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute("CREATE TEMP TABLE fs_persons (person_id VARCHAR)")
        for ds in plan.datasets:
            run(con, extract_statement(ds, plan, root, pseudonym_key))
            path = out / f"{ds.name}{SUFFIX}"
            content = _write(con, "fs_extract", path, file_key,
                             associated_data(plan.application, build, ds.name))
            rows, persons, stats = _stats(con, ds)
            if any(c.name == PERSON_ID for c in ds.columns):
                con.execute("INSERT INTO fs_persons SELECT DISTINCT person_id FROM fs_extract")
            built.append(BuiltFile(ds.name, path, rows, persons, content, stats))
            if progress is not None:
                progress(ds.name)
        persons = int(con.sql("SELECT count(DISTINCT person_id) FROM fs_persons"
                              ).fetchall()[0][0])
    finally:
        con.close()
    return built, persons


def _column_entry(c: PlannedColumn) -> dict[str, Any]:
    return {"name": c.name, "field": c.field, "approved_level": c.approved_level,
            "level": c.level, "type": c.type, "sensitivity": c.sensitivity,
            "pseudonym": c.rekey is not None}


def manifest(plan: Plan, *, build: int, built_at: str, built_by: str,
             files: list[BuiltFile], persons: int, sha256: dict[str, str],
             key_names: dict[str, str]) -> dict[str, Any]:
    """The manifest of a build: what was approved, what was written, and the checksums."""
    by_name = {f.dataset: f for f in files}
    return {
        "format": FORMAT, "application": plan.application, "project": plan.project,
        "build": build, "built_at": built_at, "built_by": built_by,
        "coverage": {"from": plan.coverage_from.isoformat(), "to": plan.coverage_to.isoformat(),
                     "jurisdictions": list(plan.jurisdictions), "sources": list(plan.sources)},
        "pseudonyms": {"scheme": "HMAC-SHA256 under the project's key, first 80 bits",
                       "person_prefix": PROJECT_PERSON_PREFIX,
                       "replaced_prefix": PROJECT_REPLACED_PREFIX,
                       "key": key_names["pseudonym"]},
        "encryption": {"scheme": "AES-256-GCM segments (fivesafes.encrypted_files)",
                       "key": key_names["data"]},
        "rows": sum(f.rows for f in files), "persons": persons,
        "datasets": [{
            "name": ds.name, "research_ready": {"version": ds.label, "file": ds.file,
                                                "sha256": ds.file_sha256},
            "file": by_name[ds.name].path.name, "sha256": sha256[ds.name],
            "content_sha256": by_name[ds.name].content_sha256,
            "rows": by_name[ds.name].rows, "persons": by_name[ds.name].persons,
            "date_field": ds.date_field, "row_filters": {k: list(v) for k, v in
                                                         ds.row_filters.items()},
            "excluded_because": ds.excluded_because,
            "columns": [_column_entry(c) for c in ds.columns],
        } for ds in plan.datasets],
    }


def manifest_bytes(content: dict[str, Any]) -> bytes:
    """The manifest as written: canonical JSON (sorted keys), so its digest is reproducible."""
    return (json.dumps(content, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def _described(c: PlannedColumn) -> str:
    if c.rekey == "person":
        return ("Project pseudonym of the person: the same person has the same value in every "
                "dataset of this project's extract, and in its rebuilds; it means nothing "
                "outside this project")
    if c.rekey == "replaced":
        return f"Project pseudonym of {c.name}: {c.description}"
    return c.description


def write_extract_dictionary(plan: Plan, files: list[BuiltFile], content: dict[str, Any],
                             out: Path) -> None:
    """The data dictionary of exactly the columns in the extract (HTML and CSV)."""
    by_name = {f.dataset: f for f in files}
    entries = []
    for ds, listed in zip(plan.datasets, content["datasets"], strict=True):
        built = by_name[ds.name]
        coarser = coarser_of(ds.columns)
        fields = tuple(FieldEntry(
            name=c.name, type=c.type, sensitivity=c.sensitivity, description=_described(c),
            origin="pseudonym" if c.rekey else ("derived" if c.level else "attribute"),
            derived_from=c.derived_from, level=c.level, coarser=coarser[c.name],
            stats=built.stats[c.name]) for c in ds.columns)
        version = VersionEntry(
            dataset=ds.name, version=ds.version, status="current",
            release=f"extract build {content['build']}", link="", published_at=content[
                "built_at"], superseded_at=None, removed_at=None, rows=built.rows,
            persons=built.persons, date_field=ds.date_field,
            date_from=content["coverage"]["from"] if ds.date_field else None,
            date_to=content["coverage"]["to"] if ds.date_field else None,
            folder=".", file_name=listed["file"], file_sha256=listed["sha256"], bytes=0,
            ingests=(), fields=fields)
        entries.append(DatasetEntry(ds.name, "source", ds.title, ds.description, ds.owner,
                                    (version,), ds.jurisdictions, ds.systems))
    write_dictionary(entries, out)
