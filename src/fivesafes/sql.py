"""Small helpers for building SQL safely: identifiers are always quoted, values always bound.

SQL is built apart from running it. A *builder* is a pure function that returns a
:class:`Statement`: the step it belongs to, SQL text whose only variable parts are quoted
identifiers and fragments the code wrote itself (:func:`compose`), and the values bound to its
placeholders (:class:`Params`). :func:`run` (or :func:`run_arrow`) executes one on DuckDB and
turns an engine error into a :class:`~fivesafes.errors.StepFailed` that names the step and the
statement, never the bound values. The few values that cannot be bound (the file path of a
``COPY``) become literals through sqlglot (:func:`literal`), not by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fivesafes.errors import StepFailed

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

__all__ = ["Fragment", "Params", "Statement", "compose", "fragments", "identifier", "literal",
           "names", "quote", "run", "run_arrow"]

#: How much of a statement an error shows.
SHOWN = 160
#: Bound values shorter than this are taken out of messages only where they stand alone.
SHORT = 4


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (DuckDB, PostgreSQL, SQLite), embedded quotes doubled."""
    if "\x00" in identifier:
        raise ValueError("an SQL identifier cannot contain a NUL character")
    return '"' + identifier.replace('"', '""') + '"'


def identifier(*parts: str, dialect: str = "duckdb") -> str:
    """A quoted identifier, or a qualified name (``schema.table``) from its parts, via sqlglot."""
    from sqlglot import exp

    if not parts:
        raise ValueError("an SQL name needs at least one part")
    for part in parts:
        quote(part)  # refuses NUL
    return ".".join(exp.to_identifier(part, quoted=True).sql(dialect) for part in parts)


def literal(value: str, dialect: str = "duckdb") -> str:
    """A string literal via sqlglot, for the few values that cannot be bound (a ``COPY``'s file
    path); anything else is bound with :class:`Params`."""
    from sqlglot import exp

    if "\x00" in value:
        raise ValueError("an SQL string cannot contain a NUL character")
    return exp.Literal.string(value).sql(dialect)


class Params:
    """Collects numbered parameters (``$1``, ``$2``, ...) for DuckDB; a placeholder may be used
    more than once in the SQL text."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"

    def many(self, values: list[object] | tuple[object, ...]) -> str:
        return ", ".join(self(v) for v in values)


@dataclass(frozen=True)
class Fragment:
    """SQL text the code wrote itself (a condition over quoted columns, a list of quoted names, a
    query from another builder), put into a :func:`compose` template as it is. Never make one
    from a value that came from outside: quote names, bind values."""

    text: str

    def __str__(self) -> str:
        return self.text


def fragments(parts: list[Fragment] | tuple[Fragment, ...], separator: str) -> Fragment:
    """Fragments joined by ``separator`` (``" UNION ALL "``, ``", "``)."""
    return Fragment(separator.join(part.text for part in parts))


def names(columns: list[str] | tuple[str, ...], separator: str = ", ") -> Fragment:
    """Quoted column names joined by ``separator``."""
    return Fragment(separator.join(quote(c) for c in columns))


_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


def compose(template: str, /, **parts: str | tuple[str, ...] | Fragment) -> str:
    """``template`` (SQL the code wrote, never from outside) with each ``{name}`` replaced by
    ``parts[name]``: a string is an identifier and goes in quoted, a tuple of strings is a
    qualified name, a :class:`Fragment` goes in as it is. Every placeholder needs a part and
    every part a placeholder. Braces that hold no name (a regular expression's ``{1,2}``) are
    left alone; values are never parts, they are bound (:class:`Params`)."""
    used: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in parts:
            raise KeyError(f"SQL template placeholder {{{name}}} has no part")
        used.add(name)
        part = parts[name]
        if isinstance(part, Fragment):
            return part.text
        if isinstance(part, str):
            return quote(part)
        if isinstance(part, tuple) and part and all(isinstance(p, str) for p in part):
            return ".".join(quote(p) for p in part)
        raise TypeError(f"SQL template part {name} must be a name, a qualified name or a "
                        f"Fragment, not {type(part).__name__}")

    text = _PLACEHOLDER.sub(replace, template)
    unused = sorted(set(parts) - used)
    if unused:
        raise KeyError(f"SQL template has no placeholder for {', '.join(unused)}")
    return text


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a named ``step`` with the values bound to its placeholders."""

    step: str
    sql: str
    params: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple(self.params))

    @property
    def head(self) -> str:
        """The opening of the statement, on one line, for messages."""
        lines = [line.strip() for line in self.sql.strip().splitlines() if line.strip()]
        text = " ".join(lines)
        return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def _redacted(message: str, params: tuple[Any, ...]) -> str:
    """The engine's message on one line, its first paragraph only (not the solutions it suggests
    nor its copy of the statement), with the text of every bound value taken out."""
    said = []
    for line in message.strip().splitlines():
        if not line.strip() or line.startswith("LINE "):
            break
        said.append(line.strip())
    first = " ".join(said) or "no message"
    for index, value in sorted(((i, text) for i, param in enumerate(params, 1)
                                for text in _texts(param) if text),
                               key=lambda item: -len(item[1])):
        # a short value is taken out where it stands alone, not inside every word
        pattern = re.escape(value) if len(value) >= SHORT else rf"(?<!\w){re.escape(value)}(?!\w)"
        first = re.sub(pattern, f"<${index}>", first)
    return first


@contextmanager
def _failing(statement: Statement) -> Iterator[None]:
    import duckdb

    try:
        yield
    except duckdb.InterruptException:
        raise
    except duckdb.Error as error:
        raise StepFailed(statement.step, statement.head,
                         _redacted(str(error), statement.params)) from None


def run(con: duckdb.DuckDBPyConnection, statement: Statement) -> duckdb.DuckDBPyConnection:
    """Execute ``statement`` with its values bound; the connection, to fetch rows from. An
    engine error becomes :class:`~fivesafes.errors.StepFailed`."""
    with _failing(statement):
        return con.execute(statement.sql, list(statement.params))


def run_arrow(con: duckdb.DuckDBPyConnection, statement: Statement) -> pa.Table:
    """The rows of query ``statement`` as an Arrow table (:func:`run` for queries whose result
    is wanted in Arrow: no extra copy)."""
    with _failing(statement):
        return con.sql(statement.sql, params=list(statement.params)).to_arrow_table()
