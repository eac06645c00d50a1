"""Linkage runs: in a home (recorded, audited, atomic) and standalone (files in, files out).

**Home.** :func:`link_home` links every source held in the home's identifier stores and writes
``HOME/linkage/links/<label>/``: ``clusters.parquet`` (the person key map: ``record_key``,
``source``, ``cluster_id``, every ingested record exactly once), ``model.json``, ``report.html``
and ``summary.json``. The folder is built in ``HOME/linkage/.work`` and renamed into place inside the
transaction that inserts the :class:`~fivesafes.store.models.LinkRun` row and its
``link.complete`` audit entry, so a killed run leaves earlier runs untouched and a re-run starts
clean. Identifiers are never destroyed here.

**Standalone.** :func:`link_files` links extract files named by contracts, with no home, and
writes ``DIR/clusters.parquet`` (``source``, ``record_id``, ``cluster_id``), ``model.json``,
``report.html`` and ``summary.json``. The folder is written beside ``DIR`` and swapped in at the
end, so an interrupted run leaves the previous results as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.home import Busy, Deployment, move_all, moved, staging_beside
from fivesafes.linkage.evaluate import Accuracy, evaluate, load_truth
from fivesafes.linkage.inputs import IdentifierTable, ingested_tables, read_extracts
from fivesafes.linkage.options import LinkageError, LinkOptions
from fivesafes.linkage.pipeline import LinkOutcome, link_tables
from fivesafes.linkage.report import gather, render
from fivesafes.progress import ProgressFn
from fivesafes.sources.contract import load_all
from fivesafes.store.models import LinkRun

__all__ = ["REPORT", "REPORT_WITHOUT_IDENTIFIERS", "LinkRunResult", "link_files",
           "link_home", "reports_with_identifiers"]

#: The quality report, with identifiers (clerical review sample, largest clusters' names).
REPORT = "report.html"
#: The same report by record key; it replaces :data:`REPORT` when the identifiers go.
REPORT_WITHOUT_IDENTIFIERS = "report-without-identifiers.html"
PhaseFn = Callable[[str, float], None]


@dataclass(frozen=True)
class LinkRunResult:
    """What a run wrote, and its summary (as in ``summary.json``)."""

    folder: Path
    summary: dict[str, Any]
    label: str | None = None

    @property
    def report(self) -> Path:
        return self.folder / REPORT

    @property
    def clusters(self) -> Path:
        return self.folder / "clusters.parquet"


def _write_results(folder: Path, outcome: LinkOutcome, clusters: pa.Table,
                   summary: dict[str, Any], accuracy: Accuracy | None, title: str, *,
                   home: bool = False) -> None:
    """The run's files; a home run also keeps its report without identifiers, which replaces
    the full one when the identifiers are destroyed."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pq.write_table(clusters, folder / "clusters.parquet", compression="zstd")
    (folder / "model.json").write_text(json.dumps(outcome.model, indent=2), encoding="utf-8")
    assert outcome.con is not None
    started = time.perf_counter()
    data = gather(outcome, accuracy)
    (folder / REPORT).write_text(render(data, summary, title), encoding="utf-8")
    if home:
        (folder / REPORT_WITHOUT_IDENTIFIERS).write_text(
            render(data, summary, title, identifiers=False), encoding="utf-8")
    summary["seconds"]["report"] = round(time.perf_counter() - started, 2)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str),
                                         encoding="utf-8")


def _summary(outcome: LinkOutcome, read_seconds: float, accuracy: Accuracy | None,
             extra: dict[str, Any]) -> dict[str, Any]:
    summary = outcome.summary()
    summary["seconds"] = {"read": round(read_seconds, 2), **summary["seconds"]}
    summary.update(extra)
    if accuracy is not None:
        summary["accuracy"] = accuracy.as_dict()
    return summary


def _close(outcome: LinkOutcome | None) -> None:
    if outcome is not None and outcome.con is not None:
        outcome.con.close()
        outcome.con = None


def link_files(contracts: list[Path], out: Path, options: LinkOptions | None = None, *,
               truth: Path | None = None, as_of: date | None = None,
               on_phase: PhaseFn | None = None,
               on_progress: ProgressFn | None = None) -> LinkRunResult:
    """Standalone linkage of the extracts named by ``contracts`` into folder ``out``."""
    options = options or LinkOptions()
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise LinkageError(f"{out}: exists and is not a folder; choose a folder for --out")
    loaded = load_all(list(contracts))
    if truth is not None and not Path(truth).is_file():
        raise LinkageError(f"{truth}: truth file not found; give a CSV with columns source, "
                           "record_id, true_id (or leave out --truth)")
    out.parent.mkdir(parents=True, exist_ok=True)
    _clear_abandoned(out)
    stamp = f"{os.getpid()}-{os.urandom(4).hex()}"
    staging, work = staging_beside(out, f".new-{stamp}"), staging_beside(out, f".work-{stamp}")
    work.mkdir(mode=0o700)
    outcome = None
    try:
        started = time.perf_counter()
        tables = read_extracts(loaded, on_progress=on_progress)
        read_seconds = time.perf_counter() - started
        outcome = link_tables(tables, work, options, as_of=as_of, on_phase=on_phase)
        accuracy = _accuracy(outcome, truth)
        quarantined = {t.source: t.quarantined for t in tables if t.quarantined}
        unreadable = {t.source: t.unreadable for t in tables if t.unreadable}
        summary = _summary(outcome, read_seconds, accuracy,
                           {"mode": "standalone", "contracts": [str(p) for p in contracts],
                            "rows_not_valid": quarantined,
                            "identifier_values_not_readable": unreadable})
        clusters = outcome.clusters.select(["source", "record_id", "cluster_id"])
        _write_results(staging, outcome, clusters, summary, accuracy, "standalone linkage")
        move_all([(staging, out)], replace=True)  # the old results go once the new are in
        return LinkRunResult(out, summary)
    finally:
        _close(outcome)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def _clear_abandoned(out: Path) -> None:
    """Remove the work, staging and old folders that killed runs into ``out`` left behind."""
    for kind in ("work", "new", "old"):
        for folder in out.parent.glob(f".{out.name}.{kind}-*"):
            pid = folder.name.rsplit(".", 1)[-1].split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _accuracy(outcome: LinkOutcome, truth: Path | None) -> Accuracy | None:
    if truth is None:
        return None
    assert outcome.con is not None
    started = time.perf_counter()
    load_truth(outcome.con, truth)
    accuracy = evaluate(outcome.con, outcome.prediction_rules,
                        "clusters_before_split" if outcome.split is not None else None)
    outcome.timings["evaluate"] = time.perf_counter() - started
    return accuracy


# -- home ------------------------------------------------------------------------------------


def _next_label(deployment: Deployment) -> str:
    return deployment.next_label(LinkRun.id, "link")


def _remove_unrecorded(deployment: Deployment) -> None:
    """Remove run folders a killed run moved into the zone but never recorded."""
    deployment.remove_unrecorded(LinkRun.label, [deployment.links], "link")


def link_home(deployment: Deployment, *, by: str, options: LinkOptions | None = None,
              as_of: date | None = None, on_phase: PhaseFn | None = None) -> LinkRunResult:
    """Link everything ingested into the home, as one recorded, audited run by ``by`` (a
    linkage officer)."""
    options = options or LinkOptions()
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), "link records")
    started_at = audit.utc_iso(deployment.clock())
    with Busy(deployment, "link"):
        deployment.clear_abandoned_work("link")
        deployment.links.mkdir(mode=0o700, exist_ok=True)
        _remove_unrecorded(deployment)
        started = time.perf_counter()
        tables = ingested_tables(deployment)
        if not tables:
            raise LinkageError(
                f"{deployment.root}: nothing has been ingested (or every ingest's identifiers "
                "were destroyed); run 'fivesafes ingest' first"
            )
        read_seconds = time.perf_counter() - started
        label = _next_label(deployment)
        work = deployment.new_work_folder("link")
        outcome = None
        try:
            outcome = link_tables(tables, work, options, as_of=as_of, on_phase=on_phase)
            outcome.notes.extend(fewer_than_last_time(deployment, outcome.records))
            summary = _summary(outcome, read_seconds, None,
                               {"mode": "home", "label": label, "ingests": _ingests(tables)})
            folder = work / label
            clusters = outcome.clusters.select(["record_key", "source", "cluster_id"])
            _write_results(folder, outcome, clusters, summary, None, f"linkage run {label}",
                           home=True)
            _publish(deployment, outcome, summary, tables, folder, label, by, started_at)
            return LinkRunResult(deployment.links / label, summary, label)
        finally:
            _close(outcome)
            shutil.rmtree(work, ignore_errors=True)


def fewer_than_last_time(deployment: Deployment, records: dict[str, int]) -> list[str]:
    """A note for each source with fewer records than in the home's last link run (a short
    re-ingest drops records: each source is linked from its newest ingest)."""
    with deployment.store.reading() as session:
        last = session.execute(
            select(LinkRun.label, LinkRun.summary).order_by(LinkRun.id.desc()).limit(1)).first()
    if last is None:
        return []
    before = json.loads(last[1]).get("records_per_source", {})
    notes = []
    for source, count in sorted(before.items()):
        now = records.get(source, 0)
        if now < count:
            notes.append(f"{source} has {now:,} records, fewer than the {count:,} of "
                         f"{last[0]}: its newest ingest is shorter; if records are missing, "
                         "ingest the full extract again and link")
    return notes


def reports_with_identifiers(deployment: Deployment, ingest_label: str
                             ) -> list[tuple[Path, Path | None]]:
    """The quality reports that show identifiers of ``ingest_label``: for each home link run
    that linked it and still holds a full report, that report and its version without
    identifiers (``None`` for a run written before there was one: the report then goes)."""
    with deployment.store.reading() as session:
        runs = session.execute(select(LinkRun.label, LinkRun.ingests).order_by(LinkRun.id)).all()
    found = []
    for label, ingests in runs:
        folder = deployment.links / label
        full, redacted = folder / REPORT, folder / REPORT_WITHOUT_IDENTIFIERS
        if ingest_label in json.loads(ingests) and full.exists() and (
                not redacted.exists() or full.read_bytes() != redacted.read_bytes()):
            found.append((full, redacted if redacted.exists() else None))
    return found


def _ingests(tables: list[IdentifierTable]) -> list[str]:
    return sorted({t.ingest for t in tables if t.ingest})


def _publish(deployment: Deployment, outcome: LinkOutcome, summary: dict[str, Any],
             tables: list[IdentifierTable], folder: Path, label: str, by: str,
             started_at: str) -> None:
    target = deployment.links / label
    relative = deployment.relative(target)
    with deployment.store.transaction() as session:
        session.add(LinkRun(
            label=label, ingests=json.dumps(_ingests(tables)), started_at=started_at,
            finished_at=audit.utc_iso(deployment.clock()), actor=by, engine=outcome.engine,
            threshold=outcome.threshold, records=sum(outcome.records.values()),
            clusters=outcome.clusters_count, folder=relative,
            summary=audit.canonical_json(summary),
        ))
        authorise(session, by, (Role.LINKAGE_OFFICER,), "link records")
        audit.record(
            session, by=by, action="link.complete", subject=label, at=deployment.clock(),
            details={"ingests": _ingests(tables), "engine": outcome.engine,
                     "threshold": outcome.threshold, "records": sum(outcome.records.values()),
                     "clusters": outcome.clusters_count, "folder": relative},
        )
        session.flush()
        with moved([(folder, target)]):
            session.flush()
