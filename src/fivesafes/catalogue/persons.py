"""Person ids for a link run, stable across refreshes (the service around
:func:`fivesafes.pseudonyms.assign_person_ids`).

Everything here lives in the linkage zone, one folder per link run, written in a scratch folder
and renamed into place in the transaction that records it:

``linkage/persons/<link>/person_map.parquet``  record_key -> person_id (the person key map)
``linkage/persons/<link>/lineage.parquet``     reason, old_id, new_id, records: every change
``linkage/persons/<link>/issued.parquet``      the person ids first issued by this run

The registry of every person id ever issued is the union of the recorded runs' ``issued``
files: a new id is drawn again if it is in it, or if it equals a record id or operational id
(checked against the identifier digests), so ids are never reused and never look like one.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue.digests import cursor, identifier_collisions
from fivesafes.catalogue.errors import PublishError
from fivesafes.catalogue.models import PersonIdRun
from fivesafes.home import Busy, Deployment, move_all
from fivesafes.pseudonyms import PERSON_ID_PREFIX, Assignment, assign_person_ids, random_ids
from fivesafes.store.models import LinkRun

MAP_FILE, LINEAGE_FILE, ISSUED_FILE = "person_map.parquet", "lineage.parquet", "issued.parquet"
DOING = "assign person ids"
COUNT_ORDER = ("kept", "new", "split", "merged", "retired", "moved")


@dataclass(frozen=True)
class PersonIds:
    """The person ids of one link run, as recorded."""

    link: str
    previous_link: str | None
    records: int
    persons: int
    counts: dict[str, int]
    folder: Path  # absolute
    assigned_now: bool = False

    @property
    def person_map(self) -> Path:
        return self.folder / MAP_FILE

    @property
    def lineage(self) -> Path:
        return self.folder / LINEAGE_FILE

    def summary_line(self) -> str:
        counts = ", ".join(f"{self.counts.get(k, 0):,} {k}" for k in COUNT_ORDER
                           if k != "moved" or self.counts.get(k))
        return (f"person ids for {self.link}: {self.persons:,} persons, {self.records:,} "
                f"records; {counts}")


def _as_result(deployment: Deployment, row: PersonIdRun, now: bool = False) -> PersonIds:
    return PersonIds(row.link_label, row.previous_link, row.records, row.persons,
                     dict(row.counts), deployment.root / row.folder, now)


def link_run(deployment: Deployment, label: str | None) -> LinkRun:
    """The link run called ``label``, or the newest one."""
    with deployment.store.reading() as session:
        stmt = select(LinkRun).order_by(LinkRun.id.desc())
        if label is not None:
            stmt = select(LinkRun).where(LinkRun.label == label)
        found = session.execute(stmt.limit(1)).scalar_one_or_none()
        if found is None:
            labels = session.execute(select(LinkRun.label).order_by(LinkRun.id)).scalars().all()
    if found is None:
        if label is None:
            raise PublishError("no link run in this home yet; run 'fivesafes link' first")
        raise PublishError(f"no link run '{label}' (link runs: {', '.join(labels) or 'none'}); "
                           "check the label")
    return found


def recorded(deployment: Deployment, link_label: str) -> PersonIds | None:
    with deployment.store.reading() as session:
        row = session.execute(
            select(PersonIdRun).where(PersonIdRun.link_label == link_label)
        ).scalar_one_or_none()
    return _as_result(deployment, row) if row else None


def latest(deployment: Deployment) -> PersonIds | None:
    with deployment.store.reading() as session:
        row = session.execute(
            select(PersonIdRun).order_by(PersonIdRun.id.desc()).limit(1)
        ).scalar_one_or_none()
    return _as_result(deployment, row) if row else None


def _recorded_folders(deployment: Deployment) -> list[Path]:
    with deployment.store.reading() as session:
        folders = session.execute(select(PersonIdRun.folder)).scalars().all()
    return [deployment.root / f for f in folders]


def _remove_unrecorded(deployment: Deployment) -> None:
    """Remove folders that a killed run renamed into place but never recorded."""
    root = deployment.persons
    recorded_folders = set(_recorded_folders(deployment))
    for folder in root.glob("link-*") if root.exists() else []:
        if folder not in recorded_folders:
            shutil.rmtree(folder, ignore_errors=True)


def _avoid(deployment: Deployment, registry: list[Path]):
    """The id filter: ids ever issued, and values equal to a record or operational id."""

    def avoid(candidates: list[str]) -> set[str]:
        refused = identifier_collisions(deployment, candidates)
        if registry:
            con = cursor()
            try:
                con.register("candidates", pa.table({"v": pa.array(candidates, pa.string())}))
                refused |= {r[0] for r in con.sql(
                    "SELECT v FROM candidates WHERE v IN (SELECT person_id FROM "
                    "read_parquet($1))", params=[[str(p) for p in registry]]).fetchall()}
            finally:
                con.close()
        return refused

    return avoid


def _clusters(deployment: Deployment, link: LinkRun) -> pa.Table:
    path = deployment.root / link.folder / "clusters.parquet"
    if not path.is_file():
        raise PublishError(f"{path}: the clusters of {link.label} are missing; run the "
                           "linkage again")
    return pq.read_table(path, columns=["record_key", "cluster_id"])


def ensure_person_ids(deployment: Deployment, link_label: str | None = None, *, by: str
                      ) -> PersonIds:
    """The person ids of a link run (the newest by default), assigning them if not yet done.
    ``by`` is a linkage officer."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    link = link_run(deployment, link_label)
    with Busy(deployment, "persons"):
        done = recorded(deployment, link.label)
        if done is not None:
            return done
        return _assign_locked(deployment, link, by=by)


def _assign_locked(deployment: Deployment, link: LinkRun, *, by: str) -> PersonIds:
    deployment.clear_abandoned_work("persons")
    _remove_unrecorded(deployment)
    previous = latest(deployment)
    if previous is not None:
        with deployment.store.reading() as session:
            prev_link = session.execute(
                select(LinkRun).where(LinkRun.label == previous.link)
            ).scalar_one_or_none()
        if prev_link is not None and prev_link.id > link.id:
            raise PublishError(
                f"{link.label} is older than {previous.link}, which already has person ids; "
                f"person ids only move forward: publish {previous.link} or a newer link run"
            )
    clusters = _clusters(deployment, link)
    previous_map = (pq.read_table(previous.person_map) if previous is not None else None)
    registry = [f / ISSUED_FILE for f in _recorded_folders(deployment)]
    assignment = assign_person_ids(
        previous_map, clusters,
        lambda n: random_ids(PERSON_ID_PREFIX, n, _avoid(deployment, registry)))
    work = deployment.new_work_folder("persons")
    try:
        out = work / link.label
        out.mkdir(mode=0o700)
        _write(assignment, out)
        target = deployment.persons / link.label
        persons = len(set(assignment.person_map.column("person_id").to_pylist()))
        counts = {k: int(v) for k, v in assignment.counts.items()}
        with deployment.store.transaction() as session:
            authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
            row = PersonIdRun(
                link_label=link.label, previous_link=previous.link if previous else None,
                at=audit.utc_iso(deployment.clock()), actor=by,
                records=assignment.person_map.num_rows, persons=persons, counts=counts,
                folder=deployment.relative(target))
            session.add(row)
            audit.record(session, by=by, action="persons.assigned", subject=link.label,
                         at=deployment.clock(),
                         details={"previous": row.previous_link, "records": row.records,
                                  "persons": persons, "counts": counts,
                                  "ingests": json.loads(link.ingests)})
            session.flush()
            move_all([(out, target)])
            result = _as_result(deployment, row, now=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _write(assignment: Assignment, out: Path) -> None:
    pq.write_table(assignment.person_map, out / MAP_FILE, compression="zstd")
    events = assignment.events
    pq.write_table(pa.table({
        "reason": pa.array([e.reason for e in events], pa.string()),
        "old_id": pa.array([e.old_id for e in events], pa.string()),
        "new_id": pa.array([e.new_id for e in events], pa.string()),
        "records": pa.array([e.records for e in events], pa.int64()),
    }), out / LINEAGE_FILE, compression="zstd")
    pq.write_table(pa.table({"person_id": pa.array(assignment.new_ids, pa.string())}),
                   out / ISSUED_FILE, compression="zstd")
