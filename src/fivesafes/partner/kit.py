"""The partner's kit: what another department runs on its own machine (``fivesafes partner prepare``).

It reads the partner's extract through its source contract with the same readers and validation
as an ingest here (rows that would be quarantined are left out, counted and listed in a file that
stays with the partner), standardises the identifiers with :mod:`fivesafes.standardise` exactly as
linkage does, encodes them under the agreed secret (:mod:`~.agreement`, :mod:`~.records`) and writes
two packages (:mod:`~.packages`): the **identifier package** (record id and encodings), encrypted to
the home's linkage zone, and the **attribute package** (record id and the contract's attributes),
encrypted to the research-ready side. Both are signed with the partner's key and carry the same
batch id; no raw identifier leaves the partner's machine.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pyrage import x25519

from fivesafes.errors import ContractError
from fivesafes.partner.agreement import Kit, PartnerKeyError, PartnerKeys, agreed_secret
from fivesafes.partner.agreement import agreement_public as parse_agreement
from fivesafes.partner.encoding import Encoder, key_check_value
from fivesafes.partner.packages import ATTRIBUTES, IDENTIFIERS, RECORD_ID, write_package
from fivesafes.partner.records import encode_table
from fivesafes.progress import ProgressFn
from fivesafes.sources.contract import SourceContract
from fivesafes.sources.readers import reader_for
from fivesafes.sources.validation import ARROW_TYPES, ChunkValidator, refuse_repeated_ids, tally
from fivesafes.standardise import standardise
from fivesafes.standardise.specs import identifier_column_names, reading_iso_dates, spec_for

CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class PrepareResult:
    source: str
    batch: str
    read: int
    sent: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)
    identifiers: Path | None = None
    attributes: Path | None = None
    quarantine: Path | None = None


def _secret(keys: PartnerKeys, kit: Kit) -> bytes:
    if keys.partner != kit.partner:
        raise PartnerKeyError(f"the kit is for partner '{kit.partner}' but the key file is "
                              f"'{keys.partner}''s: use the kit the home made for your keys")
    secret = agreed_secret(keys.agreement, parse_agreement(kit.home_agreement, "kit"),
                           kit.partner)
    if key_check_value(secret) != kit.key_check:
        raise PartnerKeyError("the kit's key check does not match the secret these keys agree "
                              "with the home: the home registered another public key file; send "
                              "it this key file's public file again")
    return secret


def _read(contract: SourceContract, quarantine: Path, on_progress: ProgressFn | None
          ) -> tuple[pa.Table, pa.Table, int, int, Counter[str], frozenset[str]]:
    """The accepted rows as an identifier table (record_key = record_id, as linkage reads a
    standalone extract) and an attribute table; rows that fail validation go to ``quarantine``."""
    reader = reader_for(contract)
    reader.check()
    con = duckdb.connect()
    names = identifier_column_names(contract)
    id_schema = pa.schema([pa.field(n, pa.string()) for n in ("record_key", "record_id", *names)])
    attr_schema = pa.schema([pa.field(RECORD_ID, pa.string(), nullable=False)]
                            + [pa.field(a.column, ARROW_TYPES[a.type])
                               for a in contract.attributes])
    ids: list[pa.RecordBatch] = []
    attrs: list[pa.RecordBatch] = []
    read = quarantined = 0
    reasons: Counter[str] = Counter()
    iso: set[str] = set()
    try:
        con.execute("SET threads = 2")
        validator = ChunkValidator(contract, con)
        with open(quarantine, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["position", "column", "reason", "value"])
            for chunk in reader.chunks(CHUNK_ROWS):
                iso |= chunk.iso_dates
                result = validator.validate(chunk)
                read += chunk.rows_read
                quarantined += result.quarantined_rows
                tally(result.problems, reasons, Counter())
                for p in result.problems:
                    if not p.kept:
                        out.writerow([p.position, p.column, p.reason, p.value])
                record_ids = result.record_ids.cast(pa.string())
                ids.append(pa.RecordBatch.from_arrays(
                    [record_ids, record_ids]
                    + [result.identifiers[n].cast(pa.string()) for n in names], schema=id_schema))
                attrs.append(pa.RecordBatch.from_arrays(
                    [record_ids] + [result.attributes[a.column] for a in contract.attributes],
                    schema=attr_schema))
                if on_progress:
                    on_progress(contract.name, reader.done, reader.total)
    finally:
        con.close()
    return (pa.Table.from_batches(ids, schema=id_schema),
            pa.Table.from_batches(attrs, schema=attr_schema), read, quarantined, reasons,
            frozenset(iso))


def _standardised(contract: SourceContract, table: pa.Table, iso: frozenset[str]) -> pa.Table:
    con = duckdb.connect()
    try:
        con.register("partner_ids", table)
        spec = reading_iso_dates(spec_for(contract), iso, con, "partner_ids")
        standardise(con, "partner_ids", spec, "std")
        return con.table("std").to_arrow_table()
    finally:
        con.close()


def _describe(contract: SourceContract, batch: str) -> dict[str, Any]:
    return {"source": contract.name, "owner": contract.owner, "batch": batch,
            "title": contract.title or contract.name}


def _attribute_declarations(contract: SourceContract) -> dict[str, Any]:
    """The contract as the home records it: its attributes and description, no identifiers
    and no path on the partner's machine."""
    data = contract.as_json()
    return {"description": data["description"], "jurisdictions": data["jurisdictions"],
            "systems": data["systems"], "attributes": data["attributes"]}


def prepare(contract: SourceContract, keys: PartnerKeys, kit: Kit, out: Path, *,
            on_progress: ProgressFn | None = None) -> PrepareResult:
    """Write the two packages of ``contract``'s extract into ``out`` (see the module docstring)."""
    if not identifier_column_names(contract):
        raise ContractError(f"source '{contract.name}': the contract declares no identifiers to "
                            "encode (forename, surname, date_of_birth, sex, postcode)")
    secret = _secret(keys, kit)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    batch = str(uuid.uuid4())
    quarantine = out / f"left-out-{contract.name}-{batch[:8]}.csv"  # not a package: stays here
    identifiers, attributes, read, quarantined, reasons, iso = _read(contract, quarantine,
                                                                     on_progress)
    refuse_repeated_ids(contract, identifiers)
    encoder = Encoder(secret, kit.encoding)
    # the record key of the standardised table is the record id (see _read)
    encoded = encode_table(_standardised(contract, identifiers, iso), encoder)
    encoded = encoded.rename_columns([RECORD_ID, *encoded.column_names[1:]])
    signer = keys.signing
    described = _describe(contract, batch)
    id_folder = write_package(out, kind=IDENTIFIERS, table=encoded,
                              recipient=x25519.Recipient.from_str(kit.identifiers_recipient),
                              signer=signer, partner=kit.partner, parameters=kit.encoding,
                              key_check=encoder.check_value, describe=described)
    attr_folder = write_package(out, kind=ATTRIBUTES, table=attributes,
                                recipient=x25519.Recipient.from_str(kit.attributes_recipient),
                                signer=signer, partner=kit.partner,
                                describe=described | {"contract":
                                                      _attribute_declarations(contract)})
    return PrepareResult(contract.name, batch, read, attributes.num_rows, quarantined,
                         dict(reasons.most_common()), id_folder, attr_folder, quarantine)

