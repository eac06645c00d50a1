"""The linkage input: the standardised table reduced to what the model compares, plus derived keys.

One row per record. Every column is text (or a list of text), so the same table feeds DuckDB and
Spark. ``unique_id`` is the record's link id (its rank by record id within its source) and
``source_dataset`` the source, as Splink names them.

============================  ==========================================================
``forename``                  first given name (``MARY-JANE``)
``surname``                   surname without spaces or hyphens (``MCDONALD``)
``full_name``                 forename and surname (for term frequencies of the whole name)
``forename_initial``          first letter of the forename
``forename_phonetic``         metaphone of the forename's first token
``surname_phonetic``          metaphone of the surname
``forename_variant_groups``   every variant group of the forename (``BILL`` -> ``WILLIAM``)
``surname_tokens``            the surname's parts (``SMITH``, ``JONES``)
``dob``                       ``YYYY-MM-DD``
``dob_transposed``            the date with day and month swapped, when that is a different
                              real date (``1990-03-07`` -> ``1990-07-03``)
``dob_year``                  ``YYYY``
``dob_month_day``             ``MM-DD`` (for blocking when the year is mistyped)
``sex``                       ``male`` / ``female``
``postcode`` .. ``_area``     the postcode and its sector, district and area; a postcode that
                              is not a UK one (another country's postal code) is compared as
                              it is, with no sector, district or area
``address``                   the address words (postcode removed, abbreviations expanded)
``address_tokens``            those words as a list
``shared_<name>``             each shared identifier (``shared_ni_number``), letters and
                              digits, upper case; a value more than
                              :data:`MAX_SHARED_RECORDS` records hold is a placeholder
                              (``AA000000A``, ``UNKNOWN``), not an identifier, and is dropped
============================  ==========================================================

:data:`FEATURE_GROUPS` says which columns each kind of evidence needs; :func:`usable_groups`
finds the groups the data can support (a group whose columns are all NULL is left out).
"""

from __future__ import annotations

import duckdb

from fivesafes.sql import Fragment, Params, Statement, compose, quote, run

__all__ = ["FEATURE_GROUPS", "MAX_SHARED_RECORDS", "MIN_FILLED", "SHARED_PREFIX",
           "build_features", "is_shared", "shared_columns", "usable_groups"]

#: Kind of evidence -> the feature column that must hold values for it to be used.
FEATURE_GROUPS: dict[str, str] = {
    "forename": "forename",
    "surname": "surname",
    "dob": "dob",
    "sex": "sex",
    "postcode": "postcode",
    "address": "address",
}

#: Feature columns (and kinds of evidence) of shared identifiers are named this plus the name.
SHARED_PREFIX = "shared_"
#: A shared identifier value held by more records than this is a placeholder, not evidence.
MAX_SHARED_RECORDS = 200


def is_shared(group: str) -> bool:
    """True for the kind of evidence of a shared identifier (its feature column's name)."""
    return group.startswith(SHARED_PREFIX)

#: A kind of evidence is used when at least this share of records has it (and two records do).
MIN_FILLED = 0.01

_FEATURES_SQL = """
SELECT
    r.link_id AS unique_id,
    s.source AS source_dataset,
    forename,
    surname_joined AS surname,
    forename || ' ' || surname_joined AS full_name,
    forename_initial,
    forename_phonetic,
    surname_phonetic,
    forename_variant_groups,
    CASE WHEN len(surname_tokens) > 1 THEN surname_tokens END AS surname_tokens,
    strftime(dob, '%Y-%m-%d') AS dob,
    CASE WHEN day(dob) <= 12 AND day(dob) <> month(dob)
        THEN strftime(make_date(year(dob), day(dob), month(dob)), '%Y-%m-%d') END
        AS dob_transposed,
    CAST(year(dob) AS VARCHAR) AS dob_year,
    strftime(dob, '%m-%d') AS dob_month_day,
    sex,
    coalesce(postcode, postal_code) AS postcode,
    postcode_sector,
    postcode_district,
    postcode_area,
    array_to_string(address_tokens, ' ') AS address,
    address_tokens{shared}
FROM {table} AS s JOIN {records} AS r ON r.source = s.source AND r.record_key = s.record_key
"""


# -- the statements (pure builders; names quoted, values bound) -------------------------------

def shared_names_statement(standardised: str) -> Statement:
    """The names of the shared identifiers the standardised table holds, in order."""
    return Statement("features: find shared identifiers", compose(
        "SELECT DISTINCT unnest(map_keys(shared_ids)) FROM {table} "
        "WHERE shared_ids IS NOT NULL ORDER BY 1", table=standardised))


def features_statement(standardised: str, out: str, records: str, shared: list[str]
                       ) -> Statement:
    """Table ``out`` from ``standardised``, one column per shared identifier in ``shared``."""
    p = Params()
    columns = Fragment("".join(f",\n    shared_ids[{p(name)}] AS {quote(SHARED_PREFIX + name)}"
                               for name in shared))
    return Statement("features: build the features table", compose(
        "CREATE OR REPLACE TABLE {out} AS " + _FEATURES_SQL, out=out, table=standardised,
        records=records, shared=columns), p.values)


def placeholders_statement(features: str, column: str) -> Statement:
    """Empty the values of ``column`` more than :data:`MAX_SHARED_RECORDS` records hold."""
    return Statement("features: drop placeholder identifiers", compose("""
        UPDATE {features} SET {column} = NULL WHERE {column} IN (
            SELECT {column} FROM {features} GROUP BY 1 HAVING count(*) > $1)""",
        features=features, column=column), [MAX_SHARED_RECORDS])


def describe(table: str) -> Statement:
    return Statement("features: read columns", compose("DESCRIBE {table}", table=table))


def filled_statement(features: str, columns: list[str]) -> Statement:
    """The number of records and how many have a value in each of ``columns``."""
    counts = Fragment(", ".join(f"count({quote(column)})" for column in columns))
    return Statement("features: count filled values", compose(
        "SELECT count(*), {counts} FROM {features}", counts=counts, features=features))


# -- running them -----------------------------------------------------------------------------

def build_features(con: duckdb.DuckDBPyConnection, standardised: str, out: str,
                   records: str = "records") -> None:
    """Create table ``out`` (replacing it) from the standardised table ``standardised``, each
    record named by its ``link_id`` in table ``records`` (see :mod:`fivesafes.linkage.pipeline`)."""
    shared = [row[0] for row in run(con, shared_names_statement(standardised)).fetchall()]
    run(con, features_statement(standardised, out, records, shared))
    for name in shared:
        run(con, placeholders_statement(out, SHARED_PREFIX + name))


def shared_columns(con: duckdb.DuckDBPyConnection, features: str) -> list[str]:
    """The features table's shared-identifier columns, in order."""
    return [row[0] for row in run(con, describe(features)).fetchall() if is_shared(row[0])]


def usable_groups(con: duckdb.DuckDBPyConnection, features: str) -> dict[str, int]:
    """Kinds of evidence with enough values to be modelled, and how many records have each."""
    groups = dict(FEATURE_GROUPS) | {c: c for c in shared_columns(con, features)}
    row = run(con, filled_statement(features, list(groups.values()))).fetchall()[0]
    assert row is not None
    total, *filled = row
    usable = {}
    for group, count in zip(groups, filled, strict=True):
        if count >= min(2, total) and count >= MIN_FILLED * total:
            usable[group] = int(count)
    return usable
