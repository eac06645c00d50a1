"""What an application's extract holds, worked out from the approved application and the
research-ready versions it names, before any data is read.

For each approved dataset version:

* **columns**: ``person_id`` (always: it links the project's datasets, and it is re-keyed), then
  each approved field at its approved level and every coarser level of that field (coarser
  levels say less, so they come free). The levels are the columns that publishing computed with
  the rules of :mod:`fivesafes.catalogue.granularity`; a level finer than the approved one is
  never read. ``person_id`` and ``replaced_...`` columns are marked for re-keying;
* **rows**: those whose event date (the version's ``date_field``) falls inside the approved
  coverage dates (rows with no event date are left out). Jurisdictions and source systems are
  declared per dataset: a dataset none of whose jurisdictions or systems is approved contributes
  no rows; a dataset with a ``jurisdiction`` or ``source_system`` column is filtered row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes.catalogue.granularity import field_levels
from fivesafes.catalogue.models import REMOVED, Dataset, DatasetField, DatasetVersion
from fivesafes.catalogue.refs import ROW_JURISDICTION, ROW_SYSTEM, Sensitivity
from fivesafes.errors import FivesafesError
from fivesafes.governance.models import Application, RequestedDataset

PERSON_ID = "person_id"
REKEYED_ORIGINS = {"person_id": "person", "replaced_id": "replaced"}


class ExtractError(FivesafesError):
    """An extract cannot be built as approved (a version was removed, a field is gone)."""


@dataclass(frozen=True)
class PlannedColumn:
    name: str
    type: str
    sensitivity: Sensitivity
    description: str
    field: str  # the approved field it comes from
    level: int  # 0 the field itself, 1 its next coarser level...
    approved_level: str  # the level the application approved for that field
    rekey: str | None  # person | replaced | None

    @property
    def derived_from(self) -> str | None:
        """The field a coarser level is derived from (None for a field itself)."""
        return self.field if self.level else None


@dataclass(frozen=True)
class PlannedDataset:
    name: str
    version: int
    version_id: int
    owner: str
    title: str
    description: str
    file: str  # relative to the home
    file_sha256: str
    date_field: str | None
    columns: tuple[PlannedColumn, ...]
    jurisdictions: tuple[str, ...]  # the dataset's, as declared
    systems: tuple[str, ...]
    row_filters: dict[str, tuple[str, ...]]  # column -> allowed values
    excluded_because: str | None  # set when no row can be in coverage

    @property
    def label(self) -> str:
        return f"v{self.version}"


@dataclass(frozen=True)
class Plan:
    application: str
    project: str
    coverage_from: date
    coverage_to: date
    jurisdictions: tuple[str, ...]
    sources: tuple[str, ...]
    datasets: tuple[PlannedDataset, ...]


def _version(session: Session, wanted: RequestedDataset) -> tuple[Dataset, DatasetVersion]:
    label = wanted.version.strip().lower()
    number = int(label[1:]) if label.startswith("v") and label[1:].isdigit() else None
    found = session.execute(
        select(DatasetVersion).join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .where(Dataset.name == wanted.name, DatasetVersion.version == number)
    ).scalar_one_or_none() if number is not None else None
    if found is None or found.status == REMOVED:
        what = "was removed" if found is not None else "is not in the catalogue"
        raise ExtractError(f"{wanted.application.reference} was approved for {wanted.name} "
                           f"{wanted.version}, which {what}; amend the application to a "
                           "current version")
    return found.dataset, found


def _column(f: DatasetField, field: str, approved: str) -> PlannedColumn:
    return PlannedColumn(f.name, f.type, Sensitivity(f.sensitivity), f.description, field,
                         f.level, approved, REKEYED_ORIGINS.get(f.origin))


def _columns(application: Application, wanted: RequestedDataset, version: DatasetVersion
             ) -> list[PlannedColumn]:
    fields = list(version.fields)
    levels = field_levels(fields)
    columns: list[PlannedColumn] = []
    person = [f for f in fields if f.origin == "person_id"]
    if person:
        columns.append(_column(person[0], person[0].name, person[0].name))
    for requested in wanted.fields:
        family = levels.get(requested.name, [])
        names = [f.name for f in family]
        if requested.level not in names:
            raise ExtractError(
                f"{application.reference}: {wanted.name} {wanted.version} has no level "
                f"'{requested.level}' of field '{requested.name}' (levels: "
                f"{', '.join(names) or 'none'}); amend the application")
        for f in family[names.index(requested.level):]:
            if all(c.name != f.name for c in columns):
                columns.append(_column(f, requested.name, requested.level))
    return columns


def _coverage(dataset: Dataset, version: DatasetVersion, application: Application
              ) -> tuple[dict[str, tuple[str, ...]], str | None]:
    jurisdictions = tuple(dataset.jurisdictions or ())
    systems = tuple(dataset.systems or ()) or (
        (dataset.name,) if dataset.kind == "source" else ())
    approved_j, approved_s = set(application.jurisdictions), set(application.sources)
    excluded = None
    if jurisdictions and not approved_j & set(jurisdictions):
        excluded = (f"none of its jurisdictions ({', '.join(jurisdictions)}) is in the approved "
                    "coverage")
    elif systems and not approved_s & set(systems):
        excluded = (f"none of its source systems ({', '.join(systems)}) is in the approved "
                    "coverage")
    names = {f.name for f in version.fields}
    filters = {}
    if ROW_JURISDICTION in names:
        filters[ROW_JURISDICTION] = tuple(sorted(approved_j))
    if ROW_SYSTEM in names:
        filters[ROW_SYSTEM] = tuple(sorted(approved_s))
    return filters, excluded


def plan_extract(session: Session, application: Application) -> Plan:
    """The plan of ``application``'s extract, from the store as it is in ``session``."""
    planned = []
    for wanted in application.datasets:
        dataset, version = _version(session, wanted)
        filters, excluded = _coverage(dataset, version, application)
        planned.append(PlannedDataset(
            name=dataset.name, version=version.version, version_id=version.id,
            owner=dataset.owner, title=dataset.title, description=dataset.description,
            file=f"{version.folder}/{version.file_name}", file_sha256=version.file_sha256,
            date_field=version.date_field,
            columns=tuple(_columns(application, wanted, version)),
            jurisdictions=tuple(dataset.jurisdictions or ()),
            systems=tuple(dataset.systems or ()), row_filters=filters,
            excluded_because=excluded))
    return Plan(application.reference, application.project.reference, application.coverage_from,
                application.coverage_to, tuple(application.jurisdictions),
                tuple(application.sources), tuple(planned))
