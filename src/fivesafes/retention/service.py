"""Retention: reading and destroying identifier stores, and the schedule that removes what is no
longer needed.

* **Identifiers** are destroyed when their link run is accepted (published), or kept for a
  quality review and destroyed by hand, or, as a backstop, destroyed by :func:`enforce` once
  ``settings.identifier_retention_days`` have passed since the ingest was first linked.
  Destruction itself (digests first, then the store, its key, its quarantined rows and the
  reports that show its identifiers, with a deletion certificate) is
  :mod:`fivesafes.catalogue.destruction`.
* **Project extracts** are destroyed by :func:`enforce` as soon as their application's access
  window has closed (or the application was closed or withdrawn): key shredded, files removed,
  with a deletion certificate (:mod:`fivesafes.extracts.expiry`).
* **Superseded research-ready versions** stay for ``retention.superseded_version_days`` days (setting)
  after a newer version replaced them, then :func:`enforce` removes them, with a certificate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue.destruction import DestructionCertificate, destroy_as_scheduled
from fivesafes.catalogue.digests import has_digests
from fivesafes.catalogue.versions import remove_expired_versions, superseded_before
from fivesafes.extracts.expiry import DueExtract, ExtractDeletionCertificate, extracts_due
from fivesafes.extracts.expiry import destroy_as_scheduled as destroy_extract_as_scheduled
from fivesafes.home import Deployment
from fivesafes.sources.identifier_store import (
    HELD,
)
from fivesafes.store.models import IngestRun, LinkRun

RETENTION_ACTOR = "system:retention"
DOING = "destroy identifiers"


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
            first = min(audit.parse_utc_iso(link.finished_at) for link in used)
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
    destroyed_extracts: tuple[ExtractDeletionCertificate, ...] = ()


@dataclass(frozen=True)
class RetentionPlan:
    """What :func:`enforce` would do now (its dry run)."""

    identifiers: tuple[str, ...]  # ingest labels
    versions: tuple[str, ...]  # "dataset vN"
    extracts: tuple[DueExtract, ...]

    def lines(self) -> list[str]:
        out = [f"would destroy the identifiers of {i} (kept past their deadline)"
               for i in self.identifiers]
        out += [f"would remove {v} (superseded past its retention period)" for v in self.versions]
        out += [f"would destroy the extract of {e.application} ({e.project}, build {e.build}, "
                f"{e.folder}): {e.why}" for e in self.extracts]
        return out or ["nothing is due"]


def _identifiers_due(deployment: Deployment, now: datetime) -> list[IdentifierStatus]:
    return [s for s in _statuses(deployment) if s.status == HELD and s.destroy_after
            and audit.parse_utc_iso(s.destroy_after) <= now]


def planned(deployment: Deployment) -> RetentionPlan:
    """What the schedule says is due now, without doing it."""
    now = deployment.clock()
    cutoff = now - timedelta(days=deployment.settings.superseded_version_retention_days)
    return RetentionPlan(tuple(s.ingest for s in _identifiers_due(deployment, now)),
                         tuple(superseded_before(deployment, cutoff)),
                         tuple(extracts_due(deployment)))


def enforce(deployment: Deployment, *, by: str = RETENTION_ACTOR) -> RetentionReport:
    """Apply the retention schedule now: destroy identifiers kept past their deadline and
    project extracts whose access window closed, and remove research-ready versions superseded more than the retention period ago. Anyone may
    run it (it only does what the schedule says is due), as the system by default."""
    now = deployment.clock()
    destroyed = []
    days = deployment.settings.identifier_retention_days
    for status in _identifiers_due(deployment, now):
        destroyed.append(destroy_as_scheduled(
            deployment, status.ingest, by=by,
            reason=f"retention schedule: identifiers kept {days} days after linkage "
                   f"({', '.join(status.linked_in)})"))
    extracts = [destroy_extract_as_scheduled(deployment, reference=due.application, by=by,
                                             reason=f"retention schedule: {due.why}")
                for due in extracts_due(deployment)]
    removed = remove_expired_versions(
        deployment, by=by,
        older_than=now - timedelta(days=deployment.settings.superseded_version_retention_days))
    return RetentionReport(tuple(destroyed), tuple(removed), tuple(extracts))
