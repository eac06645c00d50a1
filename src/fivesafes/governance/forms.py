"""Forms declared as data, and their validation, which reports every problem at once.

A :class:`Form` is a tuple of :class:`Field` declarations. :meth:`Form.validate` takes what a
person wrote (a parsed TOML or JSON file, or a web form later) and returns the cleaned values
together with a list of :class:`~fivesafes.governance.errors.Problem`, each naming the path of
the field (``datasets[0].fields[1].justification``) and what is wrong with it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from fivesafes.errors import InvalidForm, Problem


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"  # a TOML date or an ISO string, 2026-03-31
    BOOL = "bool"
    TEXTS = "texts"  # a list of strings
    CHOICE = "choice"  # one of ``choices``
    SECTION = "section"  # a table holding the fields of ``form``
    TABLES = "tables"  # a list of tables, each holding the fields of ``form``


@dataclass(frozen=True)
class Field:
    """One field of a form. Optional fields left out become "", None, False or []."""

    name: str
    kind: Kind = Kind.TEXT
    help: str = ""
    required: bool = True
    max_length: int = 300
    choices: Mapping[str, str] = field(default_factory=dict)  # value -> what it means
    form: Form | None = None


@dataclass(frozen=True)
class Form:
    fields: tuple[Field, ...]

    def validate(self, data: Any, path: str = "") -> tuple[dict[str, Any], list[Problem]]:
        """The cleaned values and every problem found (an empty list when all is well)."""
        problems: list[Problem] = []
        if not isinstance(data, Mapping):
            return {}, [Problem(path, "must be a table of fields")]
        known = {f.name for f in self.fields}
        for key in data:
            if key not in known:
                problems.append(Problem(_join(path, str(key)),
                                        f"unknown field; expected one of {', '.join(sorted(known))}"))
        cleaned = {f.name: _clean(f, data.get(f.name), _join(path, f.name), problems)
                   for f in self.fields}
        return cleaned, problems

    def paths(self, prefix: str = "") -> Iterator[tuple[str, Field]]:
        """Every field's path (lists shown as ``name[]``), for documentation."""
        for f in self.fields:
            here = _join(prefix, f.name)
            yield here, f
            if f.form is not None:
                yield from f.form.paths(here + "[]" if f.kind is Kind.TABLES else here)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _empty(f: Field) -> Any:
    return {Kind.TEXT: "", Kind.DATE: None, Kind.BOOL: False, Kind.TEXTS: [],
            Kind.CHOICE: None, Kind.SECTION: {}, Kind.TABLES: []}[f.kind]


def _clean(f: Field, value: Any, path: str, problems: list[Problem]) -> Any:
    if value is None or (isinstance(value, str) and not value.strip() and f.kind is not Kind.BOOL):
        if f.required:
            problems.append(Problem(path, f"is required{': ' + f.help if f.help else ''}"))
        if f.kind is Kind.SECTION and f.form is not None:
            return f.form.validate({}, path)[0]
        return _empty(f)
    if f.kind is Kind.TEXT:
        if not isinstance(value, str):
            problems.append(Problem(path, "must be text"))
            return ""
        if len(value.strip()) > f.max_length:
            problems.append(Problem(path, f"is longer than {f.max_length} characters"))
        return value.strip()
    if f.kind is Kind.DATE:
        return _date(value, path, problems)
    if f.kind is Kind.BOOL:
        if not isinstance(value, bool):
            problems.append(Problem(path, "must be true or false"))
            return False
        return value
    if f.kind is Kind.TEXTS:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Problem(path, "must be a list of non-empty strings"))
            return []
        if f.required and not value:
            problems.append(Problem(path, "needs at least one entry"))
        return [v.strip() for v in value]
    if f.kind is Kind.CHOICE:
        if value not in f.choices:
            problems.append(Problem(path, f"'{value}' is not one of: {', '.join(f.choices)}"))
            return None
        return value
    assert f.form is not None, f"{f.name}: a {f.kind} field declares its form"
    if f.kind is Kind.SECTION:
        cleaned, inner = f.form.validate(value, path)
        problems.extend(inner)
        return cleaned
    if not isinstance(value, list) or not value:
        problems.append(Problem(path, "must be a non-empty list of tables"))
        return []
    items = []
    for i, item in enumerate(value):
        cleaned, inner = f.form.validate(item, f"{path}[{i}]")
        problems.extend(inner)
        items.append(cleaned)
    return items


def _date(value: Any, path: str, problems: list[Problem]) -> date | None:
    if isinstance(value, datetime):
        problems.append(Problem(path, "must be a date without a time, e.g. 2026-03-31"))
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(Problem(path, f"'{value}' is not a date; write it as 2026-03-31"))
    return None


def read_form_file(path: Path) -> dict[str, Any]:
    """A TOML (``.toml``) or JSON (``.json``) file as a table; unreadable files are refused with
    a message that says where."""
    what = f"{path}"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidForm(what, [Problem("", f"cannot be read ({exc.__class__.__name__})")]
                          ) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise InvalidForm(what, [Problem("", "must be a .toml or .json file")])
    except tomllib.TOMLDecodeError as exc:
        raise InvalidForm(what, [Problem("", f"is not valid TOML: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise InvalidForm(what, [Problem("", f"is not valid JSON: {exc}")]) from None
    if not isinstance(data, dict):
        raise InvalidForm(what, [Problem("", "must hold a table (a JSON object) of fields")])
    return data




T = TypeVar("T")


def from_form_file(path: Path, use: Callable[[dict[str, Any]], T]) -> T:
    """``use`` the form in the file at ``path``; a refusal of it names the file, then lists
    every problem with the path of its field."""
    form = read_form_file(path)
    try:
        return use(form)
    except InvalidForm as exc:
        raise InvalidForm(f"{path}: {exc.what}", exc.problems) from None
