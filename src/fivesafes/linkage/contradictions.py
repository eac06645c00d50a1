"""Pairs of records that cannot be one person: rules true of people, read from the identifiers.

A pair *contradicts* when its records disagree in a way a person's own records almost never do,
and nothing strong says they are one person:

- **two generations or two people of one household**: both dates of birth are present and they
  differ beyond a recording slip (not equal, not day and month transposed, not one character
  different, not the same day a year out), and either the forenames are unrelated or the years
  of birth are :data:`GENERATION_YEARS` or more apart (a junior and a senior share a forename);
- **two people born together** (twins of different sex, partners): both sexes are recorded and
  differ, and the forenames are unrelated.

Forenames are *unrelated* when both are present and neither equal, a variant of each other
(nickname: ``BILL`` ~ ``WILLIAM``), an initial of the other, a typing slip (Jaro-Winkler 0.88 or
more, or the same sound), nor the other's surname (names swapped). Strong evidence overrides a
contradiction: a shared identifier (a National Insurance number, a PNC id) that agrees, or is one
or two characters different (a typing slip in a number that is unique to a person).

A contradicting pair is never linked directly, and over-merge splitting keeps its records apart
when a chain of other links would join them (:mod:`~.split`). Failure modes: a person whose date
of birth is recorded wrongly by more than a slip *and* who uses an unrelated forename in another
system (an alias) is split in two; twins of the same sex with the same address and unrelated
forenames are not contradictions, so the model alone decides them.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from fivesafes.linkage.features import shared_columns
from fivesafes.sql import Fragment, Statement, compose, quote, run

__all__ = ["GENERATION_YEARS", "REASONS", "flag_contradictions", "reason_sql"]

#: Two dates of birth this many years apart or more belong to two generations.
GENERATION_YEARS = 15


def _forenames_unrelated(l: str, r: str) -> str:  # noqa: E741 - l and r name the two sides
    return f"""({l}.forename IS NOT NULL AND {r}.forename IS NOT NULL
        AND {l}.forename <> {r}.forename
        AND NOT (length({l}.forename) = 1 AND {l}.forename = {r}.forename_initial)
        AND NOT (length({r}.forename) = 1 AND {r}.forename = {l}.forename_initial)
        AND {l}.forename IS DISTINCT FROM {r}.surname AND {r}.forename IS DISTINCT FROM {l}.surname
        AND {l}.forename_phonetic IS DISTINCT FROM {r}.forename_phonetic
        AND jaro_winkler_similarity({l}.forename, {r}.forename) < 0.88
        AND NOT coalesce(list_has_any({l}.forename_variant_groups,
                                      {r}.forename_variant_groups), false))"""


def _dobs_apart(l: str, r: str) -> str:  # noqa: E741
    years = f"abs(CAST({l}.dob_year AS INTEGER) - CAST({r}.dob_year AS INTEGER))"
    return f"""({l}.dob IS NOT NULL AND {r}.dob IS NOT NULL
        AND {l}.dob_year <> {r}.dob_year
        AND {l}.dob IS DISTINCT FROM {r}.dob_transposed
        AND levenshtein({l}.dob, {r}.dob) > 1
        AND NOT ({l}.dob_month_day = {r}.dob_month_day AND {years} = 1))""", years


#: Why a pair contradicts, as :func:`reason_sql` names it.
REASONS = {
    "dates_and_forenames": "dates of birth apart, forenames unrelated",
    "generation": "dates of birth a generation apart",
    "sexes_and_forenames": "sexes differ, forenames unrelated",
}


def reason_sql(l: str, r: str, shared: Iterable[str] = ()) -> str:  # noqa: E741
    """SQL naming which rule (a key of :data:`REASONS`) a pair of rows of the features table,
    aliased ``l`` and ``r``, contradicts by, or NULL when it does not (see the module
    docstring); ``shared`` names the table's shared-identifier columns."""
    apart, years = _dobs_apart(l, r)
    unrelated = _forenames_unrelated(l, r)
    sexes = f"({l}.sex IS NOT NULL AND {r}.sex IS NOT NULL AND {l}.sex <> {r}.sex)"
    strong = " OR ".join(f"coalesce(levenshtein({l}.{quote(c)}, {r}.{quote(c)}) <= 2, false)"
                         for c in shared) or "false"
    return f"""CASE WHEN {strong} THEN NULL
        WHEN {apart} AND {unrelated} THEN 'dates_and_forenames'
        WHEN {apart} AND {years} >= {GENERATION_YEARS} THEN 'generation'
        WHEN {sexes} AND {unrelated} THEN 'sexes_and_forenames' END"""


# -- the statements (pure builders; tables quoted) ----------------------------------------------

def contradicting_statement(pairs: str, features: str, shared: Iterable[str]) -> Statement:
    """``_contradicting``: the pairs of ``pairs`` that contradict, with the reason, their
    records read from ``features`` (whose shared-identifier columns are ``shared``)."""
    return Statement("contradictions: find contradicting pairs", compose("""
        CREATE OR REPLACE TEMP TABLE _contradicting AS
        SELECT * FROM (SELECT p.join_key_l, p.join_key_r, {reason} AS reason FROM {pairs} AS p
        JOIN (SELECT *, source_dataset || '-__-' || unique_id AS node FROM {features}) AS l
          ON l.node = p.join_key_l
        JOIN (SELECT *, source_dataset || '-__-' || unique_id AS node FROM {features}) AS r
          ON r.node = p.join_key_r) WHERE reason IS NOT NULL""",
        reason=Fragment(reason_sql("l", "r", shared)), pairs=pairs, features=features))


#: The columns :func:`flag_contradictions` adds, with their types.
FLAGS = {"contradicts": "BOOLEAN DEFAULT false", "contradiction": "VARCHAR"}


def drop_flag(pairs: str, column: str) -> Statement:
    return Statement("contradictions: drop an old flag", compose(
        "ALTER TABLE {pairs} DROP COLUMN IF EXISTS {column}", pairs=pairs, column=column))


def add_flag(pairs: str, column: str) -> Statement:
    return Statement("contradictions: add a flag", compose(
        "ALTER TABLE {pairs} ADD COLUMN {column} {kind}", pairs=pairs, column=column,
        kind=Fragment(FLAGS[column])))


def mark_statement(pairs: str) -> Statement:
    """Flag the pairs of ``pairs`` that are in ``_contradicting``."""
    return Statement("contradictions: flag the pairs", compose("""
        UPDATE {pairs} AS p SET contradicts = true, contradiction = c.reason
        FROM _contradicting AS c
        WHERE p.join_key_l = c.join_key_l AND p.join_key_r = c.join_key_r""", pairs=pairs))


COUNTS = Statement("contradictions: count by reason",
                   "SELECT reason, count(*) FROM _contradicting GROUP BY 1")
DROP = Statement("contradictions: drop the work table", "DROP TABLE _contradicting")


def flag_contradictions(con: duckdb.DuckDBPyConnection, pairs: str, features: str
                        ) -> dict[str, int]:
    """Add (or refresh) the columns ``contradicts`` (boolean) and ``contradiction`` (the
    reason, a key of :data:`REASONS`) of table ``pairs`` (``join_key_l``, ``join_key_r`` naming
    records as ``source || '-__-' || unique_id`` of ``features``); returns how many pairs
    contradict by each rule. The tables are named unquoted (they are quoted here)."""
    shared = shared_columns(con, features)
    for column in FLAGS:
        run(con, drop_flag(pairs, column))
    run(con, contradicting_statement(pairs, features, shared))
    for column in FLAGS:
        run(con, add_flag(pairs, column))
    run(con, mark_statement(pairs))
    counts = dict(run(con, COUNTS).fetchall())
    run(con, DROP)
    return {key: int(counts.get(key, 0)) for key in REASONS}
