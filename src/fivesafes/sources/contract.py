"""Source contracts: how to read one operational system's extract (see docs/source-contracts.md).

:func:`load_contracts` reads a TOML file holding one or more ``[[source]]`` tables and returns
frozen :class:`SourceContract` objects. Every problem in a file is reported at once, each naming
the file and the key, and unknown keys are refused, so a typo never silently changes what is
ingested.
"""

from __future__ import annotations

import codecs
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

from fivesafes.errors import ContractError
from fivesafes.sources.sex_codes import SEX_VALUES

IdentifierRole = Literal[
    "forename", "middle_names", "surname", "full_name", "date_of_birth", "sex", "postcode",
    "address", "operational_id", "shared_identifier",
]
IDENTIFIER_ROLES: tuple[str, ...] = IdentifierRole.__args__  # type: ignore[attr-defined]
AttributeType = Literal["string", "integer", "decimal", "date", "boolean"]
ATTRIBUTE_TYPES: tuple[str, ...] = AttributeType.__args__  # type: ignore[attr-defined]


class Sensitivity(StrEnum):
    """How sensitive an attribute is: the one classification a field carries from its contract
    through the catalogue to an application and its risk assessment."""

    QUASI_IDENTIFIER = "quasi_identifier"  # identifying in combination (dates, areas, age)
    SPECIAL_CATEGORY = "special_category"  # UK GDPR Article 9 (ethnicity, health...)
    CRIMINAL_OFFENCE = "criminal_offence"  # UK GDPR Article 10
    OTHER = "other"

    @property
    def in_words(self) -> str:
        """The class as people say it: ``special category``."""
        return self.value.replace("_", " ")


SENSITIVITIES: tuple[str, ...] = tuple(s.value for s in Sensitivity)
NAME_ORDERS = ("surname_first", "forename_first")
FORMATS = ("csv", "parquet")
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RESERVED_COLUMNS = ("record_key", "record_id", "person_id")
C = TypeVar("C", "IdentifierColumn", "AttributeColumn")
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: The name of a shared identifier (``ni_number``, ``pnc_id``): sources whose columns carry the
#: same name hold the same identifier, compared as linkage evidence (the name becomes part of a
#: feature column's name, so linkage holds specs to the same pattern).
SHARED_IDENTIFIER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_SOURCE_KEYS = {"name", "title", "owner", "description", "jurisdictions", "systems", "record_id",
                "file", "identifier", "attribute"}
_FILE_KEYS = {"path", "format", "delimiter", "encoding"}
_IDENTIFIER_KEYS = {"column", "role", "order", "format", "codes", "required", "description",
                    "name"}
_ATTRIBUTE_KEYS = {"column", "type", "format", "values", "sensitivity", "description", "required"}


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    format: Literal["csv", "parquet"]
    delimiter: str = ","
    encoding: str = "utf-8"


@dataclass(frozen=True)
class IdentifierColumn:
    column: str
    role: IdentifierRole
    order: str | None = None  # full_name only
    format: str | None = None  # date_of_birth only
    codes: dict[str, str] = field(default_factory=dict)  # sex only: source code -> SEX_VALUES
    required: bool = False
    description: str = ""
    name: str | None = None  # shared_identifier only: which identifier, e.g. ni_number


@dataclass(frozen=True)
class AttributeColumn:
    column: str
    type: AttributeType
    sensitivity: Sensitivity
    format: str | None = None  # date only
    values: tuple[str, ...] | None = None  # string only: the allowed values
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class SourceContract:
    """What one source extract holds and how to read it."""

    name: str
    owner: str
    record_id: str
    file: SourceFile
    identifiers: tuple[IdentifierColumn, ...]
    attributes: tuple[AttributeColumn, ...] = ()
    title: str = ""
    description: str = ""
    jurisdictions: tuple[str, ...] = ()  # e.g. England, Wales: what an application may cover
    systems: tuple[str, ...] = ()  # the operational systems the extract comes from, e.g. Libra
    contract_path: Path | None = None

    @property
    def columns(self) -> list[str]:
        """Every column the contract names, record id first."""
        named = [self.record_id]
        named += [c.column for c in self.identifiers if c.column != self.record_id]
        named += [c.column for c in self.attributes]
        return named

    def identifier(self, role: str) -> list[IdentifierColumn]:
        return [c for c in self.identifiers if c.role == role]

    def as_json(self) -> dict[str, Any]:
        """The contract as ingest records it (canonical JSON of this dict); read back with
        :func:`contract_from_json`."""
        data = asdict(self)
        data["file"]["path"] = str(self.file.path)
        data["contract_path"] = str(self.contract_path) if self.contract_path else None
        return data


def attribute_from_dict(data: Mapping[str, Any]) -> AttributeColumn:
    """An attribute as :meth:`SourceContract.as_json` wrote it; ValueError if its type or
    sensitivity is not one a contract allows."""
    if data["type"] not in ATTRIBUTE_TYPES:
        raise ValueError(f"attribute type {data['type']!r} is not one of "
                         f"{', '.join(ATTRIBUTE_TYPES)}")
    values = data.get("values")
    return AttributeColumn(
        column=str(data["column"]), type=data["type"], sensitivity=Sensitivity(data["sensitivity"]),
        format=data.get("format"), values=tuple(values) if values is not None else None,
        required=bool(data.get("required")), description=data.get("description") or "")


def _identifier_from_dict(data: Mapping[str, Any]) -> IdentifierColumn:
    return IdentifierColumn(
        column=str(data["column"]), role=data["role"], order=data.get("order"),
        format=data.get("format"), codes=dict(data.get("codes") or {}),
        required=bool(data.get("required")), description=data.get("description") or "",
        name=data.get("name"))


def contract_from_dict(data: Mapping[str, Any]) -> SourceContract:
    """The contract :meth:`SourceContract.as_json` wrote (keys added since may be missing)."""
    file = data["file"]
    path = data.get("contract_path")
    return SourceContract(
        name=data["name"], owner=data["owner"], record_id=data["record_id"],
        file=SourceFile(Path(file["path"]), file["format"], file.get("delimiter", ","),
                        file.get("encoding", "utf-8")),
        identifiers=tuple(_identifier_from_dict(i) for i in data.get("identifiers") or ()),
        attributes=tuple(attribute_from_dict(a) for a in data.get("attributes") or ()),
        title=data.get("title") or "", description=data.get("description") or "",
        jurisdictions=tuple(data.get("jurisdictions") or ()),
        systems=tuple(data.get("systems") or ()),
        contract_path=Path(path) if path else None)


def contract_from_json(text: str) -> SourceContract:
    """The contract an ingest recorded as JSON text (``IngestedSource.contract``)."""
    return contract_from_dict(json.loads(text))


CONTRACT_HELP = "see docs/source-contracts.md"


def contract_error(problems: list[str]) -> ContractError:
    """One error listing every problem (each ``FILE: where: what``), one per line."""
    if len(problems) == 1:
        return ContractError(f"{problems[0]} ({CONTRACT_HELP})", problems)
    lines = "\n".join(f"  - {p}" for p in problems)
    return ContractError(f"{len(problems)} problems in the contracts ({CONTRACT_HELP}):\n{lines}",
                         problems)


class _Problems:
    """Collects every problem in one contract file, to report them all at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.path}: {where}: {message}")

    def unknown_keys(self, where: str, table: dict[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.add(where, f"unknown key(s) {', '.join(repr(k) for k in unknown)} "
                            f"(allowed: {', '.join(sorted(allowed))})")

    def raise_if_any(self) -> None:
        if self.items:
            raise contract_error(self.items)


def _text(p: _Problems, where: str, table: dict[str, Any], key: str, required: bool = False,
          default: str = "") -> str:
    value = table.get(key, default)
    if key not in table and required:
        p.add(where, f"'{key}' is required")
        return default
    if not isinstance(value, str):
        p.add(where, f"'{key}' must be text, not {type(value).__name__}")
        return default
    return value


_EXAMPLES = {"jurisdictions": '["England", "Wales"]', "systems": '["Libra", "Common Platform"]'}


def _texts(p: _Problems, where: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
    """An optional list of distinct, non-empty texts."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        p.add(where, f"'{key}' must be a list of names, e.g. {key} = {_EXAMPLES[key]}")
        return ()
    names = [v.strip() for v in value]
    if len(set(names)) != len(names):
        p.add(where, f"'{key}' names {sorted(v for v in set(names) if names.count(v) > 1)} "
                     "more than once")
        return ()
    return tuple(names)


def _flag(p: _Problems, where: str, table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        p.add(where, f"'{key}' must be true or false")
        return False
    return value


def _check_date_format(p: _Problems, where: str, fmt: str) -> None:
    probe = datetime(1987, 11, 23)
    try:
        ok = datetime.strptime(probe.strftime(fmt), fmt).date() == probe.date()
    except ValueError:
        ok = False
    if "%" not in fmt or not ok:
        p.add(where, f"date format {fmt!r} cannot read back a full date (use strptime codes "
                     "such as %d/%m/%Y or %Y-%m-%d)")


def _parse_file(p: _Problems, where: str, raw: Any, base: Path) -> SourceFile | None:
    if not isinstance(raw, dict):
        p.add(where, "a [source.file] table with 'path' and 'format' is required")
        return None
    p.unknown_keys(where, raw, _FILE_KEYS)
    path = _text(p, where, raw, "path", required=True)
    fmt = _text(p, where, raw, "format", required=True)
    delimiter = _text(p, where, raw, "delimiter", default=",")
    encoding = _text(p, where, raw, "encoding", default="utf-8")
    if fmt and fmt not in FORMATS:
        p.add(where, f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if len(delimiter) != 1:
        p.add(where, f"delimiter must be one character, not {delimiter!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        p.add(where, f"encoding {encoding!r} is not a known text encoding (e.g. utf-8, latin-1)")
    if not path or fmt not in FORMATS:
        return None
    return SourceFile((base / path).absolute(), fmt, delimiter, encoding)  # type: ignore[arg-type]


def _parse_identifier(p: _Problems, where: str, raw: dict[str, Any]) -> IdentifierColumn | None:
    p.unknown_keys(where, raw, _IDENTIFIER_KEYS)
    column = _text(p, where, raw, "column", required=True)
    role = _text(p, where, raw, "role", required=True)
    required = _flag(p, where, raw, "required")
    description = _text(p, where, raw, "description")
    if role and role not in IDENTIFIER_ROLES:
        p.add(where, f"role {role!r} is not one of {', '.join(IDENTIFIER_ROLES)}")
        return None
    order = raw.get("order")
    fmt = raw.get("format")
    codes = raw.get("codes", {})
    name = raw.get("name")
    for key, applies in (("order", "full_name"), ("format", "date_of_birth"), ("codes", "sex"),
                         ("name", "shared_identifier")):
        if key in raw and role != applies:
            p.add(where, f"'{key}' only applies to role '{applies}'")
    if role == "full_name":
        if order not in NAME_ORDERS:
            p.add(where, f"a full_name needs order = {' or '.join(map(repr, NAME_ORDERS))}")
    if role == "date_of_birth":
        fmt = fmt if fmt is not None else DEFAULT_DATE_FORMAT
        if not isinstance(fmt, str):
            p.add(where, "'format' must be text")
        elif "%y" in fmt:
            p.add(where, f"date format {fmt!r} has a two-digit year (%y); a year of birth "
                         "cannot be given its century without guessing: ask for %Y")
        else:
            _check_date_format(p, where, fmt)
    if role == "sex":
        if not isinstance(codes, dict) or not codes:
            p.add(where, "a sex column needs codes = { CODE = \"male\"|\"female\"|\"unknown\" }")
            codes = {}
        for code, meaning in codes.items():
            if meaning not in SEX_VALUES:
                p.add(where, f"code {code!r} maps to {meaning!r}; use male, female or unknown")
    if role == "shared_identifier" and (
            not isinstance(name, str) or not SHARED_IDENTIFIER_NAME.match(name)):
        p.add(where, "a shared_identifier needs name = \"...\" saying which identifier it is, "
                     "in lower-case letters, digits and underscores (e.g. name = \"ni_number\" "
                     "or \"pnc_id\"); sources are compared on columns of the same name")
        return None
    if not column or not role:
        return None
    return IdentifierColumn(
        column=column, role=role,  # type: ignore[arg-type]
        order=order if role == "full_name" else None,
        format=fmt if role == "date_of_birth" else None,
        codes={str(k): str(v) for k, v in codes.items()} if role == "sex" else {},
        required=required, description=description,
        name=name if role == "shared_identifier" else None,
    )


def _parse_attribute(p: _Problems, where: str, raw: dict[str, Any]) -> AttributeColumn | None:
    p.unknown_keys(where, raw, _ATTRIBUTE_KEYS)
    column = _text(p, where, raw, "column", required=True)
    typ = _text(p, where, raw, "type", required=True)
    sensitivity = _text(p, where, raw, "sensitivity", required=True)
    if typ and typ not in ATTRIBUTE_TYPES:
        p.add(where, f"type {typ!r} is not one of {', '.join(ATTRIBUTE_TYPES)}")
    if sensitivity and sensitivity not in SENSITIVITIES:
        p.add(where, f"sensitivity {sensitivity!r} is not one of {', '.join(SENSITIVITIES)}")
    fmt = raw.get("format")
    if "format" in raw and typ != "date":
        p.add(where, "'format' only applies to type 'date'")
    if typ == "date":
        fmt = fmt if fmt is not None else DEFAULT_DATE_FORMAT
        if isinstance(fmt, str):
            _check_date_format(p, where, fmt)
        else:
            p.add(where, "'format' must be text")
    values = raw.get("values")
    if values is not None:
        if typ != "string":
            p.add(where, "'values' only applies to type 'string'")
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            p.add(where, "'values' must be a list of text values")
            values = None
    required = _flag(p, where, raw, "required")
    description = _text(p, where, raw, "description")
    if not column or typ not in ATTRIBUTE_TYPES or sensitivity not in SENSITIVITIES:
        return None
    return AttributeColumn(
        column=column, type=typ, sensitivity=Sensitivity(sensitivity),  # type: ignore[arg-type]
        format=fmt if typ == "date" else None,
        values=tuple(values) if values is not None and typ == "string" else None,
        required=required, description=description,
    )


def _parse_columns(p: _Problems, where: str, kind: str, items: list[Any],
                   parse: Callable[[_Problems, str, dict[str, Any]], C | None]) -> list[C]:
    """Parse each ``[[source.<kind>]]`` table, naming it by its column in problems."""
    parsed: list[C] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            p.add(f"{where} {kind} #{i + 1}", "must be a table")
            continue
        column = parse(p, f"{where} {kind} '{item.get('column', f'#{i + 1}')}'", item)
        if column:
            parsed.append(column)
    return parsed


def _parse_source(p: _Problems, index: int, raw: Any, base: Path, path: Path
                  ) -> SourceContract | None:
    where = f"[[source]] #{index + 1}"
    if not isinstance(raw, dict):
        p.add(where, "must be a table")
        return None
    name = raw.get("name")
    if isinstance(name, str) and name:
        where = f"source '{name}'"
    p.unknown_keys(where, raw, _SOURCE_KEYS)
    name = _text(p, where, raw, "name", required=True)
    if name and not SOURCE_NAME.match(name):
        p.add(where, "name must be lower-case letters, digits and underscores, starting with a "
                     "letter (at most 60)")
    owner = _text(p, where, raw, "owner", required=True)
    record_id = _text(p, where, raw, "record_id", required=True)
    file = _parse_file(p, f"{where} [source.file]", raw.get("file"), base)

    raw_ids = raw.get("identifier", [])
    if not isinstance(raw_ids, list) or not raw_ids:
        p.add(where, "at least one [[source.identifier]] column is required")
        raw_ids = []
    identifiers = _parse_columns(p, where, "identifier", raw_ids, _parse_identifier)
    raw_attrs = raw.get("attribute", [])
    if not isinstance(raw_attrs, list):
        p.add(where, "[[source.attribute]] must be an array of tables")
        raw_attrs = []
    attributes = _parse_columns(p, where, "attribute", raw_attrs, _parse_attribute)

    seen: dict[str, str] = {}
    for kind, cols in (("identifier", identifiers), ("attribute", attributes)):
        for c in cols:
            if c.column in seen:
                p.add(where, f"column {c.column!r} is declared twice ({seen[c.column]} and {kind})")
            seen[c.column] = kind
    for col in seen:
        if col in RESERVED_COLUMNS and not (col == "record_id" and col == record_id):
            p.add(where, f"column name {col!r} is reserved by fivesafes; rename the column in "
                         "the extract")
    shared = [c.name for c in identifiers if c.role == "shared_identifier"]
    for twice in sorted({n for n in shared if shared.count(n) > 1}):  # type: ignore[type-var]
        p.add(where, f"shared identifier {twice!r} is declared on more than one column; "
                     "declare the column that holds it once")
    if record_id and record_id in {a.column for a in attributes}:
        p.add(where, f"the record id column {record_id!r} cannot also be an attribute")
    title, description = _text(p, where, raw, "title"), _text(p, where, raw, "description")
    jurisdictions, systems = _texts(p, where, raw, "jurisdictions"), _texts(p, where, raw, "systems")
    if not (name and owner and record_id and file and identifiers):
        return None
    return SourceContract(
        name=name, owner=owner, record_id=record_id, file=file,
        identifiers=tuple(identifiers), attributes=tuple(attributes), title=title,
        description=description, jurisdictions=jurisdictions, systems=systems,
        contract_path=path,
    )


def load_contracts(path: Path) -> list[SourceContract]:
    """Every source contract in the TOML file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(f"{path}: contract file not found; check the path") from None
    except UnicodeDecodeError:
        raise ContractError(f"{path}: a contract must be UTF-8 TOML text") from None
    except IsADirectoryError:
        raise ContractError(f"{path}: is a folder; name the contract .toml file(s)") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContractError(f"{path}: not valid TOML: {exc}") from None
    problems = _Problems(path)
    problems.unknown_keys("top level", raw, {"source"})
    sources = raw.get("source")
    if not isinstance(sources, list) or not sources:
        problems.add("top level", "no [[source]] table; a contract declares at least one source")
        sources = []
    contracts = [
        c for i, s in enumerate(sources)
        if (c := _parse_source(problems, i, s, path.parent.absolute(), path.absolute()))
    ]
    names = [c.name for c in contracts]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.add(f"source '{dup}'", "declared more than once")
    problems.raise_if_any()
    return contracts


def load_all(paths: list[Path]) -> list[SourceContract]:
    """Contracts from several files; a source name may appear only once across them. Refuses
    with the problems of every file at once."""
    contracts: list[SourceContract] = []
    refused: list[ContractError] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            loaded = load_contracts(path)
        except ContractError as exc:
            refused.append(exc)
            continue
        for c in loaded:
            if c.name in seen:
                refused.append(ContractError(
                    f"{path}: source '{c.name}' is also declared in {seen[c.name]}; each source "
                    "is declared once"))
                continue
            seen[c.name] = Path(path)
            contracts.append(c)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        raise contract_error([p for exc in refused for p in exc.problems])
    return contracts
