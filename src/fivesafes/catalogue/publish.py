"""``fivesafes publish``: research-ready datasets from a link run, through the release gate.

The order of a publish:

1. the link run (the newest by default) must not be published yet, nor older than the last
   published one;
2. every ingest whose identifiers are still held gets its identifier digests (the digests of
   destroyed ingests were built before they were destroyed);
3. person ids are assigned to the link run's clusters if not yet done (stable across
   refreshes, recorded with their lineage);
4. every dataset and the person-level index are built in a scratch folder, with fresh replaced
   ids for operational ids;
5. the release gate scans every column for identifier values of any ingest: if one is found,
   nothing is published and a report of where is written to ``linkage/gate/``;
6. one transaction records the release, each dataset's new version (the previous version is
   marked superseded and stays until the retention schedule removes it) and its fields, writes
   the audit entry, and renames the datasets into ``research/<dataset>/v<N>/`` and the
   operational-id mapping into ``linkage/releases/<release>/``;
7. publishing accepts the link run, so the identifiers of every ingest it linked are destroyed
   (:mod:`fivesafes.catalogue.destruction`, one deletion certificate each), unless the officer
   keeps them for a quality review (``keep_identifiers``): then the retention schedule destroys
   them ``identifier_retention_days`` after linkage, or the officer does by hand.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import func, select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue import gate
from fivesafes.catalogue.build import PERSON_INDEX, BuiltDataset, SourceInput, build_release
from fivesafes.catalogue.destruction import DestructionCertificate, destroy_as_scheduled
from fivesafes.catalogue.digests import (
    OPERATIONAL_FILE,
    digest_folder,
    ensure_digests,
    has_digests,
    identifier_collisions,
)
from fivesafes.catalogue.errors import PublishError, ReleaseGateError
from fivesafes.catalogue.lookups import all_lookups
from fivesafes.catalogue.models import (
    CURRENT,
    SUPERSEDED,
    Dataset,
    DatasetField,
    DatasetVersion,
    PersonIdRun,
    Release,
)
from fivesafes.catalogue.persons import PersonIds, ensure_person_ids, link_run
from fivesafes.home import Busy, Deployment, in_work, move_all
from fivesafes.pseudonyms import REPLACED_ID_PREFIX, random_ids
from fivesafes.sources.contract import contract_from_json
from fivesafes.sources.identifier_store import HELD, file_records
from fivesafes.store.models import IngestRun, LinkRun

MAPPING_FILE = "operational_ids.parquet"
DOING = "publish research-ready datasets"


@dataclass(frozen=True)
class PublishedDataset:
    name: str
    version: int
    rows: int
    persons: int
    folder: str  # relative to the home
    date_from: str | None
    date_to: str | None


@dataclass(frozen=True)
class PublishResult:
    release: str
    link: str
    persons: PersonIds
    datasets: tuple[PublishedDataset, ...]
    gate: gate.GateResult
    unchecked_ingests: tuple[str, ...]
    seconds: float
    destroyed: tuple[DestructionCertificate, ...] = ()
    kept: tuple[str, ...] = ()  # ingests whose identifiers were kept for a quality review

    def as_dict(self) -> dict:
        return {
            "release": self.release, "link": self.link, "seconds": round(self.seconds, 2),
            "person_ids": {"persons": self.persons.persons, "records": self.persons.records,
                           **self.persons.counts},
            "datasets": [d.__dict__ for d in self.datasets],
            "gate": {"passed": self.gate.passed, "values_scanned": self.gate.values_scanned,
                     "columns_scanned": self.gate.columns_scanned,
                     "ingests_checked": self.gate.token_files,
                     "unchecked_ingests": list(self.unchecked_ingests)},
            "identifiers": {
                "destroyed": [{"ingest": c.ingest, "certificate_seq": c.audit_seq,
                               "files": len(c.details.get("files", [])),
                               "derived_files": len(c.details.get("derived_files", []))}
                              for c in self.destroyed],
                "kept": list(self.kept)},
        }


def _remove_unrecorded(deployment: Deployment) -> None:
    """Remove what a killed publish renamed into place but never recorded."""
    with deployment.store.reading() as session:
        folders = set(session.execute(select(DatasetVersion.folder)).scalars())
        releases = set(session.execute(select(Release.label)).scalars())
    for folder in deployment.research.glob("*/v*"):
        if folder.is_dir() and not in_work(folder) \
                and deployment.relative(folder) not in folders:
            shutil.rmtree(folder, ignore_errors=True)
    for folder in deployment.releases.glob("release-*"):
        if folder.name not in releases:
            shutil.rmtree(folder, ignore_errors=True)


def _check_forward(deployment: Deployment, link: LinkRun) -> None:
    with deployment.store.reading() as session:
        done = session.execute(
            select(Release.label).where(Release.link_label == link.label)
        ).scalar_one_or_none()
        last = session.execute(
            select(Release.link_label, LinkRun.id).join(
                LinkRun, LinkRun.label == Release.link_label
            ).order_by(Release.id.desc()).limit(1)
        ).first()
    if done is not None:
        raise PublishError(f"{link.label} is already published as {done}; link a refresh "
                           "first, then publish its link run")
    if last is not None and last[1] > link.id:
        raise PublishError(f"{link.label} is older than {last[0]}, which is already "
                           "published; publish a newer link run")


def _sources(deployment: Deployment, link: LinkRun) -> tuple[list[SourceInput], list[str]]:
    labels = json.loads(link.ingests)
    with deployment.store.reading() as session:
        runs = session.execute(
            select(IngestRun).where(IngestRun.label.in_(labels)).order_by(IngestRun.id.desc())
        ).scalars().all()
        for run in runs:
            run.sources  # noqa: B018 - loaded before the session ends
    missing = sorted(set(labels) - {r.label for r in runs})
    if missing:
        raise PublishError(f"{link.label} names ingest(s) {', '.join(missing)} that are not "
                           "in this home")
    grouped: dict[str, SourceInput] = {}
    no_digests = []
    for run in runs:  # newest first
        if not has_digests(deployment, run.label):
            no_digests.append(run.label)
        ops = digest_folder(deployment, run.label) / OPERATIONAL_FILE
        for src in run.sources:
            part = (run.label, deployment.root / src.attributes_path, ops)
            if src.source in grouped:
                old = grouped[src.source]
                grouped[src.source] = SourceInput(old.name, old.owner, old.contract,
                                                  (*old.parts, part))
            else:
                grouped[src.source] = SourceInput(src.source, src.owner,
                                                  contract_from_json(src.contract), (part,))
    if no_digests:
        raise PublishError(
            f"the identifiers of {', '.join(sorted(no_digests))} were destroyed without their "
            "digests, so operational ids cannot be replaced and the release gate cannot check "
            "them; ingest those extracts again and link them")
    if PERSON_INDEX in grouped:
        raise PublishError(f"a source is named '{PERSON_INDEX}', the name of the person-level "
                           "index; rename the source in its contract")
    return sorted(grouped.values(), key=lambda s: s.name), labels


def _digest_everything_held(deployment: Deployment, by: str) -> list[str]:
    """Digests for every held ingest of the home; the destroyed ingests that have none."""
    with deployment.store.reading() as session:
        runs = session.execute(select(IngestRun.label, IngestRun.identifiers)
                               .order_by(IngestRun.id)).all()
    unchecked = []
    for label, status in runs:
        if has_digests(deployment, label):
            continue
        if status == "held" and deployment.keys.has_key(label):
            ensure_digests(deployment, label, by=by)
        else:
            unchecked.append(label)
    return unchecked


def _next_versions(deployment: Deployment):
    with deployment.store.reading() as session:
        rows = session.execute(select(Dataset.name, func.max(DatasetVersion.version)).join(
            DatasetVersion, DatasetVersion.dataset_id == Dataset.id).group_by(Dataset.name)).all()
        highest = session.execute(select(func.max(Release.id))).scalar() or 0
    latest = dict(rows)
    return (lambda name: (latest.get(name) or 0) + 1), f"release-{highest + 1:04d}"


def publish(deployment: Deployment, *, by: str, link_label: str | None = None,
            keep_identifiers: bool = False) -> PublishResult:
    """Publish the research-ready datasets of a link run (the newest by default), accepting
    it: the identifiers it linked are destroyed, unless ``keep_identifiers``."""
    started = time.perf_counter()
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    link = link_run(deployment, link_label)
    with Busy(deployment, "publish"):
        deployment.clear_abandoned_work("publish")
        _remove_unrecorded(deployment)
        _check_forward(deployment, link)
        unchecked = _digest_everything_held(deployment, by)
        sources, _ = _sources(deployment, link)
        person_ids = ensure_person_ids(deployment, link.label, by=by)
        version_of, label = _next_versions(deployment)
        work = deployment.new_work_folder("publish")
        try:
            built, mapping = build_release(
                sources, person_ids.person_map, all_lookups(deployment),
                lambda n: random_ids(REPLACED_ID_PREFIX, n,
                                     lambda ids: identifier_collisions(deployment, ids)),
                work / "research", version_of)
            mapping_folder = work / "linkage" / label
            mapping_folder.mkdir(parents=True, mode=0o700)
            pq.write_table(mapping, mapping_folder / MAPPING_FILE, compression="zstd")
            checked = gate.scan(deployment, {d.name: d.path for d in built})
            if not checked.passed:
                _refuse(deployment, label, link, checked, work, by)
            published = _record(deployment, label, link, person_ids, built, version_of,
                                checked, unchecked, work, by)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    destroyed, kept = _accept(deployment, link, label, by, keep_identifiers)
    return PublishResult(label, link.label, person_ids, tuple(published), checked,
                         tuple(unchecked), time.perf_counter() - started, destroyed, kept)


def _accept(deployment: Deployment, link: LinkRun, release: str, by: str, keep: bool
            ) -> tuple[tuple[DestructionCertificate, ...], tuple[str, ...]]:
    """Destroy (or keep) the held identifiers of the ingests ``link`` linked."""
    with deployment.store.reading() as session:
        held = session.execute(select(IngestRun.label).where(
            IngestRun.label.in_(json.loads(link.ingests)), IngestRun.identifiers == HELD
        ).order_by(IngestRun.id)).scalars().all()
    if keep:
        return (), tuple(held)
    return tuple(
        destroy_as_scheduled(deployment, ingest, by=by, check_actor=True,
                             reason=f"link run {link.label} accepted: published as {release}")
        for ingest in held), ()


def _refuse(deployment: Deployment, label: str, link: LinkRun, checked: gate.GateResult,
            work: Path, by: str) -> None:
    at = deployment.clock()
    stamp = audit.utc_iso(at).replace(":", "").replace("-", "")[:15]
    name = f"{label}-refused-{stamp}.csv"
    with open(work / name, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(gate.report_rows(checked))
    target = deployment.gate_reports / name
    with deployment.store.transaction() as session:
        audit.record(session, by=by, action="research.refused", subject=label, at=at, details={
            "link": link.label, "report": deployment.relative(target),
            "findings": [{"dataset": f.dataset, "column": f.column, "kind": f.kind,
                          "rows": f.rows, "example_rows": list(f.example_rows)}
                         for f in checked.findings]})
        move_all([(work / name, target)])
    listed = "; ".join(f.describe() for f in checked.findings[:5])
    more = f"; and {len(checked.findings) - 5} more" if len(checked.findings) > 5 else ""
    raise ReleaseGateError(
        f"release gate: identifiers found in research-ready columns, nothing was published: "
        f"{listed}{more}. Report: {target}. Ask the data owner to correct the extract (or the "
        "contract, if an identifier column is declared as an attribute), ingest and link again",
        report=str(target))


def _record(deployment: Deployment, label: str, link: LinkRun, person_ids: PersonIds,
            built: list[BuiltDataset], version_of, checked: gate.GateResult,
            unchecked: list[str], work: Path, by: str) -> list[PublishedDataset]:
    moment = deployment.clock()
    at = audit.utc_iso(moment)
    published: list[PublishedDataset] = []
    moves: list[tuple[Path, Path]] = []
    files: dict[str, dict] = {}
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)  # still allowed, as it commits
        person_run = session.execute(select(PersonIdRun).where(
            PersonIdRun.link_label == link.label)).scalar_one()
        release = Release(label=label, link_label=link.label, person_run_id=person_run.id,
                          published_at=at, actor=by, summary={})
        session.add(release)
        for d in built:
            version = version_of(d.name)
            folder = deployment.research / d.name / f"v{version}"
            dataset = session.execute(select(Dataset).where(Dataset.name == d.name)
                                      ).scalar_one_or_none()
            if dataset is None:
                dataset = Dataset(name=d.name, kind=d.kind, created_at=at)
                session.add(dataset)
            dataset.title, dataset.description, dataset.owner = d.title, d.description, d.owner
            dataset.jurisdictions, dataset.systems = list(d.jurisdictions), list(d.systems)
            for old in session.execute(select(DatasetVersion).where(
                    DatasetVersion.dataset == dataset, DatasetVersion.status == CURRENT)
            ).scalars():
                old.status, old.superseded_at = SUPERSEDED, at
            [digest] = file_records(deployment, [d.path])
            files[d.name] = {"version": version, "sha256": digest["sha256"]}
            row = DatasetVersion(
                dataset=dataset, release=release, version=version, status=CURRENT,
                folder=deployment.relative(folder), file_name=d.path.name,
                file_sha256=digest["sha256"], bytes=digest["bytes"], rows=d.rows,
                persons=d.persons, date_field=d.date_field, date_from=d.date_from,
                date_to=d.date_to, ingests=list(d.ingests), published_at=at)
            for position, c in enumerate(d.columns, start=1):
                row.fields.append(DatasetField(
                    position=position, name=c.name, type=c.type, sensitivity=c.sensitivity,
                    description=c.description, origin=c.origin, derived_from=c.derived_from,
                    level=c.level, stats={**d.stats.get(c.name, {}),
                                          **({"lookup": c.lookup} if c.lookup else {})}))
            session.add(row)
            moves.append((d.path.parent, folder))
            published.append(PublishedDataset(d.name, version, d.rows, d.persons,
                                              deployment.relative(folder), d.date_from,
                                              d.date_to))
        release.summary = {
            "person_ids": person_ids.counts, "persons": person_ids.persons,
            "datasets": {p.name: {"version": p.version, "rows": p.rows, "persons": p.persons}
                         for p in published},
            "gate": {"values_scanned": checked.values_scanned,
                     "columns_scanned": checked.columns_scanned,
                     "ingests_checked": checked.token_files, "unchecked_ingests": unchecked},
        }
        audit.record(session, by=by, action="research.published", subject=label, at=moment,
                     details={"link": link.label, **release.summary, "files": files})
        session.flush()
        moves.append((work / "linkage" / label, deployment.releases / label))
        move_all(moves)
    return published
