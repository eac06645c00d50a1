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

from fivesafes.risk.data import PERSON, Frames, key_column
from fivesafes.risk.request import Plan
from fivesafes.sql import quote

PERSONS_TABLE = "__fs_risk_persons"


@dataclass(frozen=True)
class PersonRelation:
    """SQL with one row per person: ``person_id``, ``n`` (their records) and ``groups``, the
    columns that together are the person's class key."""

    sql: str
    groups: tuple[str, ...]

    def classes(self) -> str:
        """The classes relation (``size`` persons, ``records``) of this relation."""
        group = f" GROUP BY {', '.join(quote(g) for g in self.groups)}" if self.groups else ""
        return (f"SELECT count(*) AS size, sum(n) AS records FROM ({self.sql})"  # noqa: S608
                f"{group}")


def single_records(con: duckdb.DuckDBPyConnection, frames: Frames) -> dict[str, bool]:
    """For each frame, whether every person has at most one record in it."""
    out = {}
    for name in frames.names.values():
        row = con.execute(f"SELECT count(*) = count(DISTINCT {quote(PERSON)}) "  # noqa: S608
                          f"FROM {quote(name)}").fetchone()
        out[name] = bool(row[0])
    return out


def relation(plan: Plan, frames: Frames, single: dict[str, bool],
             node: Sequence[int]) -> PersonRelation:
    """The person relation with each key at the height ``node[key.index]`` (its withheld height
    leaves it out)."""
    parts: list[str] = []
    groups: list[str] = []
    counts: list[str] = []
    several = len(frames.names) > 1
    for position, (ident, name) in enumerate(frames.names.items()):
        cols = [key_column(k.index, node[k.index]) for k in plan.keys
                if (k.dataset, k.version) == ident and node[k.index] < k.withheld]
        count = f"n{position}"
        counts.append(f"coalesce({quote(count)}, 0)")
        if single[name]:
            selected = ", ".join([quote(PERSON), *(quote(c) for c in cols), f"1 AS {quote(count)}"])
            parts.append(f"SELECT {selected} FROM {quote(name)}")  # noqa: S608
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
        column = f"k{position}"
        parts.append(f"SELECT {quote(PERSON)}, {key} AS {quote(column)}, "  # noqa: S608
                     f"count(*) AS {quote(count)} FROM {quote(name)} GROUP BY {quote(PERSON)}")
        groups.append(column)
    joined = f"({parts[0]})" + "".join(f" FULL JOIN ({p}) USING ({quote(PERSON)})"
                                       for p in parts[1:])
    projected = ", ".join([quote(PERSON), f"{' + '.join(counts)} AS n",
                           *(quote(g) for g in groups)])
    return PersonRelation(f"SELECT {projected} FROM {joined}", tuple(groups))  # noqa: S608


def materialise(con: duckdb.DuckDBPyConnection, persons: PersonRelation) -> str:
    """Write the persons with their class (``class_id``) and its size (``units``) to a
    temporary table, for figures and diversity; returns its name."""
    order = ", ".join(quote(g) for g in persons.groups)
    class_id = f"dense_rank() OVER (ORDER BY {order})" if order else "1"
    units = f"count(*) OVER (PARTITION BY {order})" if order else "count(*) OVER ()"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote(PERSONS_TABLE)} AS "  # noqa: S608
                f"SELECT {quote(PERSON)}, n, {class_id} AS class_id, {units} AS units "
                f"FROM ({persons.sql})")
    return PERSONS_TABLE


def classes_of(table: str) -> str:
    """The classes relation of a materialised persons table."""
    return (f"SELECT count(*) AS size, sum(n) AS records FROM {quote(table)} "  # noqa: S608
            "GROUP BY class_id")


def counts_of(table: str, frame: str, value: str) -> str:
    """The diversity counts relation of one sensitive column of ``frame`` within person classes
    (with the persons each class holds as ``units``)."""
    return (f"SELECT p.class_id, p.units, d.{quote(value)} AS v, count(*) AS n "  # noqa: S608
            f"FROM {quote(frame)} d JOIN {quote(table)} p USING ({quote(PERSON)}) "
            "GROUP BY ALL")
