"""Retention: reading and destroying identifier stores, and the schedule that removes what is no
longer needed.

* **Identifiers** are destroyed right after a successful linkage (:func:`destroy_identifiers`,
  called by the link command), or kept for a quality review and destroyed by hand, or destroyed
  by :func:`enforce` once ``settings.identifier_retention_days`` have passed since the ingest was
  first linked. Before an identifier store is destroyed its *digests* are built (salted hashes of
  identifier tokens, see :mod:`fivesafes.catalogue.digests`): the release gate and the replaced
  ids use them later without any plaintext. Destruction overwrites and removes the store's data
  key, removes its encrypted files, and writes a deletion certificate (what, when, who, why,
  file digests) to the audit log in the same transaction.
* **Superseded research-ready versions** stay for ``retention.superseded_version_days`` days (setting)
  after a newer version replaced them, then :func:`enforce` removes them, with a certificate.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue.digests import digest_folder, ensure_digests_locked, has_digests
from fivesafes.catalogue.versions import remove_expired_versions
from fivesafes.home import Busy, Deployment
from fivesafes.sources.identifier_store import (
    DESTROYED,
    HELD,
    RetentionError,
    certificate_entry,
    file_records,
    ingest_run,
    sha256_of,
)
from fivesafes.store.models import IngestRun, LinkRun

RETENTION_ACTOR = "system:retention"
DOING = "destroy identifiers"


# -- destroying -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DestructionCertificate:
    """What the audit entry ``identifiers.destroyed`` records."""

    ingest: str
    at: str
    by: str
    reason: str
    audit_seq: int
    details: dict[str, Any] = field(default_factory=dict)


def destroy_identifiers(deployment: Deployment, ingest_label: str, *, by: str, reason: str
                        ) -> DestructionCertificate:
    """Destroy the identifier store of ``ingest_label``: build its digests first (while it can
    still be read), then shred its data key and remove its files, recording a deletion
    certificate in the audit log in the same transaction. ``by`` is a linkage officer."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    return _destroy(deployment, ingest_label, by=by, reason=reason, authorised=True)


def _destroy(deployment: Deployment, ingest_label: str, *, by: str, reason: str,
             authorised: bool) -> DestructionCertificate:
    if not reason.strip():
        raise RetentionError("say why the identifiers are destroyed (--reason), e.g. "
                             "'linkage link-0002 complete'")
    with Busy(deployment, "identifiers"):
        return _destroy_locked(deployment, ingest_label, by=by, reason=reason.strip(),
                               authorised=authorised)


def _destroy_locked(deployment: Deployment, ingest_label: str, *, by: str, reason: str,
                    authorised: bool) -> DestructionCertificate:
    run = ingest_run(deployment, ingest_label)
    if run.identifiers == DESTROYED:
        entry = certificate_entry(deployment, ingest_label)
        raise RetentionError(
            f"the identifiers of {ingest_label} were already destroyed"
            + (f" at {entry.at} by {entry.actor}" if entry else "") + "; nothing to do"
        )
    key_held = deployment.keys.has_key(run.data_key)
    if key_held:
        ensure_digests_locked(deployment, ingest_label, by=by)
    deployment.clear_abandoned_work("destroy")
    folder = deployment.linkage / "identifiers" / ingest_label
    # Quarantined rows can hold identifier values (a bad date of birth, say): they go too.
    quarantine = deployment.linkage / "quarantine" / ingest_label
    key_path = deployment.keys.folder / f"{run.data_key}.wrapped"
    files = file_records(deployment, [f for d in (folder, quarantine) if d.exists()
                                      for f in d.rglob("*")])
    at = deployment.clock()
    details: dict[str, Any] = {
        "what": f"identifier store of {ingest_label}",
        "sources": {s.source: s.rows_accepted for s in run.sources},
        "files": files,
        "key": {"name": run.data_key, **({"sha256": sha256_of(key_path),
                                          "bytes": key_path.stat().st_size} if key_held
                                         else {"note": "already shredded by an interrupted run"})},
        "method": "data key overwritten with random bytes and removed; encrypted files and "
                  "quarantined rows removed",
        "reason": reason,
        "digests_kept": (deployment.relative(digest_folder(deployment, ingest_label))
                         if has_digests(deployment, ingest_label) else None),
    }
    trash = deployment.new_work_folder("destroy")
    try:
        with deployment.store.transaction() as session:
            if authorised:  # the schedule (enforce) acts as the system, on what is due only
                authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
            row = session.get(IngestRun, run.id)
            row.identifiers = DESTROYED
            entry = audit.record(session, by=by, action="identifiers.destroyed",
                                 subject=ingest_label, details=details, at=at)
            session.flush()
            moved: list[tuple[Path, Path]] = []
            try:
                for origin, name in ((folder, "identifiers"), (quarantine, "quarantine")):
                    if origin.exists():
                        os.rename(origin, trash / name)
                        moved.append((trash / name, origin))
                deployment.keys.shred(run.data_key)  # irreversible: the last step
            except BaseException:
                for place, origin in reversed(moved):
                    os.rename(place, origin)
                raise
            seq = entry.seq
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return DestructionCertificate(ingest_label, audit.utc_iso(at), by, reason, seq, details)


# -- status -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class IdentifierStatus:
    ingest: str
    status: str  # held | destroyed
    linked_in: tuple[str, ...]
    destroy_after: str | None  # when kept identifiers are destroyed automatically (UTC)
    digests: bool
    destroyed_at: str | None = None
    destroyed_by: str | None = None
    certificate_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ingest": self.ingest, "status": self.status, "linked_in": list(self.linked_in),
                "destroy_after": self.destroy_after, "digests": self.digests,
                "destroyed_at": self.destroyed_at, "destroyed_by": self.destroyed_by,
                "certificate_seq": self.certificate_seq}


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def identifier_status(deployment: Deployment, *, by: str) -> list[IdentifierStatus]:
    """Every ingest's identifier store: held or destroyed, the link runs that used it, and when
    kept identifiers will be destroyed automatically. ``by`` is a linkage officer or auditor."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR),
                  "see which identifier stores are held")
    return _statuses(deployment)


def _statuses(deployment: Deployment) -> list[IdentifierStatus]:
    days = deployment.settings.identifier_retention_days
    with deployment.store.reading() as session:
        runs = session.execute(select(IngestRun).order_by(IngestRun.id)).scalars().all()
        links = session.execute(select(LinkRun).order_by(LinkRun.id)).scalars().all()
        certificates = {e.subject: e for e in audit.query(
            session, audit.EntryFilter(action="identifiers.destroyed"))}
    statuses = []
    for run in runs:
        used = [link for link in links if run.label in json.loads(link.ingests)]
        deadline = None
        if run.identifiers == HELD and used:
            first = min(_parse_time(link.finished_at) for link in used)
            deadline = audit.utc_iso(first + timedelta(days=days))
        cert = certificates.get(run.label)
        statuses.append(IdentifierStatus(
            ingest=run.label, status=run.identifiers, linked_in=tuple(u.label for u in used),
            destroy_after=deadline, digests=has_digests(deployment, run.label),
            destroyed_at=cert.at if cert else None, destroyed_by=cert.actor if cert else None,
            certificate_seq=cert.seq if cert else None,
        ))
    return statuses


# -- the schedule -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RetentionReport:
    destroyed: tuple[DestructionCertificate, ...] = ()
    removed_versions: tuple[str, ...] = ()  # "dataset v2"


def enforce(deployment: Deployment, *, by: str = RETENTION_ACTOR) -> RetentionReport:
    """Apply the retention schedule now: destroy identifiers kept past their deadline, and
    remove research-ready versions superseded more than the retention period ago. Anyone may
    run it (it only does what the schedule says is due), as the system by default."""
    now = deployment.clock()
    destroyed = []
    days = deployment.settings.identifier_retention_days
    for status in _statuses(deployment):
        if status.status == HELD and status.destroy_after and \
                _parse_time(status.destroy_after) <= now:
            destroyed.append(_destroy(
                deployment, status.ingest, by=by, authorised=False,
                reason=f"retention schedule: identifiers kept {days} days after linkage "
                       f"({', '.join(status.linked_in)})"))
    removed = remove_expired_versions(
        deployment, by=by,
        older_than=now - timedelta(days=deployment.settings.superseded_version_retention_days))
    return RetentionReport(tuple(destroyed), tuple(removed))
