"""Ingest: validate source extracts against their contracts and split each accepted record into
the identifier store (encrypted) and the attribute store, both in the linkage zone.

One ingest run takes every given source together, all or nothing. Results are written to a
scratch folder and moved into the linkage zone only when every source has been read; the move and
the ingest's record in the metadata store (with its audit entry) happen in one transaction. A run
that is killed leaves the home as it was: its scratch folder, and anything moved but not recorded,
are cleared by the next run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.encrypted_files import EncryptedWriter
from fivesafes.errors import SourceFileError
from fivesafes.home import STORES, Busy, Deployment, move_all
from fivesafes.keys import RECORD_KEY_SECRET, new_key
from fivesafes.progress import ProgressFn
from fivesafes.pseudonyms import record_keys
from fivesafes.sources.contract import SourceContract
from fivesafes.sources.readers import reader_for
from fivesafes.sources.validation import ARROW_TYPES, ChunkValidator, Problem, tally
from fivesafes.store.models import IngestedSource, IngestRun

DOING = "ingest source extracts"
QUARANTINE_COLUMNS = ["column", "reason", "value"]
#: Beside each source's quarantine file: accepted rows with an identifier value linkage cannot
#: read (kept, linked on their other identifiers).
WARNINGS_SUFFIX = ".identifier-warnings.csv"


@dataclass(frozen=True)
class SourceResult:
    source: str
    owner: str
    file: Path
    read: int
    accepted: int
    quarantined: int
    #: what quarantined rows, ``column: reason`` -> rows, most first (a row that breaks two
    #: checks counts under both; an unreadable identifier value of a row rejected for another
    #: reason is not counted, though the quarantine file lists it with the row)
    reasons: dict[str, int]
    ignored_columns: tuple[str, ...]
    attributes_path: str
    identifiers_path: str
    quarantine_path: str
    #: accepted records with an identifier value linkage cannot read (a date of birth that is
    #: not a date, an undeclared sex code), listed in the warnings file beside the quarantine
    warnings: int = 0
    warning_reasons: dict[str, int] = field(default_factory=dict)
    warnings_path: str = ""


@dataclass(frozen=True)
class IngestResult:
    label: str
    sources: list[SourceResult] = field(default_factory=list)
    seconds: float = 0.0
    #: what the officer confirmed (an empty extract allowed, a shrink accepted), said again in
    #: the summary and the audit entry
    notices: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(s.quarantined for s in self.sources)

    @property
    def warnings(self) -> int:
        return sum(s.warnings for s in self.sources)


def identifiers_associated_data(label: str, source: str) -> bytes:
    """What an identifier-store file is bound to: decrypting it for another purpose fails."""
    return f"identifiers/{label}/{source}".encode()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def next_label(deployment: Deployment) -> str:
    """The label of the next ingest run (a partner's received packages are one too)."""
    return deployment.next_label(IngestRun.id, "ingest")


def remove_unrecorded(deployment: Deployment) -> None:
    """Remove stores that a killed run (an ingest, or a partner's packages being received)
    moved into the linkage zone but never recorded."""
    recorded = deployment.remove_unrecorded(
        IngestRun.label, deployment.ingest_stores.values(), "ingest")
    for key in deployment.keys.folder.glob("ingest-*.wrapped"):
        if key.name.removesuffix(".wrapped") not in recorded:
            deployment.keys.shred(key.name.removesuffix(".wrapped"))


class _SourceWriter:
    """Writes one source's three outputs in the scratch folder."""

    def __init__(self, contract: SourceContract, work: Path, label: str, data_key: bytes) -> None:
        self.contract = contract
        name = contract.name
        self.attributes_path = work / "attributes" / label / f"{name}.parquet"
        self.identifiers_path = work / "identifiers" / label / f"{name}.parquet.enc"
        self.quarantine_path = work / "quarantine" / label / f"{name}.csv"
        self.warnings_path = work / "quarantine" / label / f"{name}{WARNINGS_SUFFIX}"
        attr_fields = [pa.field("record_key", pa.string(), nullable=False)]
        attr_fields += [pa.field(a.column, ARROW_TYPES[a.type]) for a in contract.attributes]
        id_fields = [pa.field("record_key", pa.string(), nullable=False),
                     pa.field("record_id", pa.string(), nullable=False)]
        id_fields += [pa.field(i.column, pa.string()) for i in self._identifier_columns()]
        self.attr_schema = pa.schema(attr_fields)
        self.id_schema = pa.schema(id_fields)
        self._attrs = pq.ParquetWriter(self.attributes_path, self.attr_schema,
                                       compression="zstd")
        self._sink = EncryptedWriter(self.identifiers_path, data_key,
                                     identifiers_associated_data(label, name))
        self._ids = pq.ParquetWriter(self._sink, self.id_schema, compression="zstd")
        position = "line" if contract.file.format == "csv" else "row"
        self._files = []
        self._quarantine = self._csv(self.quarantine_path, position)
        self._warnings = self._csv(self.warnings_path, position)

    def _csv(self, path: Path, position: str):
        fh = open(path, "w", encoding="utf-8", newline="")
        self._files.append(fh)
        writer = csv.writer(fh)
        writer.writerow([position, *QUARANTINE_COLUMNS])
        return writer

    def _identifier_columns(self) -> list:
        """Identifier columns other than the record id (which is stored as ``record_id``)."""
        return [i for i in self.contract.identifiers if i.column != self.contract.record_id]

    def write(self, keys: pa.Array, record_ids: pa.Array, identifiers: dict[str, pa.Array],
              attributes: dict[str, pa.Array]) -> None:
        attr_cols = [keys] + [attributes[a.column] for a in self.contract.attributes]
        self._attrs.write_table(pa.Table.from_arrays(attr_cols, schema=self.attr_schema))
        id_cols = [keys, record_ids]
        id_cols += [identifiers[i.column] for i in self._identifier_columns()]
        self._ids.write_table(pa.Table.from_arrays(id_cols, schema=self.id_schema))

    def quarantine(self, problems: list[Problem]) -> None:
        """Rejected rows go to the quarantine; unreadable identifier values of accepted rows
        to the warnings file."""
        for p in problems:
            (self._warnings if p.kept else self._quarantine).writerow(
                [p.position, p.column, p.reason, p.value])

    def close(self) -> None:
        self._attrs.close()
        self._ids.close()
        self._sink.close()
        for fh in self._files:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()


def _ingest_source(contract: SourceContract, writer: _SourceWriter, secret: bytes,
                   con: duckdb.DuckDBPyConnection, chunk_rows: int,
                   on_progress: ProgressFn | None
                   ) -> tuple[int, int, int, Counter[str], Counter[str]]:
    reader = reader_for(contract)
    validator = ChunkValidator(contract, con)
    first_seen: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    read = accepted = quarantined = 0
    reasons: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for chunk in reader.chunks(chunk_rows):
        result = validator.validate(chunk)
        read += chunk.rows_read
        quarantined += result.quarantined_rows
        accepted += len(result.record_ids)
        writer.quarantine(result.problems)
        tally(result.problems, reasons, warnings)
        ids = result.record_ids.to_pylist()
        positions = iter(_accepted_positions(chunk.positions, result, chunk))
        for rid in ids:
            pos = next(positions)
            first = first_seen.setdefault(rid, pos)
            if first != pos:
                duplicates.append((rid, first, pos))
        if not duplicates:
            keys = record_keys(secret, contract.name, result.record_ids)
            writer.write(keys, result.record_ids, result.identifiers, result.attributes)
        if on_progress:
            on_progress(contract.name, reader.done, reader.total)
    if duplicates:
        rid, first, again = duplicates[0]
        where = "line" if contract.file.format == "csv" else "row"
        raise SourceFileError(
            f"{contract.file.path}: {len(duplicates)} record id(s) in column "
            f"'{contract.record_id}' are duplicated (e.g. '{rid}' on {where}s {first} and "
            f"{again}); record ids must be unique within a source: ask the data owner to fix "
            "the extract, or name a unique column as record_id in the contract"
        )
    return read, accepted, quarantined, reasons, warnings


def _accepted_positions(positions: list[int], result, chunk) -> list[int]:
    """Positions of the rows that were accepted, in order."""
    if result.quarantined_rows == len(chunk.shape_problems):
        return positions
    rejected = {p.position for p in result.problems if not p.kept}
    return [p for p in positions if p not in rejected]


def ingest(deployment: Deployment, contracts: list[SourceContract], *, by: str,
           on_progress: ProgressFn | None = None, allow_empty: bool = False,
           accept_shrink: bool = False) -> IngestResult:
    """Ingest every source in ``contracts`` as one run, recorded and audited by ``by`` (a
    linkage officer).

    A source with no data rows is refused unless ``allow_empty``, and one that reads more than
    the configured share fewer rows than its last ingest unless ``accept_shrink``: the next link
    takes each source from its newest ingest, so a short extract would silently drop records."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
    started = time.perf_counter()
    started_at = audit.utc_iso(deployment.clock())
    with Busy(deployment, "ingest"):
        deployment.clear_abandoned_work("ingest")
        remove_unrecorded(deployment)
        headers = {c.name: reader_for(c).check() for c in contracts}  # every file, before work
        label = next_label(deployment)
        work = deployment.new_work_folder("ingest")
        try:
            return _run(deployment, contracts, headers, label, work, by, started, started_at,
                        on_progress, Confirmed(allow_empty, accept_shrink))
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _run(deployment: Deployment, contracts: list[SourceContract], headers: dict[str, list[str]],
         label: str, work: Path, by: str, started: float, started_at: str,
         on_progress: ProgressFn | None, confirmed: Confirmed) -> IngestResult:
    for store in STORES:
        (work / store / label).mkdir(parents=True, mode=0o700)
    data_key = new_key()
    key_file = deployment.keys.store_key(label, data_key, folder=work / "keys")
    secret = deployment.keys.load_key(RECORD_KEY_SECRET)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    results: list[SourceResult] = []
    try:
        for contract in contracts:
            writer = _SourceWriter(contract, work, label, data_key)
            try:
                read, accepted, quarantined, reasons, warnings = _ingest_source(
                    contract, writer, secret, con, deployment.settings.ingest_chunk_rows,
                    on_progress)
            finally:
                writer.close()
            results.append(SourceResult(
                source=contract.name, owner=contract.owner, file=contract.file.path,
                read=read, accepted=accepted, quarantined=quarantined,
                reasons=dict(reasons.most_common()),
                ignored_columns=tuple(h for h in headers[contract.name]
                                      if h not in contract.columns),
                attributes_path=deployment.relative(
                    deployment.attributes / label / f"{contract.name}.parquet"),
                identifiers_path=deployment.relative(
                    deployment.identifiers / label / f"{contract.name}.parquet.enc"),
                quarantine_path=deployment.relative(
                    deployment.quarantine / label / f"{contract.name}.csv"),
                warnings=sum(warnings.values()), warning_reasons=dict(warnings.most_common()),
                warnings_path=deployment.relative(
                    deployment.quarantine / label / f"{contract.name}{WARNINGS_SUFFIX}"),
            ))
    finally:
        con.close()
    notices = _check_counts(deployment, results, confirmed)
    digests = {c.name: file_sha256(c.file.path) for c in contracts}
    result = IngestResult(label, results, time.perf_counter() - started, notices)
    _publish(deployment, contracts, result, digests, work, key_file, by, started_at)
    return result


@dataclass(frozen=True)
class Confirmed:
    """What the officer confirmed in advance for this run."""

    allow_empty: bool = False
    accept_shrink: bool = False


def last_rows_read(session: Session, source: str) -> tuple[str, int] | None:
    """The newest earlier ingest of ``source`` and the rows it read, if any."""
    row = session.execute(
        select(IngestRun.label, IngestedSource.rows_read).join(IngestedSource.run)
        .where(IngestedSource.source == source).order_by(IngestRun.id.desc()).limit(1)
    ).first()
    return None if row is None else (row[0], int(row[1]))


def _check_counts(deployment: Deployment, results: list[SourceResult],
                  confirmed: Confirmed) -> tuple[str, ...]:
    """Refuse an empty or shrunken extract unless confirmed; the notices of confirmed ones."""
    share = deployment.settings.ingest_shrink_share
    notices: list[str] = []
    with deployment.store.reading() as session:
        for r in results:
            last = last_rows_read(session, r.source)
            if r.read == 0:
                if not confirmed.allow_empty:
                    raise SourceFileError(
                        f"{r.file}: no data rows (a header only); the next link takes "
                        f"{r.source} from its newest ingest, so every {r.source} record would be "
                        "dropped: ask the data owner for the full extract, or pass "
                        "--allow-empty if the source really has no records now")
                notices.append(f"{r.source}: empty extract ingested (--allow-empty)")
                continue
            if last is None or last[1] == 0 or r.read >= last[1] * (1 - share):
                continue
            fewer = 1 - r.read / last[1]
            said = (f"{r.source}: {r.read:,} rows read, {fewer:.0%} fewer than the "
                    f"{last[1]:,} of {last[0]}")
            if not confirmed.accept_shrink:
                raise SourceFileError(
                    f"{r.file}: {said} (more than the {share:.0%} ingest.shrink_share allows); "
                    f"the next link takes {r.source} from this ingest, so the missing records "
                    "would be dropped: check the extract is complete, or pass --accept-shrink "
                    "if the source really shrank")
            notices.append(f"{said} (--accept-shrink)")
    return tuple(notices)


def _publish(deployment: Deployment, contracts: list[SourceContract], result: IngestResult,
             digests: dict[str, str], work: Path, key_file: Path, by: str,
             started_at: str) -> None:
    """Move the run's stores into the linkage zone and record it, in one transaction."""
    label = result.label
    by_name = {c.name: c for c in contracts}
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)  # still allowed, as it commits
        run = IngestRun(label=label, started_at=started_at,
                        finished_at=audit.utc_iso(deployment.clock()), actor=by,
                        data_key=label, identifiers="held")
        for r in result.sources:
            run.sources.append(IngestedSource(
                source=r.source, owner=r.owner,
                contract=audit.canonical_json(by_name[r.source].as_json()),
                file_name=str(r.file), file_sha256=digests[r.source], rows_read=r.read,
                rows_accepted=r.accepted, rows_quarantined=r.quarantined,
                attributes_path=r.attributes_path, identifiers_path=r.identifiers_path,
                quarantine_path=r.quarantine_path,
            ))
        session.add(run)
        audit.record(
            session, by=by, action="ingest.complete", subject=label, at=deployment.clock(),
            details={
                "sources": {r.source: {"file_sha256": digests[r.source], "read": r.read,
                                       "accepted": r.accepted, "quarantined": r.quarantined,
                                       "identifier_warnings": r.warnings}
                            for r in result.sources},
                **({"confirmed": list(result.notices)} if result.notices else {}),
            },
        )
        session.flush()
        move_all([(work / store / label, folder / label)
                  for store, folder in deployment.ingest_stores.items()]
                 + [(key_file, deployment.keys.folder / key_file.name)])


def quarantine_summary(source: SourceResult) -> list[str]:
    """Why ``source``'s rows were quarantined: a line with the count, then each column and
    reason with the rows it quarantined (``  offence_code: not one of ... (290)``). Empty when
    none was."""
    if not source.quarantined:
        return []
    head = f"{source.source}: {source.quarantined:,} row(s) quarantined"
    if sum(source.reasons.values()) > source.quarantined:
        head += " (a row that breaks several checks counts under each)"
    return [head + ":"] + [f"  {reason} ({count:,})" for reason, count in source.reasons.items()]


def summary_json(result: IngestResult) -> str:
    return json.dumps({
        "ingest": result.label, "seconds": round(result.seconds, 2),
        "read": result.read, "accepted": result.accepted, "quarantined": result.quarantined,
        "notices": list(result.notices),
        "sources": [{
            "source": s.source, "file": str(s.file), "read": s.read, "accepted": s.accepted,
            "quarantined": s.quarantined, "reasons": s.reasons,
            "identifier_warnings": s.warnings, "warning_reasons": s.warning_reasons,
            "warnings": s.warnings_path,
            "ignored_columns": list(s.ignored_columns), "attributes": s.attributes_path,
            "identifiers": s.identifiers_path, "quarantine": s.quarantine_path,
        } for s in result.sources],
    }, indent=2)
