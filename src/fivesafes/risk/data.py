"""Where the published data of a dataset version is, and loading the requested coverage of it
into DuckDB.

A :class:`DataSource` names the Parquet file of a dataset version and its coverage date field.
:class:`HomeData` reads them from the home's research-ready catalogue (what ``fivesafes
publish`` recorded); :class:`StaticData` holds them in memory (tests, benchmarks).

:func:`load` copies, for each dataset of a :class:`~fivesafes.risk.request.Plan`, the rows in
coverage into a temporary table with internal column names: ``person_id``, ``q<key>_<height>``
for every level of a key from the requested one to the coarsest (the coarser levels are the
catalogue's own published columns, so coarsening here never re-implements a granularity rule),
and ``s<field>`` for each sensitive field. Identifiers are quoted, values bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from fivesafes.catalogue.listing import read_catalogue
from fivesafes.errors import Problem, raise_problems
from fivesafes.home import Deployment
from fivesafes.risk.errors import RiskError
from fivesafes.risk.request import Plan
from fivesafes.sql import Fragment, Params, Statement, compose, fragments, quote, run

PERSON = "person_id"


@dataclass(frozen=True)
class PublishedTable:
    """The Parquet file of one dataset version, and the field its coverage is dated by."""

    path: Path
    date_field: str | None = None


class DataSource(Protocol):
    def table(self, dataset: str, version: str) -> PublishedTable | None:
        """The published file of that version, or None if there is none."""
        ...


@dataclass(frozen=True)
class StaticData:
    """Published files named in memory: ``{(dataset, version): PublishedTable}``."""

    tables: dict[tuple[str, str], PublishedTable]

    def table(self, dataset: str, version: str) -> PublishedTable | None:
        return self.tables.get((dataset, version))


class HomeData:
    """The research-ready files of a home, by dataset and version label (``v1``)."""

    def __init__(self, deployment: Deployment) -> None:
        self._tables = {
            (entry.name, v.label): PublishedTable(deployment.root / v.folder / v.file_name,
                                                  v.date_field)
            for entry in read_catalogue(deployment, include_removed=False)
            for v in entry.versions}

    def table(self, dataset: str, version: str) -> PublishedTable | None:
        return self._tables.get((dataset, version))


def key_column(key: int, height: int) -> str:
    return f"q{key}_{height}"


def sensitive_column(index: int) -> str:
    return f"s{index}"


def frame_name(position: int) -> str:
    return f"__fs_risk_d{position}"


@dataclass(frozen=True)
class Frames:
    """The temporary tables :func:`load` wrote: one per dataset of the plan, in its order."""

    names: dict[tuple[str, str], str]
    records: dict[tuple[str, str], int]
    persons: int
    notes: tuple[str, ...] = ()  # e.g. a dataset wholly outside the coverage


def _columns(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($1)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise RiskError(f"{path}: cannot be read as Parquet ({exc.__class__.__name__}); "
                        "check the published dataset is intact") from None
    return {row[0] for row in described}


def load(con: duckdb.DuckDBPyConnection, plan: Plan, source: DataSource) -> Frames:
    """Copy the coverage of every dataset of ``plan`` into temporary tables. A dataset with no
    published file, or no record in coverage, is a problem of the request."""
    problems: list[Problem] = []
    notes: list[str] = []
    names: dict[tuple[str, str], str] = {}
    records: dict[tuple[str, str], int] = {}
    for position, (dataset, version) in enumerate(plan.datasets):
        where = f"datasets[{position}]"
        published = source.table(dataset, version)
        excluded = plan.excluded.get((dataset, version))
        if published is None:
            problems.append(Problem(f"{where}.version", f"{dataset} {version} has no published "
                                                        "file to assess"))
            continue
        present = _columns(con, published.path)
        p = Params()
        select = [compose("{person} AS {person}", person=PERSON)]
        needed = [PERSON]
        for key in plan.keys:
            if (key.dataset, key.version) != (dataset, version):
                continue
            for height in range(key.requested, len(key.levels)):
                needed.append(key.levels[height])
                select.append(compose("{level} AS {column}", level=key.levels[height],
                                      column=key_column(key.index, height)))
        for s in plan.sensitive:
            if (s.dataset, s.version) == (dataset, version):
                needed.append(s.level)
                select.append(compose("{level} AS {column}", level=s.level,
                                      column=sensitive_column(s.index)))
        filters = []
        if published.date_field and (plan.date_from or plan.date_to):
            needed.append(published.date_field)
            day = f"CAST({quote(published.date_field)} AS DATE)"
            if plan.date_from:
                filters.append(f"{day} >= CAST({p(plan.date_from)} AS DATE)")
            if plan.date_to:
                filters.append(f"{day} <= CAST({p(plan.date_to)} AS DATE)")
        if excluded:
            filters.append("FALSE")  # the dataset contributes no row (as in its extract)
            notes.append(f"{dataset} {version} contributes no record: {excluded}")
        for column, allowed in plan.row_filters.get((dataset, version), {}).items():
            if column in present:
                filters.append(f"{quote(column)} IN ({', '.join(p(v) for v in allowed)})"
                               if allowed else "FALSE")
        missing = [c for c in dict.fromkeys(needed) if c not in present]
        if missing:
            raise RiskError(f"{dataset} {version} ({published.path}): no column "
                            f"{', '.join(missing)}; the file does not match its catalogue entry")
        name = frame_name(position)
        run(con, frame_statement(name, dataset, version, published.path, select, filters, p))
        count = run(con, count_statement(name)).fetchone()[0]
        if count == 0 and not excluded:
            span = f"from {plan.date_from or 'the start'} to {plan.date_to or 'the end'}"
            problems.append(Problem("coverage", f"{dataset} {version} has no record {span} "
                                                f"(by {published.date_field}); widen the "
                                                "coverage or leave the dataset out"))
        names[(dataset, version)], records[(dataset, version)] = name, count
    raise_problems("risk assessment request", problems)
    persons = run(con, persons_statement(list(names.values()))).fetchone()[0]
    if persons == 0:
        raise_problems("risk assessment request", [Problem(
            "coverage", "no dataset has a record in the coverage; widen it")])
    return Frames(names, records, persons, tuple(notes))


# -- the statements (pure builders; names quoted, values bound) -------------------------------

def frame_statement(name: str, dataset: str, version: str, path: Path, select: list[str],
                    filters: list[str], p: Params) -> Statement:
    """The temporary table ``name``: the columns ``select`` (quoted names, written here) of the
    Parquet file ``path`` where every one of ``filters`` (over quoted names and values bound in
    ``p``) holds."""
    where = compose(" WHERE {filters}", filters=Fragment(" AND ".join(filters))) \
        if filters else ""
    return Statement(f"risk: load {dataset} {version}", compose(
        "CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select} FROM read_parquet({path}){where}",
        name=name, select=Fragment(", ".join(select)), path=Fragment(p(str(path))),
        where=Fragment(where)), p.values)


def count_statement(name: str) -> Statement:
    return Statement("risk: count records", compose("SELECT count(*) FROM {name}", name=name))


def persons_statement(frames: list[str]) -> Statement:
    """The number of distinct persons across the tables ``frames``."""
    union = fragments([Fragment(compose("SELECT {person} FROM {frame}", person=PERSON,
                                        frame=frame)) for frame in frames], " UNION ")
    return Statement("risk: count persons",
                     compose("SELECT count(*) FROM ({union})", union=union))
