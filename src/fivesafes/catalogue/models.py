"""Tables of the research-ready catalogue: person-id runs, releases, datasets, their versions and
fields, and the reference lookups that give coarser levels of a field.

Nothing here maps back to an identifier. Person key maps, lineage, the person-id registry and the
operational-id mappings are files in the linkage zone (see ``docs/data-owners.md``); these rows
only say where they are and what they counted. Times are ISO 8601 UTC strings, as in the audit
log; coverage dates are ``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fivesafes.store.base import Base

CURRENT = "current"
SUPERSEDED = "superseded"
REMOVED = "removed"


class PersonIdRun(Base):
    """Person ids given to the clusters of one link run. Its files (person key map, lineage,
    ids first issued) are in ``linkage/persons/<link label>/``."""

    __tablename__ = "person_id_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_label: Mapped[str] = mapped_column(String(40), unique=True)
    previous_link: Mapped[str | None] = mapped_column(String(40), nullable=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    records: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)  # kept, new, split, merged, retired
    folder: Mapped[str] = mapped_column(String(500))  # relative to the home


class Release(Base):
    """One run of ``fivesafes publish``: a new version of every research-ready dataset."""

    __tablename__ = "research_release"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "release-0002"
    link_label: Mapped[str] = mapped_column(String(40), index=True)
    person_run_id: Mapped[int] = mapped_column(ForeignKey("person_id_run.id"))
    published_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[list[DatasetVersion]] = relationship(back_populates="release")


class Dataset(Base):
    """A research-ready dataset: one per source, plus the person-level index."""

    __tablename__ = "research_dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # source | person_index
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)  # England, Wales, ...
    systems: Mapped[list[str]] = mapped_column(JSON, default=list)  # source systems: Libra, ...
    created_at: Mapped[str] = mapped_column(String(32))
    versions: Mapped[list[DatasetVersion]] = relationship(
        back_populates="dataset", order_by="DatasetVersion.version"
    )


class DatasetVersion(Base):
    """One version of a dataset: ``research/<dataset>/v<version>/<dataset>.parquet``."""

    __tablename__ = "research_dataset_version"
    __table_args__ = (UniqueConstraint("dataset_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("research_dataset.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("research_release.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # current | superseded | removed
    folder: Mapped[str] = mapped_column(String(500))  # relative to the home
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    date_field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    date_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_to: Mapped[str | None] = mapped_column(String(10), nullable=True)
    ingests: Mapped[list[str]] = mapped_column(JSON)
    published_at: Mapped[str] = mapped_column(String(32))
    superseded_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    removed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    dataset: Mapped[Dataset] = relationship(back_populates="versions")
    release: Mapped[Release] = relationship(back_populates="versions")
    fields: Mapped[list[DatasetField]] = relationship(
        back_populates="version", order_by="DatasetField.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"v{self.version}"


class DatasetField(Base):
    """One column of a dataset version. A derived (coarser) column names the field it comes
    from and its level: 0 is the field itself, 1 the next coarser level, and so on."""

    __tablename__ = "research_field"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("research_dataset_version.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    sensitivity: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20))  # person_id | replaced_id | attribute | ...
    derived_from: Mapped[str | None] = mapped_column(String(200), nullable=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[DatasetVersion] = relationship(back_populates="fields")


class ReferenceLookup(Base):
    """A reference table registered in the deployment (e.g. offence code -> offence group ->
    offence category) and the attributes it applies to."""

    __tablename__ = "reference_lookup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    key_column: Mapped[str] = mapped_column(String(100))
    levels: Mapped[list[str]] = mapped_column(JSON)  # coarser levels, finest first
    applies_to: Mapped[list[str]] = mapped_column(JSON)  # "source.column"
    rows: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
