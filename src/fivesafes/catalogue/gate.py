"""The release gate: before anything is published, every research-ready column is scanned for
identifier values that went into any ingest of this home.

Each distinct value of each column (integers and decimals as text; dates and booleans are typed
and cannot hold a name or a number) is normalised as the identifier digests were (upper case,
accents stripped, every run of other characters one space) and cut into tokens. Its candidate
forms are hashed with the home's salt and looked up among the digests of every ingest:

* every run of 1 to 3 tokens, with and without the spaces between them: a record id or
  operational id (``3000001``, ``T20120001``), a postcode (``LS6 2AB`` or ``LS62AB``);
* every pair of name tokens at most one token apart, in either order: a forename and surname of
  the same person (``John SMITH``, ``SMITH, John``, ``Smith John Paul``);
* a date (``1990-02-01``, ``01/02/1990``, ``19900201``) together with a name token of the same
  value: a date of birth next to a name of the same person.

So the scan is case-insensitive and finds identifiers embedded in free text. Single names are
not looked for (they also name courts, streets and ethnic groups), nor ids shorter than five
characters or without a digit (they cannot be told apart from ordinary numbers and codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.catalogue.digests import connect, token_files
from fivesafes.home import Deployment
from fivesafes.sql import Fragment, Params, Statement, compose, fragments, run

MAX_GRAM = 3
EXAMPLE_ROWS = 3
KIND_WORDS = {"id": "record or operational id", "postcode": "postcode", "name": "full name",
              "dob_name": "date of birth next to a name"}
_SCANNED_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer,
                  pa.types.is_floating, pa.types.is_decimal)

_CANDIDATES_SQL = r"""
CREATE OR REPLACE TEMP TABLE fs_grams AS
  SELECT vid, t, i, t[i:i + k - 1] AS g
  FROM (SELECT vid, t, unnest(range(1, len(t) + 1)) AS i FROM fs_tokens),
       (SELECT unnest(range(1, 4)) AS k)  -- runs of 1 to MAX_GRAM tokens
  WHERE i + k - 1 <= len(t);
CREATE OR REPLACE TEMP TABLE fs_candidates AS
  SELECT vid, fs_h('g:' || array_to_string(g, ' ')) AS h FROM fs_grams
  UNION ALL
  SELECT vid, fs_h('g:' || array_to_string(g, '')) FROM fs_grams WHERE len(g) > 1
  UNION ALL
  SELECT vid, fs_h('n:' || t[i] || ' ' || t[j]) FROM (
    SELECT vid, t, i, unnest([i + 1, i + 2]) AS j FROM fs_grams WHERE len(g) = 1)
  WHERE j <= len(t) AND fs_is_name(t[i]) AND fs_is_name(t[j])
  UNION ALL
  SELECT d.vid, fs_h('d:' || n.tok || ' ' || d.ymd) FROM (
    SELECT DISTINCT vid, strftime(dt, '%Y%m%d') AS ymd FROM (
      SELECT vid, unnest(CASE
        WHEN len(g) = 3 AND regexp_full_match(array_to_string(g, ' '), '\d{4} \d{1,2} \d{1,2}')
          THEN [try_strptime(array_to_string(g, ' '), '%Y %m %d')]
        WHEN len(g) = 3 AND regexp_full_match(array_to_string(g, ' '), '\d{1,2} \d{1,2} \d{4}')
          THEN [try_strptime(array_to_string(g, ' '), '%d %m %Y')]
        WHEN len(g) = 1 AND regexp_full_match(g[1], '\d{8}')
          THEN [try_strptime(g[1], '%Y%m%d'), try_strptime(g[1], '%d%m%Y')]
        ELSE [] END) AS dt
      FROM fs_grams WHERE regexp_matches(g[1], '^\d'))
    WHERE dt IS NOT NULL) d
  JOIN (SELECT DISTINCT vid, unnest(t) AS tok FROM fs_tokens) n
    ON n.vid = d.vid AND fs_is_name(n.tok);
"""


@dataclass(frozen=True)
class Finding:
    """Identifier values of one kind found in one column."""

    dataset: str
    column: str
    kind: str  # id | postcode | name | dob_name
    values: int  # distinct values affected
    rows: int
    example_rows: tuple[int, ...]  # 1-based row numbers in the dataset file

    def describe(self) -> str:
        rows = ", ".join(str(r) for r in self.example_rows)
        return (f"{self.dataset}.{self.column}: {self.rows:,} row(s) hold a "
                f"{KIND_WORDS.get(self.kind, self.kind)} (e.g. row {rows})")


@dataclass(frozen=True)
class GateResult:
    findings: tuple[Finding, ...]
    values_scanned: int
    columns_scanned: int
    token_files: int

    @property
    def passed(self) -> bool:
        return not self.findings


def _scanned_columns(path: Path) -> list[str]:
    schema = pq.read_schema(path)
    return [f.name for f in schema if any(test(f.type) for test in _SCANNED_TYPES)]


def scan(deployment: Deployment, datasets: dict[str, Path]) -> GateResult:
    """Scan every column of every dataset file (``{dataset: parquet path}``)."""
    files = token_files(deployment)
    con = connect(deployment)
    try:
        columns = [(dataset, path, column) for dataset, path in datasets.items()
                   for column in _scanned_columns(path)]
        if not columns:
            return GateResult((), 0, 0, len(files))
        run(con, values_statement(columns))
        scanned = con.sql("SELECT count(*) FROM fs_values").fetchall()[0][0]
        if not files:
            return GateResult((), scanned, len(columns), 0)
        con.execute("CREATE TEMP TABLE fs_tokens AS SELECT vid, string_split(fs_norm(v), ' ') "
                    "AS t FROM fs_values WHERE fs_norm(v) <> ''")
        con.execute(_CANDIDATES_SQL)
        con.execute("CREATE TEMP TABLE fs_known AS SELECT DISTINCT h, kind FROM read_parquet($1)",
                    [[str(f) for f in files]])
        hits = con.sql(
            "SELECT v.dataset, v.col, k.kind, list(DISTINCT v.v) AS vals, "
            "count(DISTINCT v.vid) AS n_values "
            "FROM (SELECT DISTINCT vid, h FROM fs_candidates) c "
            "JOIN fs_known k USING (h) JOIN fs_values v USING (vid) "
            "GROUP BY ALL ORDER BY v.dataset, v.col, k.kind").fetchall()
        findings = []
        for dataset, column, kind, values, n_values in hits:
            rows, examples = _rows_holding(con, datasets[dataset], column, values)
            findings.append(Finding(dataset, column, kind, n_values, rows, examples))
        return GateResult(tuple(findings), scanned, len(columns), len(files))
    finally:
        con.close()


def values_statement(columns: list[tuple[str, Path, str]]) -> Statement:
    """``fs_values``: each distinct value (as text) of each ``(dataset, file, column)``, with
    how many rows hold it and a value id ``vid``."""
    p = Params()
    parts = [Fragment(compose(
        "SELECT {dataset} AS dataset, {column_name} AS col, v, count(*) AS n "
        "FROM (SELECT CAST({column} AS VARCHAR) AS v FROM read_parquet({path})) "
        "WHERE v IS NOT NULL GROUP BY v", dataset=Fragment(p(dataset)),
        column_name=Fragment(p(column)), column=column, path=Fragment(p(str(path)))))
        for dataset, path, column in columns]
    return Statement("gate: distinct values", compose(
        "CREATE TEMP TABLE fs_values AS SELECT row_number() OVER () AS vid, * FROM ({union})",
        union=fragments(parts, " UNION ALL ")), p.values)


def rows_statement(path: Path, column: str, values: list[str]) -> Statement:
    """The 1-based numbers of the rows of ``path`` whose ``column`` (as text) is in ``values``."""
    p = Params()
    return Statement("gate: rows holding an identifier", compose(
        "SELECT file_row_number + 1 FROM read_parquet({path}, file_row_number = true) "
        "WHERE CAST({column} AS VARCHAR) IN (SELECT unnest({values}::VARCHAR[])) ORDER BY 1",
        path=Fragment(p(str(path))), column=column, values=Fragment(p(values))), p.values)


def _rows_holding(con, path: Path, column: str, values: list[str]) -> tuple[int, tuple[int, ...]]:
    rows = [r[0] for r in run(con, rows_statement(path, column, values)).fetchall()]
    return len(rows), tuple(rows[:EXAMPLE_ROWS])


def report_rows(result: GateResult) -> list[list[str]]:
    """The findings as CSV rows (no identifier value is ever written, only where it is)."""
    out = [["dataset", "column", "identifier_kind", "distinct_values", "rows", "example_rows"]]
    for f in result.findings:
        out.append([f.dataset, f.column, f.kind, str(f.values), str(f.rows),
                    " ".join(str(r) for r in f.example_rows)])
    return out
