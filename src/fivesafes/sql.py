"""Small helpers for building SQL safely: identifiers are always quoted, values always bound."""

from __future__ import annotations


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (DuckDB, PostgreSQL, SQLite), embedded quotes doubled."""
    if "\x00" in identifier:
        raise ValueError("an SQL identifier cannot contain a NUL character")
    return '"' + identifier.replace('"', '""') + '"'


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
