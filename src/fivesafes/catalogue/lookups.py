"""Reference lookups: tables that give coarser levels of an attribute, such as offence code ->
offence group -> offence category (``reference/offences.csv`` of the synthetic data).

A deployment registers a lookup once (``fivesafes lookups add``); its rows are kept in the
metadata store, so publishing never depends on a file that may move. A lookup applies to every
attribute named in ``applies_to`` (``source.column``) and to every attribute whose column has the
lookup's key column name (``offence_code``).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue.errors import CatalogueError
from fivesafes.catalogue.models import ReferenceLookup
from fivesafes.home import Deployment

NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
TARGET = re.compile(r"^[a-z][a-z0-9_]{0,59}\.[^.\s]+$")


@dataclass(frozen=True)
class Lookup:
    name: str
    key_column: str
    levels: tuple[str, ...]  # coarser levels, finest first
    applies_to: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def applies(self, source: str, column: str) -> bool:
        return f"{source}.{column}" in self.applies_to or column == self.key_column


def _read_rows(path: Path, key: str, levels: list[str]) -> tuple[list[dict[str, str]], str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found; give the path of the lookup CSV") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: not UTF-8 text; save the lookup as UTF-8 CSV") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in [key, *levels] if c not in header]
    if missing:
        raise CatalogueError(f"{path}: column(s) {', '.join(missing)} not in the header "
                             f"({', '.join(header)}); name columns of the file")
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get(key) or "").strip()
        if not code:
            raise CatalogueError(f"{path}: line {line}, column {key}: empty key; every row "
                                 "needs one")
        if code in seen:
            raise CatalogueError(f"{path}: line {line}, column {key}: '{code}' also on line "
                                 f"{seen[code]}; keys must be unique")
        seen[code] = line
        rows.append({c: (row.get(c) or "").strip() for c in [key, *levels]})
    if not rows:
        raise CatalogueError(f"{path}: no rows; a lookup needs at least one")
    return rows, hashlib.sha256(raw).hexdigest()


def register_lookup(deployment: Deployment, name: str, path: Path, *, key: str,
                    levels: list[str], applies_to: list[str] | None = None, by: str) -> Lookup:
    """Register (or replace) the lookup ``name`` from the CSV at ``path``: ``key`` is the
    column holding the attribute's values, ``levels`` the coarser columns, finest first.
    ``by`` is a linkage officer or an administrator."""
    doing = "register reference lookups"
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR), doing)
    if not NAME.match(name):
        raise CatalogueError(f"lookup name '{name}': use lower-case letters, digits and "
                             "underscores, starting with a letter")
    levels = [lv.strip() for lv in levels if lv.strip()]
    if not levels or key in levels or len(set(levels)) != len(levels):
        raise CatalogueError(f"lookup '{name}': give one or more distinct coarser levels "
                             "(--levels a,b), other than the key column")
    targets = list(dict.fromkeys(applies_to or []))
    bad = [t for t in targets if not TARGET.match(t)]
    if bad:
        raise CatalogueError(f"lookup '{name}': '{bad[0]}' is not source.column, e.g. "
                             "prison.MAIN_OFFENCE")
    rows, digest = _read_rows(Path(path), key, levels)
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR), doing)
        row = session.execute(
            select(ReferenceLookup).where(ReferenceLookup.name == name)
        ).scalar_one_or_none()
        replaced = row is not None
        if row is None:
            row = ReferenceLookup(name=name)
            session.add(row)
        row.key_column, row.levels, row.applies_to, row.rows = key, levels, targets, rows
        row.file_name, row.file_sha256 = str(path), digest
        row.registered_at, row.actor = audit.utc_iso(deployment.clock()), by
        audit.record(session, by=by, action="lookup.registered", subject=f"lookup:{name}",
                     at=deployment.clock(),
                     details={"file": str(path), "sha256": digest, "rows": len(rows),
                              "key": key, "levels": levels, "applies_to": targets,
                              "replaced": replaced})
    return Lookup(name, key, tuple(levels), tuple(targets), tuple(rows))


def all_lookups(deployment: Deployment) -> list[Lookup]:
    with deployment.store.reading() as session:
        rows = session.execute(select(ReferenceLookup).order_by(ReferenceLookup.name)).scalars()
        return [Lookup(r.name, r.key_column, tuple(r.levels), tuple(r.applies_to),
                       tuple(r.rows)) for r in rows]
