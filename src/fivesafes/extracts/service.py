"""The service functions of project extracts: building one, reading it, showing its manifest.

* :func:`build_extract` - a linkage officer builds (or rebuilds, after an amendment or a new
  research-ready version) the extract of an accredited or provisioned application. The build is
  written in a scratch folder under ``HOME/extracts/.work/``; one transaction records it, supersedes the
  previous build, writes the audit entry (with the manifest's SHA-256) and renames the files and
  the staged keys into place. A killed build leaves nothing: the next build removes any scratch
  folder, any build folder and any data key that no record names as current.
* :func:`read_extract` - a dataset of the current build, for a person :func:`fivesafes.
  governance.access.may_access` allows at that moment (provisioned, inside the access window,
  active and eligible team member, current agreement and accreditation); refused otherwise.
  Every read and every refusal is audited.
* :func:`extract_manifest` - the manifest of the current build.

Keys: each project has a pseudonym key (``project-<P-nnnn>``, kept for the life of the project
so pseudonyms stay the same across rebuilds and applications), and each build a data key
(``extract-<A-nnnn>-b<n>``) that encrypts its files; both are wrapped by the master key.
Shredding a build's data key makes its files unreadable.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, acting_account, authorise, has_role
from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import FivesafesError, NotFound, PermissionDenied
from fivesafes.extracts.build import (
    MANIFEST,
    SUFFIX,
    associated_data,
    build_files,
    manifest,
    manifest_bytes,
    write_extract_dictionary,
)
from fivesafes.extracts.expiry import destroy_as_scheduled
from fivesafes.extracts.models import CURRENT, SUPERSEDED, ProjectExtract, remove_empty_parents
from fivesafes.extracts.plan import Plan, plan_extract
from fivesafes.governance.access import may_access, provision
from fivesafes.governance.applications import get_application
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application
from fivesafes.home import Busy, Deployment, in_work, move_all
from fivesafes.keys import new_key
from fivesafes.sources.identifier_store import file_records, sha256_of

DOING = "build project extracts"
BUILDABLE = (State.ACCREDITED, State.PROVISIONED)
WORK_LABEL = "extract"
DATA_KEY_PREFIX = "extract-"
_PSEUDONYM_PURPOSE = b"fivesafes/v1/project-pseudonyms"


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`build_extract` built."""

    application: str
    project: str
    build: int
    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    rows: int
    persons: int
    superseded: int | None
    seconds: float


def pseudonym_key_name(project: str) -> str:
    return f"project-{project}"


def data_key_name(application: str, build: int) -> str:
    return f"{DATA_KEY_PREFIX}{application}-b{build}"


def _pseudonym_subkey(project_key: bytes) -> bytes:
    """The key the pseudonyms are computed under, derived so the project key has one use."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_PSEUDONYM_PURPOSE).derive(project_key)


def _buildable(session: Session, by: str, reference: str, today) -> Application:
    authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    application = get_application(session, reference)
    if application.state not in BUILDABLE:
        raise PermissionDenied(f"{by} may not build an extract of {application.reference}: it "
                               f"is {application.state}; only an accredited or provisioned "
                               "application has one")
    if today > application.access_end:
        raise PermissionDenied(f"{by} may not build an extract of {application.reference}: its "
                               f"access window ended on {application.access_end}")
    return application


def _current(session: Session, application_id: int) -> ProjectExtract | None:
    return session.execute(select(ProjectExtract).where(
        ProjectExtract.application_id == application_id, ProjectExtract.status == CURRENT)
    ).scalar_one_or_none()


def remove_unrecorded(deployment: Deployment) -> None:
    """Remove build folders and data keys that no record names as current: what a killed build
    left, and what a superseded build still holds. Call it holding the ``extracts`` lock."""
    with deployment.store.reading() as session:
        current = session.execute(select(ProjectExtract.folder, ProjectExtract.data_key).where(
            ProjectExtract.status == CURRENT)).all()
    folders, data_keys = {f for f, _ in current}, {k for _, k in current}
    for folder in deployment.extracts.glob("*/*/b*"):
        if folder.is_dir() and not in_work(folder) \
                and deployment.relative(folder) not in folders:
            shutil.rmtree(folder, ignore_errors=True)
    for parent in (*deployment.extracts.glob("*/*"), *deployment.extracts.glob("*")):
        if parent.is_dir() and not in_work(parent) and not any(parent.iterdir()):
            parent.rmdir()
    for wrapped in deployment.keys.folder.glob(f"{DATA_KEY_PREFIX}*.wrapped"):
        name = wrapped.name.removesuffix(".wrapped")
        if name not in data_keys:
            deployment.keys.shred(name)


def _plan(deployment: Deployment, by: str, reference: str) -> tuple[Plan, int, int, int]:
    with deployment.store.reading() as session:
        application = _buildable(session, by, reference, deployment.clock().date())
        plan = plan_extract(session, application)
        last = session.execute(select(func.max(ProjectExtract.build)).where(
            ProjectExtract.application_id == application.id)).scalar() or 0
        return plan, last + 1, application.id, application.project_id


def build_extract(deployment: Deployment, *, by: str, reference: str) -> ExtractResult:
    """Build (or rebuild) the minimised extract of application ``reference`` as ``by``, a
    linkage officer; the previous build, if any, is superseded and removed."""
    started = time.perf_counter()
    with deployment.store.reading() as session:  # refuse before taking the lock
        _buildable(session, by, reference, deployment.clock().date())
    with Busy(deployment, "extracts"):
        deployment.clear_abandoned_work(WORK_LABEL)
        remove_unrecorded(deployment)
        plan, build, application_id, project_id = _plan(deployment, by, reference)
        work = deployment.new_work_folder(WORK_LABEL)
        try:
            result = _build_in(deployment, work, plan, build, application_id, project_id, by)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        remove_unrecorded(deployment)  # the superseded build's files and key
    return ExtractResult(**result, seconds=time.perf_counter() - started)


def _build_in(deployment: Deployment, work: Path, plan: Plan, build: int, application_id: int,
              project_id: int, by: str) -> dict[str, Any]:
    keys, staged = deployment.keys, work / "keys"
    pseudonym_name, data_name = pseudonym_key_name(plan.project), data_key_name(
        plan.application, build)
    if keys.has_key(pseudonym_name):
        project_key = keys.load_key(pseudonym_name)
    else:
        project_key = new_key()
        keys.store_key(pseudonym_name, project_key, folder=staged)
    file_key = new_key()
    keys.store_key(data_name, file_key, folder=staged)
    out = work / f"b{build}"
    out.mkdir(mode=0o700)
    files, persons = build_files(plan, build=build, root=deployment.root, out=out,
                                 pseudonym_key=_pseudonym_subkey(project_key), file_key=file_key)
    target = deployment.extracts / plan.project / plan.application / f"b{build}"
    moment = deployment.clock()
    at = audit.utc_iso(moment)
    sha = {f.dataset: sha256_of(f.path) for f in files}
    content = manifest(plan, build=build, built_at=at, built_by=by, files=files,
                       persons=persons, sha256=sha,
                       key_names={"pseudonym": pseudonym_name, "data": data_name})
    raw = manifest_bytes(content)
    (out / MANIFEST).write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    write_extract_dictionary(plan, files, content, out)
    rows = sum(f.rows for f in files)
    with deployment.store.transaction() as session:
        _buildable(session, by, plan.application, moment.date())  # still allowed as it commits
        previous = _current(session, application_id)
        if previous is not None:
            previous.status, previous.superseded_at = SUPERSEDED, at
        session.add(ProjectExtract(
            application_id=application_id, project_id=project_id, build=build, status=CURRENT,
            folder=deployment.relative(target), data_key=data_name,
            pseudonym_key=pseudonym_name, manifest=content, manifest_sha256=digest, rows=rows,
            persons=persons, built_at=at, built_by=by))
        audit.record(session, by=by, action="extract.built",
                     subject=f"application:{plan.application}", at=moment, details={
                         "project": plan.project, "build": build,
                         "folder": deployment.relative(target), "manifest_sha256": digest,
                         "rows": rows, "persons": persons,
                         "datasets": {d["name"]: {"research_ready": d["research_ready"][
                             "version"], "rows": d["rows"], "sha256": d["sha256"]}
                             for d in content["datasets"]},
                         "superseded_build": previous.build if previous else None,
                         "superseded_files": file_records(deployment, sorted(
                             (deployment.root / previous.folder).glob("*")))
                         if previous else []})
        session.flush()
        try:
            move_all([*((wrapped, keys.folder / wrapped.name)
                        for wrapped in sorted(staged.glob("*.wrapped"))), (out, target)])
        except BaseException:
            remove_empty_parents(target)
            raise
    return {"application": plan.application, "project": plan.project, "build": build,
            "folder": target, "manifest": content, "manifest_sha256": digest, "rows": rows,
            "persons": persons, "superseded": previous.build if previous else None}


# -- reading ----------------------------------------------------------------------------------

def _record_for(session: Session, reference: str) -> tuple[Application, ProjectExtract]:
    application = get_application(session, reference)
    found = _current(session, application.id)
    if found is None:
        raise NotFound(f"{application.reference} has no extract; a linkage officer builds it "
                       "when the application is provisioned")
    return application, found


def read_extract(deployment: Deployment, *, by: str, reference: str, dataset: str,
                 at: datetime | None = None) -> pa.Table:
    """Dataset ``dataset`` of application ``reference``'s current extract, for ``by``: allowed
    only while :func:`~fivesafes.governance.access.may_access` allows ``by`` at ``at`` (now, by
    the home's clock, unless given). Audited; a refusal is audited as a security event."""
    moment = at or deployment.clock()
    with deployment.store.transaction() as session:
        acting_account(session, by)
        decision = may_access(session, username=by, reference=reference, at=moment)
        if not decision.allowed:
            raise PermissionDenied(f"{by} may not read the extract of {reference}: "
                                   + "; ".join(decision.reasons))
        application, record = _record_for(session, reference)
        names = [d["name"] for d in record.manifest["datasets"]]
        if dataset not in names:
            raise NotFound(f"the extract of {application.reference} has no dataset '{dataset}' "
                           f"(datasets: {', '.join(names)})")
        audit.record(session, by=by, action="extract.read",
                     subject=f"application:{application.reference}", at=moment,
                     details={"dataset": dataset, "build": record.build})
        folder, build, key_name = deployment.root / record.folder, record.build, record.data_key
    data = read_encrypted(folder / f"{dataset}{SUFFIX}", deployment.keys.load_key(key_name),
                          associated_data(application.reference, build, dataset))
    return pq.read_table(pa.BufferReader(data))


def extract_manifest(deployment: Deployment, *, by: str, reference: str,
                     at: datetime | None = None) -> dict[str, Any]:
    """The manifest of the current extract of ``reference``: for linkage officers,
    administrators and auditors, and for anyone allowed to read the extract."""
    with deployment.store.reading() as session:
        account = acting_account(session, by)
        staff = any(has_role(account, r) for r in (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR,
                                                    Role.AUDITOR))
        if not staff:
            decision = may_access(session, username=by, reference=reference,
                                  at=at or deployment.clock())
            if not decision.allowed:
                raise PermissionDenied(f"{by} may not see the extract of {reference}: "
                                       + "; ".join(decision.reasons))
        _, record = _record_for(session, reference)
        return {**record.manifest, "manifest_sha256": record.manifest_sha256}


# -- provisioning -----------------------------------------------------------------------------

def provision_with_extract(deployment: Deployment, *, by: str, reference: str
                           ) -> tuple[ExtractResult, tuple[str, ...]]:
    """Provision an accredited application the way the walk means it: build its extract, then
    give its team access (:func:`fivesafes.governance.access.provision`), so the data is there
    on the first day of the window. If access is refused (no current agreement, say), the
    extract just built is destroyed again, with its certificate, and the refusal stands."""
    result = build_extract(deployment, by=by, reference=reference)
    try:
        team = provision(deployment, by=by, reference=reference)
    except FivesafesError as exc:
        destroy_as_scheduled(deployment, reference=reference, by=by,
                             reason=f"provisioning was refused: {exc}")
        raise
    return result, team
