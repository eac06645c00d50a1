"""Person-level equivalence classes across linked datasets, joined on ``person_id``.

One person may have many records, in one dataset or several. What an intruder is assumed to know
about a person is which values the person has: for each dataset, the **set** of distinct key
values of the person's records, and whether the person is in the dataset at all. How many
records carry each value is not part of the key: an intruder who knows that someone was
sentenced at a court in 2019 rarely knows how many hearings it took, and counting records would
make every prolific person unique whatever the fields asked for, so that no generalisation could
ever help. So a person's class key is, per dataset, the sorted list of the distinct key values
of their records (``list_sort(list(DISTINCT struct_pack(...)))``), and persons are joined across
datasets with a full outer join on ``person_id`` (absence is a value too). Two persons are in the
same class when all of that is equal. See docs/risk.md.

When every person has at most one record in a dataset, its key columns are used as they are
(with a presence flag when there are several datasets), which is the same partition and faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from fivesafes.risk.classes import group_by
from fivesafes.risk.data import PERSON, Frames, key_column
from fivesafes.risk.request import Plan
from fivesafes.sql import Fragment, Statement, compose, quote, run

PERSONS_TABLE = "__fs_risk_persons"


@dataclass(frozen=True)
class PersonRelation:
    """A query with one row per person: ``person_id``, ``n`` (their records) and ``groups``, the
    columns that together are the person's class key."""

    sql: Fragment
    groups: tuple[str, ...]

    def classes(self) -> Fragment:
        """The classes relation (``size`` persons, ``records``) of this relation."""
        return Fragment(compose("SELECT count(*) AS size, sum(n) AS records FROM ({persons})"
                                "{group}", persons=self.sql, group=group_by(self.groups)))


def single_records_statement(frame: str) -> Statement:
    return Statement("risk: persons with one record", compose(
        "SELECT count(*) = count(DISTINCT {person}) FROM {frame}", person=PERSON, frame=frame))


def single_records(con: duckdb.DuckDBPyConnection, frames: Frames) -> dict[str, bool]:
    """For each frame, whether every person has at most one record in it."""
    out = {}
    for name in frames.names.values():
        row = run(con, single_records_statement(name)).fetchone()
        out[name] = bool(row[0])
    return out


def relation(plan: Plan, frames: Frames, single: dict[str, bool],
             node: Sequence[int]) -> PersonRelation:
    """The person relation with each key at the height ``node[key.index]`` (its withheld height
    leaves it out)."""
    parts: list[Fragment] = []
    groups: list[str] = []
    counts: list[str] = []
    several = len(frames.names) > 1
    for position, (ident, name) in enumerate(frames.names.items()):
        cols = [key_column(k.index, node[k.index]) for k in plan.keys
                if (k.dataset, k.version) == ident and node[k.index] < k.withheld]
        count = f"n{position}"
        counts.append(f"coalesce({quote(count)}, 0)")
        if single[name]:
            parts.append(Fragment(compose(
                "SELECT {person}, {keys}1 AS {count} FROM {frame}", person=PERSON,
                keys=Fragment("".join(quote(c) + ", " for c in cols)), count=count,
                frame=name)))
            groups += cols
            if several:
                groups.append(count)
            continue
        if not cols:
            key = "1"  # only presence: the person is in this dataset
        elif len(cols) == 1:
            key = f"list_sort(list(DISTINCT {quote(cols[0])}))"
        else:
            key = "list_sort(list(DISTINCT struct_pack({})))".format(
                ", ".join(f"{quote(c)} := {quote(c)}" for c in cols))
        parts.append(Fragment(compose(
            "SELECT {person}, {key} AS {column}, count(*) AS {count} FROM {frame} "
            "GROUP BY {person}", person=PERSON, key=Fragment(key), column=f"k{position}",
            count=count, frame=name)))
        groups.append(f"k{position}")
    joined = f"({parts[0]})" + "".join(
        compose(" FULL JOIN ({part}) USING ({person})", part=part, person=PERSON)
        for part in parts[1:])
    return PersonRelation(Fragment(compose(
        "SELECT {person}, {counts} AS n{groups} FROM {joined}", person=PERSON,
        counts=Fragment(" + ".join(counts)),
        groups=Fragment("".join(", " + quote(g) for g in groups)),
        joined=Fragment(joined))), tuple(groups))


def materialise_statement(persons: PersonRelation) -> Statement:
    """See :func:`materialise`."""
    order = ", ".join(quote(g) for g in persons.groups)
    class_id = f"dense_rank() OVER (ORDER BY {order})" if order else "1"
    units = f"count(*) OVER (PARTITION BY {order})" if order else "count(*) OVER ()"
    return Statement("risk: classes of persons", compose(
        "CREATE OR REPLACE TEMP TABLE {table} AS "
        "SELECT {person}, n, {class_id} AS class_id, {units} AS units FROM ({persons})",
        table=PERSONS_TABLE, person=PERSON, class_id=Fragment(class_id),
        units=Fragment(units), persons=persons.sql))


def materialise(con: duckdb.DuckDBPyConnection, persons: PersonRelation) -> str:
    """Write the persons with their class (``class_id``) and its size (``units``) to a
    temporary table, for figures and diversity; returns its name."""
    run(con, materialise_statement(persons))
    return PERSONS_TABLE


def classes_of(table: str) -> Fragment:
    """The classes relation of a materialised persons table."""
    return Fragment(compose("SELECT count(*) AS size, sum(n) AS records FROM {table} "
                            "GROUP BY class_id", table=table))


def counts_of(table: str, frame: str, value: str) -> Fragment:
    """The diversity counts relation of one sensitive column of ``frame`` within person classes
    (with the persons each class holds as ``units``)."""
    return Fragment(compose(
        "SELECT p.class_id, p.units, d.{value} AS v, count(*) AS n "
        "FROM {frame} d JOIN {table} p USING ({person}) GROUP BY ALL",
        value=value, frame=frame, table=table, person=PERSON))
