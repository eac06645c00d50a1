"""From a source contract to the standardisation spec of its identifier table.

Linkage reads one *identifier table* per source, in the shape of the identifier store that ingest
writes: ``record_key``, ``record_id`` and every identifier column by its source name (an
identifier column that is also the record id is read as ``record_id``). :func:`spec_for` turns a
contract's identifier roles into a :class:`~fivesafes.standardise.StandardiseSpec` for
that table. Roles that standardisation holds once (forename, surname, date of birth, ...) may be
declared once per source; ``address`` and ``operational_id`` may name several columns, and
``shared_identifier`` one column per identifier name (``ni_number``, ``pnc_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import duckdb

from fivesafes.errors import ContractError
from fivesafes.sources.contract import IdentifierColumn, SourceContract
from fivesafes.sql import Fragment, Statement, compose, run
from fivesafes.standardise import StandardiseSpec
from fivesafes.standardise.dates import compile_dob_format

__all__ = ["ISO_DATE", "SINGLE_ROLES", "identifier_column_names", "reading_iso_dates",
           "spec_for"]

#: How a date of birth reads when its column holds dates rather than text.
ISO_DATE = "%Y-%m-%d"

#: Roles held in one column per source.
SINGLE_ROLES = ("forename", "middle_names", "surname", "full_name", "date_of_birth", "sex",
                "postcode")


def identifier_column_names(contract: SourceContract) -> list[str]:
    """The identifier table's identifier columns (the record id is ``record_id``), in order."""
    return [c.column for c in contract.identifiers if c.column != contract.record_id]


def _table_column(contract: SourceContract, column: IdentifierColumn) -> str:
    return "record_id" if column.column == contract.record_id else column.column


def _single(contract: SourceContract, role: str) -> IdentifierColumn | None:
    declared = contract.identifier(role)
    if len(declared) > 1:
        names = ", ".join(repr(c.column) for c in declared)
        raise ContractError(
            f"{_where(contract)}: columns {names} all have role '{role}'; linkage reads one "
            f"'{role}' column per source: keep one and give the others another role (or remove "
            "them from the contract)"
        )
    return declared[0] if declared else None


def _where(contract: SourceContract) -> str:
    path = contract.contract_path
    return f"{path}: source '{contract.name}'" if path else f"source '{contract.name}'"


def spec_for(contract: SourceContract) -> StandardiseSpec:
    """The standardisation spec for ``contract``'s identifier table (see the module docstring)."""

    def column(role: str) -> str | None:
        found = _single(contract, role)
        return _table_column(contract, found) if found else None

    def columns(role: str) -> tuple[str, ...]:
        return tuple(_table_column(contract, c) for c in contract.identifier(role))

    full_name = _single(contract, "full_name")
    dob = _single(contract, "date_of_birth")
    sex = _single(contract, "sex")
    try:
        return StandardiseSpec(
            source=contract.name,
            record_key="record_key",
            forename=column("forename"),
            middle_names=column("middle_names"),
            surname=column("surname"),
            full_name=column("full_name"),
            full_name_order=(full_name.order if full_name and full_name.order
                             else "surname_first"),  # type: ignore[arg-type]
            date_of_birth=column("date_of_birth"),
            date_of_birth_format=(dob.format if dob and dob.format else ISO_DATE),
            sex=column("sex"),
            sex_codes=dict(sex.codes) if sex else {},
            postcode=column("postcode"),
            address=columns("address"),
            operational_ids=columns("operational_id"),
            shared_ids=tuple((c.name or "", _table_column(contract, c))
                             for c in contract.identifier("shared_identifier")),
        )
    except ContractError as error:
        raise ContractError(f"{_where(contract)}: {error}") from None


def specs_for(contracts: Iterable[SourceContract]) -> list[StandardiseSpec]:
    """:func:`spec_for` of each contract."""
    return [spec_for(contract) for contract in contracts]


def reading_iso_dates(spec: StandardiseSpec, iso_dates: Iterable[str],
                      con: duckdb.DuckDBPyConnection, table: str) -> StandardiseSpec:
    """``spec``, with its date of birth read as ISO dates (``%Y-%m-%d``) when the reader saw the
    column as dates (``iso_dates``: a Parquet DATE column arrives as ISO text), or when the
    values in ``table`` (in ``con``) fail the declared format but are ISO dates (such a column
    reaches the identifier store as ISO text). Linkage and a partner's kit both use it, so an
    extract's dates read the same on either side."""
    dob = spec.date_of_birth
    if dob and (dob in frozenset(iso_dates)
                or _looks_iso(con, table, dob, spec.date_of_birth_format)):
        return replace(spec, date_of_birth_format=ISO_DATE)
    return spec


#: How many of a column's values :func:`_looks_iso` reads.
SAMPLED = 1000


def iso_check_statement(table: str, column: str, fmt: str) -> Statement:
    """How many of the first :data:`SAMPLED` non-empty values of ``column`` in ``table`` fit the
    date format ``fmt``, and how many are ISO dates."""
    declared, iso = compile_dob_format(fmt).regex, compile_dob_format(ISO_DATE).regex
    value = Fragment(compose("trim(CAST({column} AS VARCHAR))", column=column))
    return Statement("standardise: check dates of birth for ISO dates", compose("""
        SELECT count(*) FILTER (WHERE regexp_full_match(v, $1)),
            count(*) FILTER (WHERE regexp_full_match(v, $2))
        FROM (SELECT {value} AS v FROM {table} WHERE {value} <> '' LIMIT $3)""",
        value=value, table=table), [declared, iso, SAMPLED])


def _looks_iso(con: duckdb.DuckDBPyConnection, table: str, column: str, fmt: str) -> bool:
    """True when a column's values fail the declared date format but are ISO dates."""
    if fmt == ISO_DATE:
        return False
    fits, is_iso = run(con, iso_check_statement(table, column, fmt)).fetchall()[0]
    return fits == 0 and is_iso > 0
