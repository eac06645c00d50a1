"""Validating a chunk of rows against its contract, vectorised in DuckDB.

For each chunk one query cleans every value (trimmed, empty -> NULL), computes one problem column
per check (NULL when the value passes), and casts attribute values to their declared types. Rows
with any problem are quarantined, except that an identifier value linkage cannot read may be
kept with a warning (see :class:`ChunkValidator`); the others are split into identifiers and
attributes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fivesafes.errors import SourceFileError
from fivesafes.sources.contract import DEFAULT_DATE_FORMAT, SourceContract
from fivesafes.sources.readers import Chunk
from fivesafes.sources.sex_codes import case_insensitive_codes
from fivesafes.sql import Fragment, Params, Statement, compose, quote, run_arrow

TRUE_WORDS = ("true", "yes", "y", "1", "t")
FALSE_WORDS = ("false", "no", "n", "0", "f")
# Strict forms: DuckDB's casts would round "2.5" to a whole number or accept "inf".
INTEGER_PATTERN = r"[+-]?[0-9]+"
DECIMAL_PATTERN = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"
ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "decimal": pa.float64(),
               "date": pa.date32(), "boolean": pa.bool_()}


@dataclass(frozen=True)
class Problem:
    position: int  # line (CSV) or row (Parquet)
    column: str
    reason: str
    value: str | None
    kept: bool = False  # an identifier value that cannot be read; the row was kept anyway
    #: an unreadable identifier value in a row rejected for another reason: listed with the
    #: row in the quarantine, but not what quarantined it
    incidental: bool = False

    @property
    def label(self) -> str:
        """How summaries count it: ``column: reason`` (the reason alone for a whole row)."""
        return f"{self.column}: {self.reason}" if self.column else self.reason


def refuse_repeated_ids(contract: SourceContract, table: pa.Table) -> None:
    """Refuse a table of ``contract``'s accepted rows (column ``record_id``) in which a record id
    appears more than once: linkage and a partner's kit read each record once, by its id."""
    counts = pc.value_counts(table.column("record_id"))
    repeated = pc.filter(counts, pc.greater(counts.field("counts"), 1))
    if len(repeated):
        example = repeated[0]["values"].as_py()
        raise SourceFileError(
            f"{contract.file.path}: {len(repeated)} record id(s) in column "
            f"'{contract.record_id}' appear more than once (e.g. {example!r}); record ids must "
            "be unique within a source: ask the data owner to fix the extract, or name a unique "
            "column as record_id in the contract"
        )


def tally(problems: list[Problem], rejected: Counter[str], kept: Counter[str]) -> None:
    """Count ``problems`` by label: what quarantined rows in ``rejected`` (one per row and
    label, as no check fires twice on a row), the unreadable identifier values of kept rows in
    ``kept``. An incidental problem of a rejected row is in neither: it did not reject it."""
    for problem in problems:
        if problem.kept:
            kept[problem.label] += 1
        elif not problem.incidental:
            rejected[problem.label] += 1


@dataclass
class ValidatedChunk:
    problems: list[Problem]
    quarantined_rows: int
    record_ids: pa.Array  # accepted rows only
    identifiers: dict[str, pa.Array]  # cleaned text, accepted rows only
    attributes: dict[str, pa.Array]  # typed, accepted rows only


def _is_compact(fmt: str) -> bool:
    """A date format with no separators (e.g. %Y%m%d) must match the full width exactly."""
    return all(part[:1].isalpha() for part in fmt.split("%")[1:]) and not fmt.split("%")[0]


def _date_width(fmt: str) -> int:
    return len(datetime(1987, 11, 23).strftime(fmt))


class ChunkValidator:
    """Validates chunks of one source; the query is built once per (contract, ISO columns).

    A date of birth that is not a date in the declared format, or a sex code the contract does
    not declare, does not reject its row: the problem is still reported (marked ``kept``) and
    linkage treats the value as missing. A ``required`` identifier still rejects its row.
    """

    def __init__(self, contract: SourceContract, con: duckdb.DuckDBPyConnection) -> None:
        self.contract = contract
        self.con = con
        self._queries: dict[frozenset[str], tuple[Statement, list[tuple[str, str, bool]]]] = {}

    def _query(self, iso: frozenset[str]) -> tuple[Statement, list[tuple[str, str, bool]]]:
        """The query validating a chunk whose columns ``iso`` hold ISO dates, and its checks
        (problem alias, contract column, kept); built once for each set of ISO columns."""
        if iso in self._queries:
            return self._queries[iso]
        c = self.contract
        p = Params()
        names = {col: f"c{i}" for i, col in enumerate(c.columns)}
        cleaned = ", ".join(
            f"nullif(trim(CAST({quote(col)} AS VARCHAR)), '') AS {names[col]}"
            for col in c.columns
        )
        checks: list[tuple[str, str, bool]] = []  # (problem alias, contract column, kept)
        selects: list[str] = [f"{names[col]} AS {quote('v:' + col)}" for col in c.columns]

        def check(col: str, condition: str, reason: str, kept: bool = False) -> None:
            alias = f"p{len(checks)}"
            selects.append(f"CASE WHEN {condition} THEN {p(reason)} END AS {alias}")
            checks.append((alias, col, kept))

        def date_ok(ref: str, fmt: str) -> str:
            cond = f"try_strptime({ref}, {p(fmt)}) IS NOT NULL"
            if _is_compact(fmt):
                cond += f" AND length({ref}) = {p(_date_width(fmt))}"
            return cond

        rid = names[c.record_id]
        check(c.record_id, f"{rid} IS NULL", "record id is empty")
        for ident in c.identifiers:
            ref = names[ident.column]
            keep = not ident.required
            if ident.required and ident.column != c.record_id:
                check(ident.column, f"{ref} IS NULL", "required value is empty")
            if ident.role == "date_of_birth":
                fmt = DEFAULT_DATE_FORMAT if ident.column in iso else ident.format or ""
                check(ident.column, f"{ref} IS NOT NULL AND NOT ({date_ok(ref, fmt)})",
                      f"not a valid date in the form {fmt}", keep)
            if ident.role == "sex":
                codes = sorted(ident.codes)
                upper = case_insensitive_codes(ident.codes)  # as linkage will map them
                if upper is not None:  # unambiguous: accept any case
                    cond = f"{ref} IS NOT NULL AND upper({ref}) NOT IN ({p.many(sorted(upper))})"
                else:
                    cond = f"{ref} IS NOT NULL AND {ref} NOT IN ({p.many(codes)})"
                check(ident.column, cond,
                      f"not one of the sex codes {', '.join(codes)} declared in the contract",
                      keep)
        for attr in c.attributes:
            ref = names[attr.column]
            alias = quote("a:" + attr.column)
            if attr.required:
                check(attr.column, f"{ref} IS NULL", "required value is empty")
            if attr.type == "date":
                fmt = DEFAULT_DATE_FORMAT if attr.column in iso else attr.format or ""
                check(attr.column, f"{ref} IS NOT NULL AND NOT ({date_ok(ref, fmt)})",
                      f"not a valid date in the form {fmt}")
                selects.append(f"CAST(try_strptime({ref}, {p(fmt)}) AS DATE) AS {alias}")
            elif attr.type == "integer":
                ok = (f"regexp_full_match({ref}, {p(INTEGER_PATTERN)}) "
                      f"AND try_cast({ref} AS BIGINT) IS NOT NULL")
                check(attr.column, f"{ref} IS NOT NULL AND NOT ({ok})", "not a whole number")
                selects.append(f"CASE WHEN {ok} THEN CAST({ref} AS BIGINT) END AS {alias}")
            elif attr.type == "decimal":
                ok = f"regexp_full_match({ref}, {p(DECIMAL_PATTERN)})"
                check(attr.column, f"{ref} IS NOT NULL AND NOT ({ok})", "not a number")
                selects.append(f"CASE WHEN {ok} THEN CAST({ref} AS DOUBLE) END AS {alias}")
            elif attr.type == "boolean":
                words = TRUE_WORDS + FALSE_WORDS
                check(attr.column, f"{ref} IS NOT NULL AND lower({ref}) NOT IN ({p.many(words)})",
                      "not true/false (or yes/no, y/n, 1/0)")
                selects.append(
                    f"CASE WHEN lower({ref}) IN ({p.many(TRUE_WORDS)}) THEN TRUE "
                    f"WHEN lower({ref}) IN ({p.many(FALSE_WORDS)}) THEN FALSE END AS {alias}"
                )
            else:
                if attr.values is not None:
                    allowed = ", ".join(attr.values)
                    if len(allowed) > 120:
                        allowed = allowed[:117] + "..."
                    check(attr.column, f"{ref} IS NOT NULL AND {ref} NOT IN "
                                       f"({p.many(list(attr.values))})",
                          f"not one of the allowed values ({allowed})")
                selects.append(f"{ref} AS {alias}")
        sql = compose("WITH t AS (SELECT {cleaned} FROM chunk) SELECT {selects} FROM t",
                      cleaned=Fragment(cleaned), selects=Fragment(", ".join(selects)))
        self._queries[iso] = (Statement(f"validate: check the rows of {c.name}", sql, p.values),
                              checks)
        return self._queries[iso]

    def validate(self, chunk: Chunk) -> ValidatedChunk:
        c = self.contract
        statement, checks = self._query(chunk.iso_dates)
        n = len(chunk.positions)
        table = pa.table({col: chunk.columns[col] for col in c.columns}) if n else None
        problems = [Problem(pos, "", reason, None) for pos, reason in chunk.shape_problems]
        if table is None:
            empty = {k: pa.array([], pa.string()) for k in (i.column for i in c.identifiers)}
            attrs = {a.column: pa.array([], ARROW_TYPES[a.type]) for a in c.attributes}
            return ValidatedChunk(problems, len(problems), pa.array([], pa.string()), empty,
                                  attrs)
        self.con.register("chunk", table)
        try:
            result = run_arrow(self.con, statement)
        finally:
            self.con.unregister("chunk")
        bad = np.zeros(n, dtype=bool)
        for alias, col, kept in checks:
            reasons = result.column(alias)
            if reasons.null_count == n:
                continue
            hit = pc.is_valid(reasons).to_numpy(zero_copy_only=False)
            if not kept:
                bad |= hit
            values = result.column("v:" + col)
            for i in np.flatnonzero(hit):
                problems.append(Problem(chunk.positions[i], col, reasons[i].as_py(),
                                        values[i].as_py(), kept))
        if bad.any():  # a rejected row's problems all go to the quarantine with it
            rejected = {chunk.positions[i] for i in np.flatnonzero(bad)}
            problems = [replace(pr, kept=False, incidental=True)
                        if pr.kept and pr.position in rejected else pr for pr in problems]
        keep = pa.array(~bad)
        ok = result.filter(keep) if bad.any() else result
        identifiers = {
            i.column: ok.column("v:" + i.column).combine_chunks() for i in c.identifiers
        }
        attributes = {
            a.column: ok.column("a:" + a.column).combine_chunks().cast(ARROW_TYPES[a.type])
            for a in c.attributes
        }
        return ValidatedChunk(
            problems=sorted(problems, key=lambda pr: (pr.position, pr.column)),
            quarantined_rows=int(bad.sum()) + len(chunk.shape_problems),
            record_ids=ok.column("v:" + c.record_id).combine_chunks(),
            identifiers=identifiers,
            attributes=attributes,
        )
