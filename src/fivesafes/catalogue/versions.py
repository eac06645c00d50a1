"""Removing research-ready versions that the retention schedule no longer keeps.

A version is superseded when a newer version of its dataset is published; it stays readable
until the days set by ``retention.superseded_version_days`` have passed, then
:func:`remove_expired_versions` removes its folder and records a certificate (what, when, who,
file digests). When every version of a release is removed, the release's operational-id
mapping in the linkage zone goes with the last one.
"""

from __future__ import annotations

import shutil
from datetime import datetime

from sqlalchemy import select

from fivesafes import audit
from fivesafes.catalogue.models import REMOVED, SUPERSEDED, DatasetVersion, Release
from fivesafes.home import Busy, Deployment, move_all


def superseded_before(deployment: Deployment, older_than: datetime) -> list[str]:
    """``["dataset vN", ...]`` of the versions :func:`remove_expired_versions` would remove."""
    cutoff = audit.utc_iso(older_than)
    with deployment.store.reading() as session:
        due = session.execute(
            select(DatasetVersion).where(DatasetVersion.status == SUPERSEDED,
                                         DatasetVersion.superseded_at <= cutoff)
            .order_by(DatasetVersion.id)).scalars().all()
        return [f"{v.dataset.name} v{v.version}" for v in due]


def remove_expired_versions(deployment: Deployment, *, by: str, older_than: datetime
                            ) -> list[str]:
    """Remove every version superseded at or before ``older_than``; ``["dataset vN", ...]``."""
    cutoff = audit.utc_iso(older_than)
    with deployment.store.reading() as session:
        due = session.execute(
            select(DatasetVersion.id).where(DatasetVersion.status == SUPERSEDED,
                                            DatasetVersion.superseded_at <= cutoff)
            .order_by(DatasetVersion.id)).scalars().all()
    if not due:
        return []
    removed = []
    with Busy(deployment, "publish"):
        deployment.clear_abandoned_work("retention")
        for version_id in due:
            removed.append(_remove(deployment, version_id, by=by))
    return removed


def _remove(deployment: Deployment, version_id: int, *, by: str) -> str:
    from fivesafes.sources.identifier_store import file_records

    trash = deployment.new_work_folder("retention")
    try:
        with deployment.store.transaction() as session:
            version = session.get(DatasetVersion, version_id)
            name = f"{version.dataset.name} v{version.version}"
            folder = deployment.root / version.folder
            files = file_records(deployment, list(folder.rglob("*")) if folder.exists() else [])
            at = deployment.clock()
            version.status, version.removed_at = REMOVED, audit.utc_iso(at)
            release = session.get(Release, version.release_id)
            mapping = deployment.releases / release.label
            last_of_release = all(v.status == REMOVED for v in release.versions)
            if last_of_release and mapping.exists():
                files += file_records(deployment, list(mapping.rglob("*")))
            audit.record(session, by=by, action="research.version_removed",
                         subject=f"{version.dataset.name}:v{version.version}", at=at, details={
                             "what": f"research-ready dataset {name} ({release.label})",
                             "superseded_at": version.superseded_at, "files": files,
                             "reason": f"retention schedule: superseded versions are kept "
                                       f"{deployment.settings.superseded_version_retention_days} days"})
            session.flush()
            moves = [(folder, trash / "version")] if folder.exists() else []
            if last_of_release and mapping.exists():
                moves.append((mapping, trash / "mapping"))
            move_all(moves)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return name
