"""Reading the catalogue: every dataset, its versions (which one is current) and their fields,
as plain objects and as JSON; and the view governance checks applications against.

The catalogue describes data; it holds no data and nothing that maps back to a person, so
anyone may read it (a researcher reads the data dictionary before applying).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fivesafes.catalogue.errors import CatalogueError
from fivesafes.catalogue.granularity import coarser_of
from fivesafes.catalogue.models import CURRENT, REMOVED, Dataset, DatasetVersion
from fivesafes.catalogue.refs import DatasetRef, FieldRef, Sensitivity
from fivesafes.home import Deployment


@dataclass(frozen=True)
class FieldEntry:
    name: str
    type: str
    sensitivity: Sensitivity
    description: str
    origin: str
    derived_from: str | None
    level: int
    coarser: tuple[str, ...]  # coarser alternatives of this field, finest first
    stats: dict[str, Any]


@dataclass(frozen=True)
class VersionEntry:
    dataset: str
    version: int
    status: str  # current | superseded | removed
    release: str
    link: str
    published_at: str
    superseded_at: str | None
    removed_at: str | None
    rows: int
    persons: int
    date_field: str | None
    date_from: str | None
    date_to: str | None
    folder: str
    file_name: str
    file_sha256: str
    bytes: int
    ingests: tuple[str, ...]
    fields: tuple[FieldEntry, ...]

    @property
    def label(self) -> str:
        return f"v{self.version}"


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    kind: str
    title: str
    description: str
    owner: str
    versions: tuple[VersionEntry, ...]  # oldest first
    jurisdictions: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()

    @property
    def current(self) -> VersionEntry | None:
        return next((v for v in self.versions if v.status == CURRENT), None)


def _fields(version: DatasetVersion) -> tuple[FieldEntry, ...]:
    coarser = coarser_of(version.fields)
    return tuple(FieldEntry(f.name, f.type, Sensitivity(f.sensitivity), f.description, f.origin,
                            f.derived_from, f.level, coarser[f.name], dict(f.stats))
                 for f in version.fields)


def _version(v: DatasetVersion) -> VersionEntry:
    return VersionEntry(
        dataset=v.dataset.name, version=v.version, status=v.status, release=v.release.label,
        link=v.release.link_label, published_at=v.published_at, superseded_at=v.superseded_at,
        removed_at=v.removed_at, rows=v.rows, persons=v.persons, date_field=v.date_field,
        date_from=v.date_from, date_to=v.date_to, folder=v.folder, file_name=v.file_name,
        file_sha256=v.file_sha256, bytes=v.bytes, ingests=tuple(v.ingests),
        fields=_fields(v))


def read_catalogue(deployment: Deployment, *, include_removed: bool = True
                   ) -> list[DatasetEntry]:
    """Every dataset with its versions, by name (the person-level index last)."""
    with deployment.store.reading() as session:
        datasets = session.execute(
            select(Dataset).options(
                selectinload(Dataset.versions).selectinload(DatasetVersion.fields),
                selectinload(Dataset.versions).selectinload(DatasetVersion.release))
        ).scalars().all()
        entries = [DatasetEntry(
            d.name, d.kind, d.title, d.description, d.owner,
            tuple(_version(v) for v in d.versions if include_removed or v.status != REMOVED),
            tuple(d.jurisdictions or ()), tuple(d.systems or ()))
            for d in datasets]
    return sorted(entries, key=lambda e: (e.kind != "source", e.name))


def find_version(deployment: Deployment, dataset: str, version: int | None = None
                 ) -> VersionEntry:
    """One version of a dataset (the current one by default)."""
    for entry in read_catalogue(deployment):
        if entry.name != dataset:
            continue
        chosen = entry.current if version is None else next(
            (v for v in entry.versions if v.version == version), None)
        if chosen is None:
            listed = ", ".join(f"{v.label} ({v.status})" for v in entry.versions)
            raise CatalogueError(f"dataset '{dataset}' has no version "
                                 f"{'current' if version is None else f'v{version}'} "
                                 f"(versions: {listed})")
        return chosen
    raise CatalogueError(f"no dataset '{dataset}' in the catalogue; 'fivesafes catalogue' "
                         "lists them")


def as_json(entries: list[DatasetEntry]) -> dict[str, Any]:
    out = []
    for e in entries:
        current = e.current
        out.append({
            "name": e.name, "kind": e.kind, "title": e.title, "description": e.description,
            "owner": e.owner, "jurisdictions": list(e.jurisdictions),
            "systems": list(e.systems), "current_version": current.version if current else None,
            "versions": [{**{k: v for k, v in asdict(version).items() if k != "fields"},
                          "label": version.label, "current": version.status == CURRENT,
                          "fields": [asdict(f) for f in version.fields]}
                         for version in e.versions],
        })
    return {"datasets": out}


class StoreCatalogue:
    """The catalogue governance checks applications against unless another is passed in (see
    ``fivesafes.governance.catalogue.catalogue_for``): each version that is not removed, by its
    label ``vN``; each field with its levels, most detailed first."""

    def __init__(self, deployment: Deployment) -> None:
        self._entries = {e.name: e for e in read_catalogue(deployment, include_removed=False)}

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def versions(self, name: str) -> tuple[str, ...]:
        entry = self._entries.get(name)
        return tuple(v.label for v in entry.versions) if entry else ()

    def dataset(self, name: str, version: str) -> DatasetRef | None:
        entry = self._entries.get(name)
        found = next((v for v in entry.versions if v.label == version), None) if entry else None
        if found is None:
            return None
        fields = {f.name: FieldRef(f.name, f.sensitivity, (f.name, *f.coarser))
                  for f in found.fields if f.derived_from is None}
        return DatasetRef(name=name, version=version, owner=entry.owner,
                          fields=MappingProxyType(fields), title=entry.title,
                          jurisdictions=entry.jurisdictions,
                          sources=entry.systems or ((name,) if entry.kind == "source" else ()))
