"""The identifier store of an ingest: reading it while it is held, and what a certificate says
about its files.

Each source of an ingest keeps its direct identifiers (names, date of birth, addresses) in one
encrypted Parquet file under the linkage zone, readable only with the ingest's data key. Linkage and
the digests read it here; :mod:`fivesafes.retention` destroys it. Once destroyed only the deletion
certificate in the audit log remains, and reading refuses, naming that certificate.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from fivesafes import audit
from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import FivesafesError, KeyMaterialError
from fivesafes.home import Deployment
from fivesafes.sources.ingest import identifiers_associated_data
from fivesafes.store.models import AuditEntry, IngestRun

HELD, DESTROYED = "held", "destroyed"


class RetentionError(FivesafesError):
    """An identifier store or version cannot be read, kept or destroyed as asked."""


class IdentifiersDestroyed(RetentionError):
    """The identifiers asked for were destroyed; only their certificate remains."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def file_records(deployment: Deployment, paths: list[Path]) -> list[dict[str, Any]]:
    """Path (relative to the home), SHA-256 and size of each file, for a certificate."""
    return [{"path": deployment.relative(p), "sha256": sha256_of(p), "bytes": p.stat().st_size}
            for p in sorted(paths) if p.is_file()]


def file_line(record: dict[str, Any]) -> str:
    """One file of a certificate (a :func:`file_records` entry) as a line to print."""
    line = f"    {record['path']}  sha256 {record['sha256']}  {record['bytes']:,} bytes"
    return f"{line}: {record['what']}" if "what" in record else line


def ingest_run(deployment: Deployment, ingest_label: str) -> IngestRun:
    with deployment.store.reading() as session:
        run = session.execute(
            select(IngestRun).where(IngestRun.label == ingest_label)
        ).scalar_one_or_none()
        if run is None:
            known = session.execute(select(IngestRun.label).order_by(IngestRun.id)).scalars()
            raise RetentionError(
                f"no ingest '{ingest_label}' in this home (ingests: "
                f"{', '.join(known) or 'none'}); check the label"
            )
        run.sources  # noqa: B018 - loaded before the session ends
    return run


def certificate_entry(deployment: Deployment, ingest_label: str) -> AuditEntry | None:
    with deployment.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(action="identifiers.destroyed",
                                                         subject=ingest_label))
    return entries[-1] if entries else None


def read_identifiers(deployment: Deployment, ingest_label: str, source: str) -> pa.Table:
    """The identifier store of one source of an ingest (record_key, record_id, identifiers).
    Refuses, naming the certificate, once the identifiers were destroyed."""
    run = ingest_run(deployment, ingest_label)
    if run.identifiers == DESTROYED:
        entry = certificate_entry(deployment, ingest_label)
        when = f" at {entry.at} by {entry.actor} (audit entry {entry.seq})" if entry else ""
        raise IdentifiersDestroyed(
            f"the identifiers of {ingest_label} were destroyed{when}; they cannot be read. "
            f"The deletion certificate: fivesafes audit show --action identifiers.destroyed "
            f"--subject {ingest_label}"
        )
    ingested = {s.source: s for s in run.sources}
    if source not in ingested:
        raise RetentionError(f"{ingest_label} has no source '{source}' (it has "
                             f"{', '.join(ingested) or 'none'})")
    try:
        key = deployment.keys.load_key(run.data_key)
    except KeyMaterialError:
        raise IdentifiersDestroyed(
            f"the data key of {ingest_label} was shredded but its destruction was not recorded "
            f"(an interrupted run); complete the record with 'fivesafes identifiers destroy "
            f"{ingest_label} --reason ...'"
        ) from None
    path = deployment.root / ingested[source].identifiers_path
    plain = read_encrypted(path, key, identifiers_associated_data(ingest_label, source))
    return pq.read_table(io.BytesIO(plain))
