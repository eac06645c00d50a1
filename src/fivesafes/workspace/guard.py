"""The statement guard of the workspace: what a researcher may run, decided before the engine
sees it.

A statement is read with sqlglot (DuckDB dialect) and allowed only if it is exactly one of:

* a query (``SELECT``, ``FROM ... SELECT``, ``WITH``, ``UNION``/``INTERSECT``/``EXCEPT``,
  ``DESCRIBE``/``SUMMARIZE`` of a table) that reads only the project's extract datasets, its own
  scratch tables (``scratch.<name>``) and the names its ``WITH`` clause defines;
* ``CREATE [OR REPLACE] TABLE|VIEW scratch.<name> AS <query>``, a derived table kept in memory for
  the session;
* ``DROP TABLE|VIEW [IF EXISTS] scratch.<name>``.

Everything else is refused with the reason: reading or writing files (file-reading table
functions, a file name or quoted path in ``FROM``, ``COPY``, ``EXPORT``), ``ATTACH``/``USE``,
extensions (``INSTALL``/``LOAD``), settings (``SET``/``RESET``/``PRAGMA``, ``current_setting``),
the engine's catalogue functions (``duckdb_*``, ``pragma_*``), any other schema or catalogue,
and more than one statement. What the engine runs is the statement as sqlglot wrote it back, so
what was checked is what runs. The engine is locked down as well (:mod:`fivesafes.workspace.
engine`); the guard gives the clear message and the audit its reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from fivesafes.errors import FivesafesError, PermissionDenied

DIALECT = "duckdb"
SCRATCH = "scratch"

#: What the guard allows, said in every refusal.
ALLOWED = ("allowed: one SELECT (WITH, UNION, DESCRIBE and SUMMARIZE too) over your extract's "
           "tables and scratch.<name>, CREATE [OR REPLACE] TABLE|VIEW scratch.<name> AS SELECT "
           "..., or DROP TABLE|VIEW scratch.<name>")

#: Table functions a query may use in FROM: they make rows, they read nothing.
ROW_MAKERS = frozenset({"range", "generate_series", "unnest"})

#: Function names (and prefixes) that read files, reach the engine's own catalogue or settings,
#: or run SQL given as text; refused wherever they appear.
_REFUSED_FUNCTIONS = frozenset({
    "glob", "current_setting", "getenv", "query", "query_table", "checkpoint",
    "force_checkpoint", "which_secret", "sniff_csv", "parquet_scan", "json_execute_serialized_sql",
    "get_current_time_zone", "enable_profiling", "disable_profiling", "shell", "system",
})
_REFUSED_PREFIXES = ("read_", "duckdb_", "pragma_", "parquet_", "sqlite_", "postgres_",
                     "mysql_", "iceberg_", "delta_", "icu_", "st_read", "load_", "install_",
                     "export_", "import_", "ducklake_", "test_")

#: First words of statements that are refused even when sqlglot cannot read the rest.
_REFUSED_FIRST_WORDS = {
    "attach": "attaching another database", "detach": "detaching a database",
    "use": "switching database", "copy": "copying data to or from files",
    "export": "exporting the database", "import": "importing a database",
    "install": "installing extensions", "load": "loading extensions",
    "force": "installing extensions", "pragma": "PRAGMA statements (settings and catalogue)",
    "set": "changing settings", "reset": "changing settings", "call": "calling functions",
    "checkpoint": "checkpoints", "vacuum": "VACUUM", "insert": "changing the extract",
    "update": "changing the extract", "delete": "changing the extract",
    "alter": "changing the extract", "truncate": "changing the extract",
    "grant": "changing permissions", "prepare": "prepared statements",
    "execute": "prepared statements", "begin": "transactions", "commit": "transactions",
    "rollback": "transactions", "start": "transactions",
}

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" warning


class StatementRefused(PermissionDenied):
    """A statement the workspace does not run; ``rule`` names why, for the audit and the
    monitor. The workspace service audits it itself (``workspace.refused``)."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class StatementNotUnderstood(FivesafesError):
    """Not readable as SQL (a typo, most often): nothing ran."""


@dataclass(frozen=True)
class Statement:
    """A statement the guard allowed, as it will run."""

    kind: str  # "query" | "create" | "drop"
    sql: str  # what the engine runs: the checked statement written back by sqlglot
    tables: tuple[str, ...]  # the extract datasets and scratch tables it reads
    target: str | None  # the scratch table a CREATE or DROP names
    shape: str  # SHA-256 of the statement with its WHERE removed and literals blanked
    pseudonym_filters: tuple[str, ...]  # pseudonym columns it compares with a literal
    population_sql: str | None  # counts the rows (or persons) its FROM and WHERE select
    expression: exp.Expression

    @property
    def changes_scratch(self) -> bool:
        return self.kind in ("create", "drop")


def _refuse(what: str, rule: str) -> StatementRefused:
    return StatementRefused(f"{what} is not allowed in the workspace; {ALLOWED}", rule)


def _first_word(sql: str) -> str:
    text = re.sub(r"(--[^\n]*\n|/\*.*?\*/|\s)+", " ", sql, flags=re.S).strip()
    return (text.split(" ", 1)[0] if text else "").lower().rstrip(";")


def _parse(sql: str) -> exp.Expression:
    if not sql.strip():
        raise StatementNotUnderstood(f"the statement is empty; {ALLOWED}")
    try:
        parsed = [p for p in sqlglot.parse(sql, read=DIALECT) if p is not None]
    except (ParseError, TokenError) as exc:
        word = _first_word(sql)
        if word in _REFUSED_FIRST_WORDS:
            raise _refuse(_REFUSED_FIRST_WORDS[word], "statement") from None
        first = str(exc).splitlines()[0] if str(exc) else "a syntax error"
        raise StatementNotUnderstood(f"could not read the statement as SQL ({first}); "
                                     f"{ALLOWED}") from None
    if not parsed:
        raise StatementNotUnderstood(f"the statement is empty; {ALLOWED}")
    if len(parsed) > 1:
        raise _refuse(f"more than one statement ({len(parsed)}) at a time", "statements")
    return parsed[0]


def _function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return None


def _refused_function(name: str) -> bool:
    return name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_PREFIXES)


def _check_nodes(root: exp.Expression) -> None:
    for node in root.walk():
        if isinstance(node, exp.Command | exp.Pragma | exp.Set | exp.Copy | exp.Attach
                      | exp.Detach | exp.Use | exp.Install | exp.Insert | exp.Update
                      | exp.Delete | exp.Merge | exp.Alter | exp.TruncateTable):
            word = _first_word(node.sql(dialect=DIALECT)) if not isinstance(
                node, exp.Command) else str(node.this).lower()
            raise _refuse(_REFUSED_FIRST_WORDS.get(word, f"a {word.upper()} statement"),
                          "statement")
        if isinstance(node, exp.ReadCSV | exp.ReadParquet):
            raise _refuse("reading files", "files")
        name = _function_name(node)
        if name and _refused_function(name):
            what = ("reading files" if name.startswith(("read_", "parquet", "glob", "sniff"))
                    else f"the function {name}()")
            raise _refuse(what, "files" if what == "reading files" else "system")


def _ctes(root: exp.Expression) -> set[str]:
    return {str(c.alias_or_name).lower() for c in root.find_all(exp.CTE)}


def _tables(root: exp.Expression, datasets: set[str], scratch: set[str]
            ) -> tuple[str, ...]:
    ctes, read = _ctes(root), []
    for table in root.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            name = _function_name(table.this) or ""
            if name in ROW_MAKERS or isinstance(table.this, exp.GenerateSeries | exp.Unnest):
                continue
            if name.startswith(("read_", "parquet", "glob", "sniff")):
                raise _refuse("reading files", "files")
            raise _refuse(f"the table function {name or table.this.sql(dialect=DIALECT)}()",
                          "system")
        name, schema, catalog = table.name, table.db, table.catalog
        if catalog:
            raise _refuse(f"another database ({catalog}.{schema}.{name})", "other_data")
        lowered = name.lower()
        if schema:
            if schema.lower() != SCRATCH:
                raise _refuse(f"the schema {schema} ({schema}.{name}); only your extract's "
                              "tables and scratch", "other_data")
            if lowered not in scratch:
                raise _refuse(f"scratch.{name}, which does not exist (scratch tables: "
                              f"{', '.join(sorted(scratch)) or 'none yet'}),", "other_data")
            read.append(f"{SCRATCH}.{lowered}")
            continue
        if lowered in ctes:
            continue
        if lowered not in datasets:
            looks_like_file = "/" in name or "." in name or "\\" in name
            raise _refuse(
                f"reading {name!r}" + (" (a file path)" if looks_like_file else
                                      ", which is not a table of your extract")
                + f" (tables: {', '.join(sorted(datasets))})",
                "files" if looks_like_file else "other_data")
        read.append(lowered)
    return tuple(dict.fromkeys(read))


def _scratch_target(node: exp.Expression) -> str:
    if isinstance(node, exp.Drop):
        tables = node.args.get("tables") or []
        if len(tables) != 1:
            raise _refuse("dropping more than one table at a time", "scratch")
        table = tables[0]
    else:
        table = node.this.this if isinstance(node.this, exp.Schema) else node.this
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise _refuse("that target", "scratch")
    if table.catalog or (table.db or "").lower() != SCRATCH:
        raise _refuse(f"creating or dropping {table.sql(dialect=DIALECT)} (only "
                      "scratch.<name>)", "scratch")
    return table.name.lower()


def _blank(root: exp.Expression) -> exp.Expression:
    return root.transform(lambda n: exp.Placeholder() if isinstance(n, exp.Literal) else n,
                          copy=True)


def _shape(root: exp.Expression) -> str:
    frame = _blank(root)
    for where in list(frame.find_all(exp.Where)):
        where.pop()
    return hashlib.sha256(frame.sql(dialect=DIALECT).encode()).hexdigest()


def _pseudonym_filters(root: exp.Expression, pseudonyms: set[str]) -> tuple[str, ...]:
    found = []
    comparisons = (exp.EQ, exp.NEQ, exp.In, exp.Like, exp.ILike, exp.GT, exp.GTE, exp.LT,
                   exp.LTE, exp.Between)
    for node in root.find_all(*comparisons):
        columns = [c for c in node.find_all(exp.Column) if c.name.lower() in pseudonyms]
        literals = list(node.find_all(exp.Literal))
        if columns and literals:
            found += [c.name.lower() for c in columns]
    return tuple(dict.fromkeys(found))


def _population_sql(query: exp.Expression, person_columns: dict[str, str]) -> str | None:
    """``SELECT count(*)`` (or the distinct persons) of a plain query's FROM and WHERE: the
    population its result describes, for the differencing rule. None for other shapes."""
    if not isinstance(query, exp.Select) or query.args.get("with_") or query.args.get("with"):
        return None
    source = query.args.get("from_") or query.args.get("from")
    if source is None or not isinstance(source.this, exp.Table):
        return None
    table = source.this
    counted = exp.Count(this=exp.Star())
    person = person_columns.get(table.name.lower()) if not table.db else None
    if person and not query.args.get("joins"):
        qualifier = table.alias_or_name
        counted = exp.Count(this=exp.Distinct(expressions=[exp.column(person, qualifier)]))
    population = exp.Select(expressions=[counted]).from_(source.copy())
    for join in query.args.get("joins") or []:
        population = population.join(join.copy())
    where = query.args.get("where")
    if where is not None:
        population.set("where", where.copy())
    return population.sql(dialect=DIALECT)


def check(sql: str, *, datasets: Iterable[str], scratch: Iterable[str] = (),
          pseudonyms: Iterable[str] = (), person_columns: dict[str, str] | None = None
          ) -> Statement:
    """The statement ``sql`` as it may run, or :class:`StatementRefused` (with the reason and
    what is allowed) or :class:`StatementNotUnderstood`. ``datasets`` are the extract's tables,
    ``scratch`` the session's scratch tables, ``pseudonyms`` the pseudonym columns (for the
    monitor) and ``person_columns`` each dataset's person pseudonym column."""
    known = {d.lower() for d in datasets}
    made = {s.lower() for s in scratch}
    root = _parse(sql)
    _check_nodes(root)
    kind, target, query = "query", None, root
    if isinstance(root, exp.Create):
        if str(root.args.get("kind", "")).upper() not in ("TABLE", "VIEW"):
            raise _refuse(f"CREATE {str(root.args.get('kind', '')).upper()}", "statement")
        if root.args.get("properties") is not None:
            raise _refuse("CREATE with options (TEMP and the like)", "statement")
        target = _scratch_target(root)
        query = root.expression
        if not isinstance(query, exp.Query):
            raise _refuse("CREATE without AS SELECT", "statement")
        kind = "create"
    elif isinstance(root, exp.Drop):
        if str(root.args.get("kind", "")).upper() not in ("TABLE", "VIEW"):
            raise _refuse(f"DROP {str(root.args.get('kind', '')).upper()}", "statement")
        target = _scratch_target(root)
        if target not in made and not root.args.get("exists"):
            raise _refuse(f"dropping scratch.{target}, which does not exist,", "scratch")
        return Statement("drop", root.sql(dialect=DIALECT, comments=False), (), target, _shape(root), (), None,
                         root)
    elif isinstance(root, exp.Describe | exp.Summarize):
        if not isinstance(root.this, exp.Table):
            raise _refuse("DESCRIBE or SUMMARIZE of anything but a table", "statement")
    elif not isinstance(root, exp.Query):
        word = _first_word(sql)
        raise _refuse(_REFUSED_FIRST_WORDS.get(word, f"a {word.upper()} statement"),
                      "statement")
    tables = _tables(query, known, made)
    if kind == "create" and f"{SCRATCH}.{target}" in tables:
        raise _refuse(f"a scratch table made from itself (scratch.{target})", "scratch")
    return Statement(kind, root.sql(dialect=DIALECT, comments=False), tables, target, _shape(root),
                     _pseudonym_filters(query, {p.lower() for p in pseudonyms}),
                     _population_sql(query, person_columns or {}), root)
