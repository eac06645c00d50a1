"""Small helpers for building SQL safely: identifiers are always quoted, values always bound."""

from __future__ import annotations


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (DuckDB, PostgreSQL, SQLite), embedded quotes doubled."""
    if "\x00" in identifier:
        raise ValueError("an SQL identifier cannot contain a NUL character")
    return '"' + identifier.replace('"', '""') + '"'


class Params:
    """Collects positional ``?`` parameters in the order the SQL text uses them."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return "?"

    def many(self, values: list[object] | tuple[object, ...]) -> str:
        return ", ".join(self(v) for v in values)
