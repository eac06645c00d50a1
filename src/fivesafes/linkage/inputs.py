"""Identifier tables for linkage: read from extract files (standalone) or a home's identifier store.

Either way each source becomes one Arrow table shaped like the identifier store: ``record_key``,
``record_id`` and the contract's identifier columns by their source names, all text. Standalone
files are read and validated exactly as ingest reads them (:func:`~fivesafes.sources.readers.
reader_for`, :class:`~fivesafes.sources.validation.ChunkValidator`): rows ingest would quarantine
are left out and counted; there the record key is the record id.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import SourceFileError
from fivesafes.home import Deployment
from fivesafes.linkage.encoded import PartnerEncoding
from fivesafes.partner.encoding import EncodingParameters
from fivesafes.partner.models import Partner
from fivesafes.progress import ProgressFn
from fivesafes.sources.contract import SourceContract, contract_from_json
from fivesafes.sources.ingest import identifiers_associated_data
from fivesafes.sources.readers import reader_for
from fivesafes.sources.validation import ChunkValidator, refuse_repeated_ids, tally
from fivesafes.standardise.specs import identifier_column_names
from fivesafes.store.models import IngestRun

__all__ = ["IdentifierTable", "ingested_tables", "read_extracts"]

CHUNK_ROWS = 200_000


@dataclass
class IdentifierTable:
    """One source's identifier table and where it came from."""

    contract: SourceContract
    table: pa.Table
    ingest: str | None = None  # the ingest label, in a home
    quarantined: int = 0  # standalone: rows left out (ingest would have quarantined them)
    reasons: dict[str, int] = field(default_factory=dict)
    #: standalone: records linked although one identifier value could not be read (by reason)
    unreadable: dict[str, int] = field(default_factory=dict)
    iso_dates: frozenset[str] = frozenset()  # columns a Parquet file held as dates (ISO text)
    #: a partner department's source: its encoded identifiers and how they were encoded
    encoding: PartnerEncoding | None = None

    @property
    def source(self) -> str:
        return self.contract.name


def _schema(contract: SourceContract) -> pa.Schema:
    names = ["record_key", "record_id", *identifier_column_names(contract)]
    return pa.schema([pa.field(name, pa.string()) for name in names])


def _read_one(contract: SourceContract, con: duckdb.DuckDBPyConnection, chunk_rows: int,
              on_progress: ProgressFn | None) -> IdentifierTable:
    reader = reader_for(contract)
    validator = ChunkValidator(contract, con)
    schema = _schema(contract)
    names = identifier_column_names(contract)
    batches: list[pa.RecordBatch] = []
    quarantined = 0
    reasons: Counter[str] = Counter()
    unreadable: Counter[str] = Counter()
    iso: set[str] = set()
    for chunk in reader.chunks(chunk_rows):
        iso |= chunk.iso_dates
        result = validator.validate(chunk)
        quarantined += result.quarantined_rows
        tally(result.problems, reasons, unreadable)
        ids = result.record_ids.cast(pa.string())
        arrays = [ids, ids] + [result.identifiers[name].cast(pa.string()) for name in names]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        if on_progress:
            on_progress(contract.name, reader.done, reader.total)
    table = pa.Table.from_batches(batches, schema=schema)
    refuse_repeated_ids(contract, table)
    return IdentifierTable(contract, table, quarantined=quarantined,
                           reasons=dict(reasons.most_common()), iso_dates=frozenset(iso),
                           unreadable=dict(unreadable.most_common()))


def read_extracts(contracts: list[SourceContract], *, chunk_rows: int = CHUNK_ROWS,
                  on_progress: ProgressFn | None = None) -> list[IdentifierTable]:
    """Read and validate every contract's extract (all files are checked before any is read)."""
    for contract in contracts:
        reader_for(contract).check()
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        return [_read_one(c, con, chunk_rows, on_progress) for c in contracts]
    finally:
        con.close()


def ingested_tables(deployment: Deployment) -> list[IdentifierTable]:
    """Every source held in the home's identifier stores; a source ingested more than once is
    taken from its newest ingest (record keys are stable, so a record is linked once)."""
    with deployment.store.reading() as session:
        runs = session.execute(
            select(IngestRun).where(IngestRun.identifiers == "held").order_by(IngestRun.id)
            .options(selectinload(IngestRun.sources))
        ).scalars().all()
        held = [(run.label, run.data_key, s.source, s.contract, s.identifiers_path, s.partner)
                for run in runs for s in run.sources]
        partners = {p.name: (p.linkage_secret, p.encoding)
                    for p in session.execute(select(Partner)).scalars()}
    newest: dict[str, tuple[str, str, str, str, str, str | None]] = {}
    for entry in held:
        newest[entry[2]] = entry
    tables = []
    for label, key_name, source, contract_json, path, partner in newest.values():
        contract = contract_from_json(contract_json)
        key = deployment.keys.load_key(key_name)
        plain = read_encrypted(deployment.root / path, key,
                               identifiers_associated_data(label, source))
        table = pq.read_table(io.BytesIO(plain))
        if partner is None:
            tables.append(IdentifierTable(contract, table.cast(_schema(contract)), ingest=label))
        else:
            tables.append(IdentifierTable(contract, table, ingest=label,
                                          encoding=_partner_encoding(deployment, source,
                                                                     partner, partners)))
    return tables


def _partner_encoding(deployment: Deployment, source: str, partner: str,
                      partners: dict[str, tuple[str, dict[str, Any]]]) -> PartnerEncoding:
    """How partner ``partner`` encoded source ``source``: its parameters and the secret from the
    home's key ring (errors name the partner, never the secret)."""
    if partner not in partners:
        raise SourceFileError(f"source {source} came from partner {partner}, which is not "
                              "registered in this home: register the partner again or remove "
                              "the source")
    secret_name, encoding = partners[partner]
    parameters = EncodingParameters.from_manifest(encoding)  # a JSON column: a dict
    return PartnerEncoding(parameters, deployment.keys.load_key(secret_name))
