"""Tables of the metadata store that belong to the foundation: the audit log and ingest records."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fivesafes.store.base import Base


class AuditEntry(Base):
    """One entry of the hash-chained audit log. Never updated or deleted by the application."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), index=True)  # ISO 8601, UTC, microseconds
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest entry's sequence and hash, sealed with a key derived from the master key, so
    deleting entries from the end (or rewriting the whole chain) is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(64))


class IngestRun(Base):
    """One run of ``fivesafes ingest``: all its sources are ingested together or not at all."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "ingest-0003"
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    data_key: Mapped[str] = mapped_column(String(80))  # name of the wrapped key, never the key
    identifiers: Mapped[str] = mapped_column(String(20), default="held")  # held | destroyed
    sources: Mapped[list[IngestedSource]] = relationship(
        back_populates="run", order_by="IngestedSource.source", cascade="all, delete-orphan"
    )


class IngestedSource(Base):
    """What one source contributed to an ingest run, and where its stores are."""

    __tablename__ = "ingested_source"
    __table_args__ = (UniqueConstraint("ingest_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ingest_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id"), index=True)
    source: Mapped[str] = mapped_column(String(60))
    owner: Mapped[str] = mapped_column(String(100))
    contract: Mapped[str] = mapped_column(Text)  # the contract as canonical JSON
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    attributes_path: Mapped[str] = mapped_column(String(500))  # relative to the home
    identifiers_path: Mapped[str] = mapped_column(String(500))
    quarantine_path: Mapped[str] = mapped_column(String(500))
    #: the partner department that sent this source as encoded identifiers (``None``: a source
    #: of this home, ingested from its extract); see :mod:`fivesafes.partner`
    partner: Mapped[str | None] = mapped_column(String(60), nullable=True, default=None)
    run: Mapped[IngestRun] = relationship(back_populates="sources")


class LinkRun(Base):
    """One run of ``fivesafes link`` over the ingests in a home. Its person key map (record key
    -> cluster) stays in the linkage zone: cluster ids carry source record ids and never leave it.
    """

    __tablename__ = "link_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "link-0002"
    ingests: Mapped[str] = mapped_column(Text)  # JSON list of the ingest labels linked
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    engine: Mapped[str] = mapped_column(String(20))  # duckdb | spark
    threshold: Mapped[float] = mapped_column()  # match probability used for clustering
    records: Mapped[int] = mapped_column(Integer)
    clusters: Mapped[int] = mapped_column(Integer)
    folder: Mapped[str] = mapped_column(String(500))  # relative to the home: linkage/links/<label>
    summary: Mapped[str] = mapped_column(Text)  # canonical JSON: counts, timings, quality
