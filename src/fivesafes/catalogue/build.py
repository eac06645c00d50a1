"""Building the research-ready datasets of a release in a scratch folder (DuckDB).

Each source's dataset is its attribute store joined to the person key map: ``person_id``, one
``replaced_<column>`` per operational id of the contract, then every attribute followed by its
coarser levels (:mod:`granularity`). No record key, record id or identifier is written. A
source ingested more than once in a link run takes each record from its newest ingest. Then
the person-level index says which datasets each person appears in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from fivesafes.catalogue.digests import cursor
from fivesafes.catalogue.errors import PublishError
from fivesafes.catalogue.granularity import Column, attribute_columns
from fivesafes.catalogue.lookups import Lookup
from fivesafes.sql import Params, quote

PERSON_INDEX = "person_index"
REPLACED_PREFIX = "replaced_"
_INGEST = "__fs_ingest"


@dataclass(frozen=True)
class SourceInput:
    """One source of the link run: its newest contract, and its stores, newest ingest first."""

    name: str
    owner: str
    contract: dict[str, Any]
    parts: tuple[tuple[str, Path, Path], ...]  # (ingest, attributes, operational digests)

    @property
    def ingests(self) -> list[str]:
        return [ingest for ingest, _, _ in self.parts]


@dataclass(frozen=True)
class BuiltDataset:
    name: str
    kind: str  # source | person_index
    title: str
    description: str
    owner: str
    path: Path
    columns: tuple[Column, ...]
    rows: int
    persons: int
    stats: dict[str, dict[str, Any]]
    ingests: tuple[str, ...] = ()
    date_field: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    jurisdictions: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _person_id_column() -> Column:
    return Column("person_id", "m.person_id", "string", "other",
                  "Meaningless id of the linked person: the same person has the same id in "
                  "every dataset of a release and keeps it across refreshes", "person_id")


def _replaced_columns(source: SourceInput, taken: set[str]) -> list[tuple[Column, str]]:
    out = []
    for ident in source.contract["identifiers"]:
        column = ident["column"]
        if ident["role"] != "operational_id" or column == source.contract["record_id"]:
            continue
        name = REPLACED_PREFIX + column
        while name in taken:
            name += "_"
        taken.add(name)
        what = ident.get("description") or column
        out.append((Column(name, f"{quote('r_' + column)}.replaced_id", "string", "other",
                           f"Meaningless id replacing {column} ({what}); records with the same "
                           f"{column} have the same id within this version only",
                           "replaced_id"), column))
    return out


def _load_operational(con: duckdb.DuckDBPyConnection, sources: list[SourceInput],
                      new_ids: Callable[[int], list[str]]) -> pa.Table:
    """Every record's operational-id digests, and a fresh replaced id for each distinct
    (source, id_column, digest); returns that mapping (kept in the linkage zone)."""
    files = sorted({(ingest, str(ops)) for s in sources for ingest, _, ops in s.parts})
    con.register("fs_op_files", pa.table({"ingest": [f[0] for f in files],
                                          "path": [f[1] for f in files]}))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fs_ops AS SELECT o.source, o.id_column, o.record_key, "
        "o.digest, f.ingest FROM read_parquet($1, filename = true) o "
        "JOIN fs_op_files f ON f.path = o.filename", [[f[1] for f in files]])
    distinct = con.sql("SELECT DISTINCT source, id_column, digest FROM fs_ops "
                       "ORDER BY source, id_column, digest").to_arrow_table()
    ids = new_ids(distinct.num_rows)
    mapping = distinct.append_column("replaced_id", pa.array(ids, pa.string()))
    con.register("fs_replaced", mapping)
    return mapping


def _source_sql(source: SourceInput, columns: list[tuple[Column, str | None]], p: Params) -> str:
    joins = []
    for _, op_column in columns:
        if op_column is None:
            continue
        o, r = quote("o_" + op_column), quote("r_" + op_column)
        where = f"source = {p(source.name)} AND id_column = {p(op_column)}"
        joins.append(
            f"LEFT JOIN (SELECT record_key, ingest, digest FROM fs_ops "  # noqa: S608
            f"WHERE {where}) {o} "
            f"ON {o}.record_key = a.record_key AND {o}.ingest = a.{quote(_INGEST)} "
            f"LEFT JOIN (SELECT digest, replaced_id FROM fs_replaced WHERE {where}) {r} "
            f"ON {r}.digest = {o}.digest")
    select = ", ".join(f"{c.sql} AS {quote(c.name)}" for c, _ in columns)
    return (f"SELECT {select} FROM fs_attrs a "  # noqa: S608
            f"JOIN fs_map m ON m.record_key = a.record_key {' '.join(joins)} "
            f"ORDER BY m.person_id, a.record_key")


def _load_attributes(con: duckdb.DuckDBPyConnection, source: SourceInput) -> None:
    con.register("fs_attr_files", pa.table({
        "ingest": source.ingests, "path": [str(a) for _, a, _ in source.parts],
        "rank": list(range(len(source.parts)))}))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE fs_attrs AS "  # noqa: S608
        f"SELECT * EXCLUDE (filename, fs_rank) FROM ("
        f"SELECT r.*, f.ingest AS {quote(_INGEST)}, f.rank AS fs_rank "
        f"FROM read_parquet($1, union_by_name = true, filename = true) r "
        f"JOIN fs_attr_files f ON f.path = r.filename) "
        f"QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY fs_rank) = 1",
        [[str(a) for _, a, _ in source.parts]])
    missing = con.sql(
        f"SELECT {quote(_INGEST)}, count(*) FROM fs_attrs WHERE record_key NOT IN "  # noqa: S608
        f"(SELECT record_key FROM fs_map) GROUP BY 1 ORDER BY 1").fetchall()
    if missing:
        raise PublishError(_missing_advice(source, dict(missing)))


def _missing_advice(source: SourceInput, missing: dict[str, int]) -> str:
    """What to do about records the link run left without a person id: when they come only
    from older ingests, the newest ingest (the one linked) is short."""
    count = sum(missing.values())
    found = ", ".join(f"{n:,} from {label}" for label, n in missing.items())
    said = (f"{count:,} record(s) of {source.name} ({found}) are in no cluster of the link run, "
            "so they have no person id")
    newest = source.ingests[0]
    if newest not in missing and len(source.ingests) > 1:
        return (f"{said}: the link run took {source.name} from its newest ingest, {newest}, "
                "which does not hold them (a short or empty extract?); ingest the full "
                f"{source.name} extract again, link, then publish that link run")
    return f"{said}; link those ingests again, then publish that link run"


def _stats(con: duckdb.DuckDBPyConnection, columns: list[Column]) -> tuple[int, int, dict]:
    parts = ["count(*)", "count(DISTINCT person_id)"]
    for c in columns:
        q = quote(c.name)
        parts += [f"count({q})", f"count(DISTINCT {q})"]
        if c.type == "date":
            parts += [f"strftime(min({q}), '%Y-%m-%d')", f"strftime(max({q}), '%Y-%m-%d')"]
    row = list(con.sql(f"SELECT {', '.join(parts)} FROM fs_out").fetchall()[0])  # noqa: S608
    rows, persons = int(row.pop(0)), int(row.pop(0))
    stats: dict[str, dict[str, Any]] = {}
    for c in columns:
        stats[c.name] = {"non_null": int(row.pop(0)), "distinct": int(row.pop(0))}
        if c.type == "date":
            stats[c.name].update({"min": row.pop(0), "max": row.pop(0)})
    return rows, persons, stats


def build_source(con: duckdb.DuckDBPyConnection, source: SourceInput, lookups: list[Lookup],
                 lookup_tables: dict[str, str], out: Path) -> BuiltDataset:
    """Write one source's dataset to ``out`` (the person map is ``fs_map``)."""
    contract = source.contract
    _load_attributes(con, source)
    taken = {"person_id", *(a["column"] for a in contract["attributes"])}
    columns: list[tuple[Column, str | None]] = [(_person_id_column(), None)]
    columns += _replaced_columns(source, taken)
    p = Params()
    for attribute in contract["attributes"]:
        columns += [(c, None) for c in attribute_columns(
            source.name, attribute, lookups, lookup_tables, taken, p)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE fs_out AS {_source_sql(source, columns, p)}",
                p.values)
    out.parent.mkdir(parents=True, exist_ok=True)
    con.table("fs_out").write_parquet(str(out), compression="zstd")
    cols = [c for c, _ in columns]
    rows, persons, stats = _stats(con, cols)
    expected = con.sql("SELECT count(*) FROM fs_attrs").fetchall()[0][0]
    if rows != expected:  # every join is one-to-one; anything else is a bug
        raise RuntimeError(f"{source.name}: {rows} rows built from {expected} records")
    dates = [a for a in contract["attributes"] if a["type"] == "date"]
    primary = next((a for a in dates if a.get("required")), dates[0] if dates else None)
    date_field = primary["column"] if primary else None
    return BuiltDataset(
        name=source.name, kind="source", title=contract.get("title") or source.name,
        description=contract.get("description", ""), owner=source.owner, path=out,
        jurisdictions=tuple(contract.get("jurisdictions") or ()),
        systems=tuple(contract.get("systems") or ()),
        columns=tuple(cols), rows=rows, persons=persons, stats=stats,
        ingests=tuple(source.ingests), date_field=date_field,
        date_from=stats[date_field]["min"] if date_field else None,
        date_to=stats[date_field]["max"] if date_field else None)


def _index_sensitivity(dataset: BuiltDataset) -> str:
    classes = {c.sensitivity for c in dataset.columns}
    for klass in ("criminal_offence", "special_category"):
        if klass in classes:
            return klass
    return "other"


def build_person_index(con: duckdb.DuckDBPyConnection, datasets: list[BuiltDataset],
                       out: Path) -> BuiltDataset:
    """One row per person: in which datasets of the release they appear."""
    p = Params()
    union = " UNION ALL ".join(
        f"SELECT DISTINCT person_id, {p(d.name)} AS ds "  # noqa: S608
        f"FROM read_parquet({p(str(d.path))})"
        for d in datasets)
    columns = [_person_id_column()]
    flags = []
    for d in datasets:
        name = f"in_{d.name}"
        flags.append(f"bool_or(ds = {p(d.name)}) AS {quote(name)}")
        columns.append(Column(name, name, "boolean", _index_sensitivity(d),
                              f"True if the person has at least one record in {d.name}",
                              "index"))
    columns.append(Column("datasets", "datasets", "integer", "other",
                          "In how many datasets of this release the person appears", "index"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE fs_out AS "  # noqa: S608
                f"SELECT person_id, {', '.join(flags)}, "
                f"count(DISTINCT ds) AS datasets FROM ({union}) GROUP BY person_id "
                f"ORDER BY person_id", p.values)
    out.parent.mkdir(parents=True, exist_ok=True)
    con.table("fs_out").write_parquet(str(out), compression="zstd")
    rows, persons, stats = _stats(con, columns)
    owners = ", ".join(sorted({d.owner for d in datasets}))
    return BuiltDataset(
        name=PERSON_INDEX, kind=PERSON_INDEX, title="Person-level index",
        description="One row per person in the release, saying which datasets they appear "
                    "in; join datasets on person_id",
        owner=owners, path=out, columns=tuple(columns), rows=rows, persons=persons,
        jurisdictions=tuple(sorted({j for d in datasets for j in d.jurisdictions})),
        systems=tuple(sorted({s for d in datasets for s in d.systems})),
        stats=stats, ingests=tuple(sorted({i for d in datasets for i in d.ingests})))


def build_release(sources: list[SourceInput], person_map: Path, lookups: list[Lookup],
                  new_replaced_ids: Callable[[int], list[str]], out: Path,
                  version_of: Callable[[str], int]) -> tuple[list[BuiltDataset], pa.Table]:
    """Every dataset of a release under ``out/<dataset>/v<N>/``, and the operational-id
    mapping (source, id_column, digest, replaced_id) that stays in the linkage zone."""
    con = cursor()
    try:
        con.execute("CREATE TEMP TABLE fs_map AS SELECT record_key, person_id "
                    "FROM read_parquet($1)", [str(person_map)])
        lookup_tables = {}
        for i, lookup in enumerate(lookups):
            lookup_tables[lookup.name] = f"fs_lookup_{i}"
            columns = [lookup.key_column, *lookup.levels]
            con.register(f"fs_lookup_{i}", pa.table(
                {c: pa.array([r.get(c) or None for r in lookup.rows], pa.string())
                 for c in columns}))
        mapping = _load_operational(con, sources, new_replaced_ids)
        built = []
        for source in sources:
            folder = out / source.name / f"v{version_of(source.name)}"
            built.append(build_source(con, source, lookups, lookup_tables,
                                      folder / f"{source.name}.parquet"))
        folder = out / PERSON_INDEX / f"v{version_of(PERSON_INDEX)}"
        built.append(build_person_index(con, built, folder / f"{PERSON_INDEX}.parquet"))
        return built, mapping
    finally:
        con.close()
