"""The table of project extracts: one row per build of an application's minimised extract.

A build is ``current`` (the one the project reads), ``superseded`` (a later build replaced it;
its files are removed and its data key shredded right after) or ``destroyed`` (removed when the
access window closed, by retention). The manifest is kept whole, with its SHA-256, so the audit
entry of the build and the files on disk can be checked against each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fivesafes.store.base import Base

CURRENT = "current"
SUPERSEDED = "superseded"
DESTROYED = "destroyed"


class ProjectExtract(Base):
    """One build of the extract of an application: ``extracts/<project>/<application>/b<N>/``."""

    __tablename__ = "project_extract"
    __table_args__ = (UniqueConstraint("application_id", "build"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    build: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # current | superseded | ...
    folder: Mapped[str] = mapped_column(String(500))  # relative to the home
    data_key: Mapped[str] = mapped_column(String(100))  # name of the wrapped file key
    pseudonym_key: Mapped[str] = mapped_column(String(100))  # the project's re-keying key
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[str] = mapped_column(String(32))
    built_by: Mapped[str] = mapped_column(String(200))
    superseded_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    destroyed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ExportRecipient(Base):
    """An accredited processor extracts may be exported to (e.g. the ONS Secure Research
    Service): its age X25519 public key, and the data sharing agreement that names it."""

    __tablename__ = "export_recipient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    organisation: Mapped[str] = mapped_column(String(300))
    public_key: Mapped[str] = mapped_column(String(200))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | retired
    status_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))


def remove_empty_parents(build_folder: Path) -> None:
    """Remove a build folder's application and project folders if nothing is left in them."""
    for parent in (build_folder.parent, build_folder.parent.parent):
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
