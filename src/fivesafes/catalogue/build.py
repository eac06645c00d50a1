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
from fivesafes.sources.contract import Sensitivity, SourceContract
from fivesafes.sql import Fragment, Params, Statement, compose, fragments, quote, run, run_arrow

PERSON_INDEX = "person_index"
REPLACED_PREFIX = "replaced_"
_INGEST = "__fs_ingest"


@dataclass(frozen=True)
class SourceInput:
    """One source of the link run: its newest contract, and its stores, newest ingest first."""

    name: str
    owner: str
    contract: SourceContract
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
    return Column("person_id", "m.person_id", "string", Sensitivity.OTHER,
                  "Meaningless id of the linked person: the same person has the same id in "
                  "every dataset of a release and keeps it across refreshes", "person_id")


def _replaced_columns(source: SourceInput, taken: set[str]) -> list[tuple[Column, str]]:
    out = []
    for ident in source.contract.identifier("operational_id"):
        column = ident.column
        if column == source.contract.record_id:
            continue
        name = REPLACED_PREFIX + column
        while name in taken:
            name += "_"
        taken.add(name)
        what = ident.description or column
        out.append((Column(name, f"{quote('r_' + column)}.replaced_id", "string",
                           Sensitivity.OTHER,
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
    run(con, operational_statement([f[1] for f in files]))
    distinct = run_arrow(con, DISTINCT_DIGESTS)
    ids = new_ids(distinct.num_rows)
    mapping = distinct.append_column("replaced_id", pa.array(ids, pa.string()))
    con.register("fs_replaced", mapping)
    return mapping


# -- the statements (pure builders; names are quoted, values bound) -------------------------

def operational_statement(paths: list[str]) -> Statement:
    """``fs_ops``: the operational-id digests in the files ``paths`` (registered as
    ``fs_op_files`` with their ingests)."""
    return Statement("build: read operational-id digests",
                     "CREATE OR REPLACE TEMP TABLE fs_ops AS SELECT o.source, o.id_column, "
                     "o.record_key, o.digest, f.ingest FROM read_parquet($1, filename = true) o "
                     "JOIN fs_op_files f ON f.path = o.filename", [paths])


DISTINCT_DIGESTS = Statement("build: distinct operational ids",
                             "SELECT DISTINCT source, id_column, digest FROM fs_ops "
                             "ORDER BY source, id_column, digest")


def source_statement(source: SourceInput, columns: list[tuple[Column, str | None]], p: Params
                     ) -> Statement:
    """``fs_out``: one source's dataset; ``p`` holds the values the columns' SQL binds."""
    joins = []
    for _, op_column in columns:
        if op_column is None:
            continue
        where = Fragment(f"source = {p(source.name)} AND id_column = {p(op_column)}")
        joins.append(Fragment(compose(
            "LEFT JOIN (SELECT record_key, ingest, digest FROM fs_ops WHERE {where}) {o} "
            "ON {o}.record_key = a.record_key AND {o}.ingest = a.{ingest} "
            "LEFT JOIN (SELECT digest, replaced_id FROM fs_replaced WHERE {where}) {r} "
            "ON {r}.digest = {o}.digest",
            where=where, o="o_" + op_column, r="r_" + op_column, ingest=_INGEST)))
    # a column's SQL is written by this package (granularity), over quoted names and bound values
    select = ", ".join(f"{c.sql} AS {quote(c.name)}" for c, _ in columns)
    return Statement(f"build: dataset of {source.name}", compose(
        "CREATE OR REPLACE TEMP TABLE fs_out AS SELECT {select} FROM fs_attrs a "
        "JOIN fs_map m ON m.record_key = a.record_key {joins} "
        "ORDER BY m.person_id, a.record_key",
        select=Fragment(select), joins=fragments(joins, " ")), p.values)


def attributes_statement(paths: list[str]) -> Statement:
    """``fs_attrs``: each record of a source from its newest ingest (files ``paths``,
    registered as ``fs_attr_files`` with their ingests and ranks)."""
    return Statement("build: read attributes", compose(
        "CREATE OR REPLACE TEMP TABLE fs_attrs AS "
        "SELECT * EXCLUDE (filename, fs_rank) FROM ("
        "SELECT r.*, f.ingest AS {ingest}, f.rank AS fs_rank "
        "FROM read_parquet($1, union_by_name = true, filename = true) r "
        "JOIN fs_attr_files f ON f.path = r.filename) "
        "QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY fs_rank) = 1",
        ingest=_INGEST), [paths])


UNCLUSTERED = Statement("build: records without a person id", compose(
    "SELECT {ingest}, count(*) FROM fs_attrs WHERE record_key NOT IN "
    "(SELECT record_key FROM fs_map) GROUP BY 1 ORDER BY 1", ingest=_INGEST))
COUNT_ATTRIBUTES = Statement("build: count records", "SELECT count(*) FROM fs_attrs")


def stats_statement(columns: list[Column]) -> Statement:
    """Rows, persons, then per column non-null and distinct counts (and a date's range) of
    ``fs_out``."""
    parts = ["count(*)", "count(DISTINCT person_id)"]
    for c in columns:
        q = quote(c.name)
        parts += [f"count({q})", f"count(DISTINCT {q})"]
        if c.type == "date":
            parts += [f"strftime(min({q}), '%Y-%m-%d')", f"strftime(max({q}), '%Y-%m-%d')"]
    return Statement("build: column statistics", compose(
        "SELECT {parts} FROM fs_out", parts=Fragment(", ".join(parts))))


def person_index_statement(datasets: list[BuiltDataset]) -> Statement:
    """``fs_out``: one row per person, a flag per dataset and how many they are in."""
    p = Params()
    union = fragments([Fragment(compose(
        "SELECT DISTINCT person_id, {name} AS ds FROM read_parquet({path})",
        name=Fragment(p(d.name)), path=Fragment(p(str(d.path))))) for d in datasets],
        " UNION ALL ")
    flags = ", ".join(f"bool_or(ds = {p(d.name)}) AS {quote(f'in_{d.name}')}" for d in datasets)
    return Statement("build: person-level index", compose(
        "CREATE OR REPLACE TEMP TABLE fs_out AS SELECT person_id, {flags}, "
        "count(DISTINCT ds) AS datasets FROM ({union}) GROUP BY person_id ORDER BY person_id",
        flags=Fragment(flags), union=union), p.values)


def person_map_statement(path: Path) -> Statement:
    return Statement("build: read the person map",
                     "CREATE TEMP TABLE fs_map AS SELECT record_key, person_id "
                     "FROM read_parquet($1)", [str(path)])


# -- running them -----------------------------------------------------------------------------

def _load_attributes(con: duckdb.DuckDBPyConnection, source: SourceInput) -> None:
    con.register("fs_attr_files", pa.table({
        "ingest": source.ingests, "path": [str(a) for _, a, _ in source.parts],
        "rank": list(range(len(source.parts)))}))
    run(con, attributes_statement([str(a) for _, a, _ in source.parts]))
    missing = run(con, UNCLUSTERED).fetchall()
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
    row = list(run(con, stats_statement(columns)).fetchall()[0])
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
    taken = {"person_id", *(a.column for a in contract.attributes)}
    columns: list[tuple[Column, str | None]] = [(_person_id_column(), None)]
    columns += _replaced_columns(source, taken)
    p = Params()
    for attribute in contract.attributes:
        columns += [(c, None) for c in attribute_columns(
            source.name, attribute, lookups, lookup_tables, taken, p)]
    run(con, source_statement(source, columns, p))
    out.parent.mkdir(parents=True, exist_ok=True)
    con.table("fs_out").write_parquet(str(out), compression="zstd")
    cols = [c for c, _ in columns]
    rows, persons, stats = _stats(con, cols)
    expected = run(con, COUNT_ATTRIBUTES).fetchall()[0][0]
    if rows != expected:  # every join is one-to-one; anything else is a bug
        raise RuntimeError(f"{source.name}: {rows} rows built from {expected} records")
    dates = [a for a in contract.attributes if a.type == "date"]
    primary = next((a for a in dates if a.required), dates[0] if dates else None)
    date_field = primary.column if primary else None
    return BuiltDataset(
        name=source.name, kind="source", title=contract.title or source.name,
        description=contract.description, owner=source.owner, path=out,
        jurisdictions=contract.jurisdictions, systems=contract.systems,
        columns=tuple(cols), rows=rows, persons=persons, stats=stats,
        ingests=tuple(source.ingests), date_field=date_field,
        date_from=stats[date_field]["min"] if date_field else None,
        date_to=stats[date_field]["max"] if date_field else None)


def _index_sensitivity(dataset: BuiltDataset) -> Sensitivity:
    """The class of a person-level index flag "in this dataset": criminal offence if any
    column of the dataset is, else special category if any is, else other."""
    classes = {c.sensitivity for c in dataset.columns}
    for klass in (Sensitivity.CRIMINAL_OFFENCE, Sensitivity.SPECIAL_CATEGORY):
        if klass in classes:
            return klass
    return Sensitivity.OTHER


def build_person_index(con: duckdb.DuckDBPyConnection, datasets: list[BuiltDataset],
                       out: Path) -> BuiltDataset:
    """One row per person: in which datasets of the release they appear."""
    columns = [_person_id_column()]
    for d in datasets:
        name = f"in_{d.name}"
        columns.append(Column(name, name, "boolean", _index_sensitivity(d),
                              f"True if the person has at least one record in {d.name}",
                              "index"))
    columns.append(Column("datasets", "datasets", "integer", Sensitivity.OTHER,
                          "In how many datasets of this release the person appears", "index"))
    run(con, person_index_statement(datasets))
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
        run(con, person_map_statement(person_map))
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
