"""Destroying a project's extract when its time is up, with a deletion certificate.

An extract is **due** for destruction when its application's access window has closed, or the
application was closed or withdrawn. :func:`extracts_due` lists what is due (the retention
schedule's dry run shows it); :func:`destroy_as_scheduled` destroys one for the retention
schedule, and :func:`destroy_extract` lets a linkage officer or an administrator destroy one
at once (a revoked project, say).

Destruction takes, in one transaction that also writes the certificate (``extract.destroyed``)
to the audit log: the build's files (moved out of the workspace zone, then removed) and its
data key (overwritten with random bytes, then removed), which alone makes any copy of the
encrypted files unreadable. The certificate lists each file with its path, size and SHA-256 as
it was before it went, and the key's name (never the key). The project's pseudonym key is
kept while the project has other applications, so a later extract keeps the same pseudonyms.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.errors import FivesafesError, NotFound
from fivesafes.extracts.models import CURRENT, DESTROYED, ProjectExtract, remove_empty_parents
from fivesafes.governance.applications import get_application
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application
from fivesafes.home import Busy, Deployment, moved
from fivesafes.sources.identifier_store import file_line, file_records, sha256_of

DOING = "destroy project extracts"
ENDED = (State.CLOSED, State.WITHDRAWN, State.REJECTED)


@dataclass(frozen=True)
class DueExtract:
    """A current extract whose time is up, and why."""

    application: str
    project: str
    build: int
    folder: str
    why: str


@dataclass(frozen=True)
class ExtractDeletionCertificate:
    """What the audit entry ``extract.destroyed`` records."""

    application: str
    at: str
    by: str
    reason: str
    audit_seq: int
    details: dict[str, Any] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        files = self.details["files"]
        return [f"extract of {self.application} (build {self.details['build']}) destroyed at "
                f"{self.at} by {self.by} (certificate: audit entry {self.audit_seq})",
                f"  reason: {self.reason}",
                f"  data key {self.details['key']['name']} shredded; {len(files)} file(s) "
                "removed:",
                *(file_line(f) for f in files)]


def _why_due(application: Application, today) -> str | None:
    if application.state in ENDED:
        return f"the application is {application.state}"
    if today > application.access_end:
        return f"its access window ended on {application.access_end}"
    return None


def extracts_due(deployment: Deployment) -> list[DueExtract]:
    """Every current extract whose access window has closed or whose application ended."""
    today = deployment.clock().date()
    due = []
    with deployment.store.reading() as session:
        for record in session.execute(select(ProjectExtract).where(
                ProjectExtract.status == CURRENT).order_by(ProjectExtract.id)).scalars():
            application = session.get(Application, record.application_id)
            why = _why_due(application, today)
            if why:
                due.append(DueExtract(application.reference, application.project.reference,
                                      record.build, record.folder, why))
    return due


def destroy_extract(deployment: Deployment, *, by: str, reference: str, reason: str
                    ) -> ExtractDeletionCertificate:
    """Destroy the current extract of ``reference`` now, whatever its window (a linkage
    officer or an administrator; say why)."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR), DOING)
    return destroy_as_scheduled(deployment, reference=reference, by=by, reason=reason,
                                check_actor=True)


def destroy_as_scheduled(deployment: Deployment, *, reference: str, by: str, reason: str,
                         check_actor: bool = False) -> ExtractDeletionCertificate:
    """:func:`destroy_extract` for the retention schedule, which acts as the system on what is
    due only (``check_actor`` is false there)."""
    if not reason.strip():
        raise FivesafesError("say why the extract is destroyed (--reason), e.g. 'the project "
                             "was revoked'")
    with Busy(deployment, "extracts"):
        return _destroy_locked(deployment, reference, by=by, reason=reason.strip(),
                               check_actor=check_actor)


def _destroy_locked(deployment: Deployment, reference: str, *, by: str, reason: str,
                    check_actor: bool) -> ExtractDeletionCertificate:
    deployment.clear_abandoned_work("destroy-extract")
    trash = deployment.new_work_folder("destroy-extract")
    at = deployment.clock()
    try:
        with deployment.store.transaction() as session:
            if check_actor:
                authorise(session, by, (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR), DOING)
            application = get_application(session, reference)
            record = session.execute(select(ProjectExtract).where(
                ProjectExtract.application_id == application.id,
                ProjectExtract.status == CURRENT)).scalar_one_or_none()
            if record is None:
                raise NotFound(f"{application.reference} has no current extract to destroy")
            folder = deployment.root / record.folder
            key_path = deployment.keys.folder / f"{record.data_key}.wrapped"
            details: dict[str, Any] = {
                "what": f"project extract of {application.reference}",
                "project": application.project.reference, "build": record.build,
                "folder": record.folder, "manifest_sha256": record.manifest_sha256,
                "rows": record.rows, "persons": record.persons,
                "files": file_records(deployment, sorted(folder.glob("*"))
                                      if folder.exists() else []),
                "key": {"name": record.data_key, **(
                    {"sha256": sha256_of(key_path), "bytes": key_path.stat().st_size}
                    if key_path.exists() else {"note": "already shredded"})},
                "method": "data key overwritten with random bytes and removed; encrypted "
                          "files removed",
                "reason": reason,
            }
            record.status, record.destroyed_at = DESTROYED, audit.utc_iso(at)
            entry = audit.record(session, by=by, action="extract.destroyed",
                                 subject=f"application:{application.reference}",
                                 details=details, at=at)
            session.flush()
            _take_away(deployment, folder, trash, record.data_key)
            seq, ref = entry.seq, application.reference
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return ExtractDeletionCertificate(ref, audit.utc_iso(at), by, reason, seq, details)


def _take_away(deployment: Deployment, folder: Path, trash: Path, data_key: str) -> None:
    """Move the build's folder into ``trash``, then shred the key (the irreversible step last;
    the folder is put back if shredding fails)."""
    with moved([(folder, trash / folder.name)] if folder.exists() else []):
        deployment.keys.shred(data_key)
    remove_empty_parents(folder)
