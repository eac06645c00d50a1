"""Destroying an ingest's identifiers, with a deletion certificate.

Publishing a link run accepts it, and acceptance destroys the identifiers of every ingest the
run linked (:func:`fivesafes.catalogue.publish.publish`, unless they are kept for a quality
review); the retention schedule destroys kept ones later, as a backstop. Destruction takes, in
one transaction that also writes the certificate (``identifiers.destroyed``) to the audit log:

* the identifier store (encrypted files) and its data key (overwritten, then removed);
* the ingest's quarantined rows (they can hold identifier values: a bad date of birth, say);
* every derived file that shows the ingest's identifiers: the quality report of each link run
  that linked it is replaced by its version without identifiers (examples by record key).

The digests are built first, while the store can still be read: the release gate and the
replaced ids use them later without any plaintext. Each file the certificate lists has its
path, size and SHA-256 as it was before it went.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.catalogue.digests import digest_folder, ensure_digests_locked, has_digests
from fivesafes.home import Busy, Deployment, moved
from fivesafes.linkage.runs import reports_with_identifiers
from fivesafes.sources.identifier_store import (
    DESTROYED,
    RetentionError,
    certificate_entry,
    file_line,
    file_records,
    ingest_run,
    sha256_of,
)
from fivesafes.store.models import IngestRun

DOING = "destroy identifiers"


@dataclass(frozen=True)
class DestructionCertificate:
    """What the audit entry ``identifiers.destroyed`` records."""

    ingest: str
    at: str
    by: str
    reason: str
    audit_seq: int
    details: dict[str, Any] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        """The certificate as lines to print: what went, each file with its digest."""
        files = self.details.get("files", [])
        derived = self.details.get("derived_files", [])
        lines = [f"identifiers of {self.ingest} destroyed at {self.at} by {self.by} "
                 f"(certificate: audit entry {self.audit_seq})",
                 f"  data key {self.details['key']['name']} shredded; {len(files)} file(s) "
                 "removed:"]
        lines += [file_line(f) for f in files]
        if derived:
            lines.append(f"  {len(derived)} derived file(s) showing identifiers:")
            lines += [file_line(f) for f in derived]
        return lines


def destroy_identifiers(deployment: Deployment, ingest_label: str, *, by: str, reason: str
                        ) -> DestructionCertificate:
    """Destroy the identifiers of ``ingest_label`` and every file derived from them, recording
    a deletion certificate in the audit log in the same transaction. ``by`` is a linkage
    officer."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    return destroy_as_scheduled(deployment, ingest_label, by=by, reason=reason,
                                check_actor=True)


def destroy_as_scheduled(deployment: Deployment, ingest_label: str, *, by: str, reason: str,
                         check_actor: bool = False) -> DestructionCertificate:
    """:func:`destroy_identifiers` for the retention schedule, which acts as the system on
    what is due only (``check_actor`` is false there)."""
    if not reason.strip():
        raise RetentionError("say why the identifiers are destroyed (--reason), e.g. "
                             "'linkage link-0002 complete'")
    with Busy(deployment, "identifiers"):
        return _destroy_locked(deployment, ingest_label, by=by, reason=reason.strip(),
                               check_actor=check_actor)


def _report_record(deployment: Deployment, report: Path, replacement: Path | None
                   ) -> dict[str, Any]:
    [record] = file_records(deployment, [report])
    record["what"] = ("quality report with identifiers, replaced by its version without "
                      f"them ({deployment.relative(replacement)})" if replacement else
                      "quality report with identifiers, removed (written before reports had a "
                      "version without identifiers)")
    return record


def _destroy_locked(deployment: Deployment, ingest_label: str, *, by: str, reason: str,
                    check_actor: bool) -> DestructionCertificate:
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
    folder = deployment.identifiers / ingest_label
    quarantine = deployment.quarantine / ingest_label
    reports = reports_with_identifiers(deployment, ingest_label)
    key_path = deployment.keys.folder / f"{run.data_key}.wrapped"
    files = file_records(deployment, [f for d in (folder, quarantine) if d.exists()
                                      for f in d.rglob("*")])
    at = deployment.clock()
    details: dict[str, Any] = {
        "what": f"identifier store of {ingest_label}",
        "sources": {s.source: s.rows_accepted for s in run.sources},
        "files": files,
        "derived_files": [_report_record(deployment, report, replacement)
                          for report, replacement in reports],
        "key": {"name": run.data_key, **({"sha256": sha256_of(key_path),
                                          "bytes": key_path.stat().st_size} if key_held
                                         else {"note": "already shredded by an interrupted run"})},
        "method": "data key overwritten with random bytes and removed; encrypted files and "
                  "quarantined rows removed; reports showing identifiers replaced by their "
                  "versions without them",
        "reason": reason,
        "digests_kept": (deployment.relative(digest_folder(deployment, ingest_label))
                         if has_digests(deployment, ingest_label) else None),
    }
    trash = deployment.new_work_folder("destroy")
    try:
        with deployment.store.transaction() as session:
            if check_actor:
                authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
            row = session.get(IngestRun, run.id)
            row.identifiers = DESTROYED
            entry = audit.record(session, by=by, action="identifiers.destroyed",
                                 subject=ingest_label, details=details, at=at)
            session.flush()
            _take_away(deployment, trash, [(folder, "identifiers"), (quarantine, "quarantine")],
                       reports, run.data_key)
            seq = entry.seq
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return DestructionCertificate(ingest_label, audit.utc_iso(at), by, reason, seq, details)


def _take_away(deployment: Deployment, trash: Path, folders: list[tuple[Path, str]],
               reports: list[tuple[Path, Path | None]], data_key: str) -> None:
    """Move everything that goes into ``trash`` (replacing each report by its version without
    identifiers), then shred the key; put everything back if any step fails before the key."""
    moves = [(origin, trash / name) for origin, name in folders if origin.exists()]
    moves += [(report, trash / f"report-{i}.html") for i, (report, _) in enumerate(reports)]
    copied: list[Path] = []
    with moved(moves):
        try:
            for report, replacement in reports:
                if replacement is not None:
                    shutil.copyfile(replacement, report)
                    copied.append(report)
            deployment.keys.shred(data_key)  # irreversible: the last step
        except BaseException:
            for report in copied:
                report.unlink(missing_ok=True)
            raise
