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
from fivesafes.sql import Params, quote

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
        select = [f"{quote(PERSON)} AS {quote(PERSON)}"]
        needed = [PERSON]
        for key in plan.keys:
            if (key.dataset, key.version) != (dataset, version):
                continue
            for height in range(key.requested, len(key.levels)):
                needed.append(key.levels[height])
                select.append(f"{quote(key.levels[height])} AS "
                              f"{quote(key_column(key.index, height))}")
        for s in plan.sensitive:
            if (s.dataset, s.version) == (dataset, version):
                needed.append(s.level)
                select.append(f"{quote(s.level)} AS {quote(sensitive_column(s.index))}")
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
        sql = (f"CREATE OR REPLACE TEMP TABLE {quote(name)} AS SELECT {', '.join(select)} "  # noqa: S608
               f"FROM read_parquet({p(str(published.path))})"
               + (f" WHERE {' AND '.join(filters)}" if filters else ""))
        con.execute(sql, p.values)
        count = con.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608
        if count == 0 and not excluded:
            span = f"from {plan.date_from or 'the start'} to {plan.date_to or 'the end'}"
            problems.append(Problem("coverage", f"{dataset} {version} has no record {span} "
                                                f"(by {published.date_field}); widen the "
                                                "coverage or leave the dataset out"))
        names[(dataset, version)], records[(dataset, version)] = name, count
    raise_problems("risk assessment request", problems)
    union = " UNION ".join(f"SELECT {quote(PERSON)} FROM {quote(n)}"  # noqa: S608
                           for n in names.values())
    persons = con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]  # noqa: S608
    if persons == 0:
        raise_problems("risk assessment request", [Problem(
            "coverage", "no dataset has a record in the coverage; widen it")])
    return Frames(names, records, persons, tuple(notes))
