"""Receiving a partner's two packages into the home (``fivesafes partner receive``; linkage officer).

Both packages of one batch are verified (:func:`~.packages.open_package`: signed by the
registered partner, encrypted to this home's identity for that kind, payload untampered, not
received before, encoded under the agreed key and parameters, identifiers and attributes never
mixed) and checked against each other (same partner, source, batch and record ids). They then
become one ingest run, like an extract ingested here: the encodings and record ids go to the
identifier store (encrypted under the run's data key, so destroying identifiers after linking
destroys them too), the attributes under record keys to the attribute store. The run, its source
(``IngestedSource.partner`` names the partner), the two package ids and the audit entry are
recorded in one transaction with the move into the linkage zone. A refused package is audited as a
security event and nothing is kept.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.encrypted_files import EncryptedWriter
from fivesafes.errors import FivesafesError
from fivesafes.home import STORES, Busy, Deployment, move_all
from fivesafes.keys import RECORD_KEY_SECRET, new_key
from fivesafes.partner.agreement import signing_public
from fivesafes.partner.encoding import EncodingParameters
from fivesafes.partner.models import Partner, PartnerPackage
from fivesafes.partner.packages import (
    ATTRIBUTES,
    IDENTIFIERS,
    MANIFEST,
    RECORD_ID,
    PartnerPackageRefused,
    open_package,
)
from fivesafes.partner.registry import ACTIVE, get_partner, load_identity
from fivesafes.pseudonyms import record_keys
from fivesafes.sources.contract import SourceContract, SourceFile, attribute_from_dict
from fivesafes.sources.ingest import (
    identifiers_associated_data,
    next_label,
    remove_unrecorded,
)
from fivesafes.store.models import IngestedSource, IngestRun

DOING = "receive a partner department's packages"


@dataclass(frozen=True)
class ReceiveResult:
    label: str
    partner: str
    source: str
    rows: int
    packages: dict[str, str]  # kind -> package id
    seconds: float


@dataclass(frozen=True)
class _Opened:
    folder: Path
    manifest: dict[str, Any]
    table: pa.Table


def _kind(folder: Path) -> str:
    """The kind a package says it is (checked by its signature when it is opened)."""
    try:
        kind = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        raise PartnerPackageRefused(f"{folder.name}: {MANIFEST} is missing or unreadable; not "
                                    "a partner package") from None
    if kind not in (IDENTIFIERS, ATTRIBUTES):
        raise PartnerPackageRefused(f"{folder.name}: unknown package kind {kind!r}")
    return str(kind)


def _open_all(deployment: Deployment, partner: Partner, folders: list[Path],
              received: set[str]) -> dict[str, _Opened]:
    sender = signing_public(partner.signing_key)
    parameters = EncodingParameters.from_manifest(partner.encoding)
    identities = {IDENTIFIERS: load_identity(deployment.keys, partner.identifiers_identity),
                  ATTRIBUTES: load_identity(deployment.keys, partner.attributes_identity)}
    opened: dict[str, _Opened] = {}
    for folder in folders:
        kind = _kind(folder)
        if kind in opened:
            raise PartnerPackageRefused(f"{folder.name}: two {kind} packages given; receive "
                                        "one identifier and one attribute package of a batch")
        manifest, table = open_package(folder, sender=sender, identity=identities[kind],
                                       received=received, key_check=partner.key_check,
                                       parameters=parameters)
        if manifest.get("partner") != partner.name:
            raise PartnerPackageRefused(f"{folder.name}: made for partner "
                                        f"{manifest.get('partner')!r}, not {partner.name!r}")
        opened[kind] = _Opened(folder, manifest, table)
    missing = [k for k in (IDENTIFIERS, ATTRIBUTES) if k not in opened]
    if missing:
        raise FivesafesError(f"no {missing[0]} package given: receive both packages of a batch "
                             "together (the identifier and the attribute package)")
    _check_pair(opened[IDENTIFIERS], opened[ATTRIBUTES])
    return opened


def _check_pair(ids: _Opened, attrs: _Opened) -> None:
    for key in ("source", "batch"):
        if not ids.manifest.get(key) or ids.manifest.get(key) != attrs.manifest.get(key):
            raise PartnerPackageRefused(
                f"{ids.folder.name} and {attrs.folder.name}: not one batch (their {key} "
                f"differs: {ids.manifest.get(key)!r} and {attrs.manifest.get(key)!r})")
    left, right = ids.table.column(RECORD_ID), attrs.table.column(RECORD_ID)
    if pc.count_distinct(left).as_py() != len(left):
        raise PartnerPackageRefused(f"{ids.folder.name}: a record id appears more than once")
    if len(left) != len(right) or not pc.all(pc.is_in(right, value_set=left)).as_py():
        raise PartnerPackageRefused(f"{ids.folder.name} and {attrs.folder.name}: the two "
                                    "packages do not hold the same records")
    if not isinstance(attrs.manifest.get("contract"), dict):
        raise PartnerPackageRefused(f"{attrs.folder.name}: the attribute declarations are "
                                    "missing from its manifest")


def _contract(opened: dict[str, _Opened]) -> SourceContract:
    """The partner source as a contract the home records (no identifier roles: encodings)."""
    attrs = opened[ATTRIBUTES]
    declared = attrs.manifest["contract"]
    manifest = opened[IDENTIFIERS].manifest
    try:
        attributes = tuple(attribute_from_dict(a) for a in declared.get("attributes") or ())
    except (KeyError, TypeError, ValueError) as exc:
        raise PartnerPackageRefused(f"{attrs.folder.name}: an attribute declaration in its "
                                    f"manifest is not one a contract allows ({exc})") from None
    return SourceContract(
        name=str(manifest["source"]), owner=manifest.get("owner", ""), record_id=RECORD_ID,
        file=SourceFile(opened[IDENTIFIERS].folder, "parquet"), identifiers=(),
        attributes=attributes, title=manifest.get("title", ""),
        description=declared.get("description", ""),
        jurisdictions=tuple(declared.get("jurisdictions") or ()),
        systems=tuple(declared.get("systems") or ()))


def _check_source(session: Session, partner: Partner, source: str,
                  contract: SourceContract) -> None:
    """Refuse a partner source named like a source of this home or of another partner, and
    attributes named like the keys the home adds."""
    rows = session.execute(select(IngestedSource.partner).where(
        IngestedSource.source == source)).scalars().all()
    if any(owner != partner.name for owner in rows):
        raise FivesafesError(f"source '{source}' is already a source of this home (or another "
                             "partner's); a partner's source needs a name of its own: ask the "
                             "partner to rename it in its contract")
    columns = {a.column for a in contract.attributes}
    if RECORD_ID in columns or "record_key" in columns:
        raise PartnerPackageRefused(f"source '{source}': an attribute may not be called "
                                    "record_id or record_key")


def _write(deployment: Deployment, work: Path, label: str, source: str,
           opened: dict[str, _Opened], data_key: bytes) -> dict[str, str]:
    for store in STORES:
        (work / store / label).mkdir(parents=True, mode=0o700)
    secret = deployment.keys.load_key(RECORD_KEY_SECRET)
    ids = opened[IDENTIFIERS].table
    keys = record_keys(secret, source, ids.column(RECORD_ID).combine_chunks())
    identifiers = pa.table({"record_key": keys, **{n: ids.column(n) for n in ids.column_names}})
    attrs = opened[ATTRIBUTES].table
    by_id = dict(zip(ids.column(RECORD_ID).to_pylist(), keys.to_pylist(), strict=True))
    attr_keys = pa.array([by_id[r] for r in attrs.column(RECORD_ID).to_pylist()], pa.string())
    attributes = attrs.drop_columns([RECORD_ID]).add_column(0, "record_key", attr_keys)
    paths = {"attributes": deployment.relative(deployment.attributes / label
                                               / f"{source}.parquet"),
             "identifiers": deployment.relative(deployment.identifiers / label
                                                / f"{source}.parquet.enc"),
             "quarantine": deployment.relative(deployment.quarantine / label
                                               / f"{source}.csv")}
    pq.write_table(attributes, work / "attributes" / label / f"{source}.parquet",
                   compression="zstd")
    sink = EncryptedWriter(work / "identifiers" / label / f"{source}.parquet.enc", data_key,
                           identifiers_associated_data(label, source))
    try:
        pq.write_table(identifiers, sink, compression="zstd")
    finally:
        sink.close()
    with open(work / "quarantine" / label / f"{source}.csv", "w", encoding="utf-8",
              newline="") as fh:  # the partner quarantined on its side; nothing is kept here
        csv.writer(fh).writerow(["row", "column", "reason", "value"])
    return paths


def receive(deployment: Deployment, *, by: str, partner: str,
            folders: list[Path]) -> ReceiveResult:
    """Receive one batch of ``partner``'s packages (see the module docstring)."""
    started, started_at = time.perf_counter(), audit.utc_iso(deployment.clock())
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)
        found = get_partner(session, partner)
        if found.status != ACTIVE:
            raise PartnerPackageRefused(f"partner '{partner}' is retired; its packages are "
                                        "refused")
        received = set(session.execute(select(PartnerPackage.package_id)).scalars())
        opened = _open_all(deployment, found, folders, received)
        source = str(opened[IDENTIFIERS].manifest["source"])
        contract = _contract(opened)
        _check_source(session, found, source, contract)
    with Busy(deployment, "ingest"):
        deployment.clear_abandoned_work("ingest")
        remove_unrecorded(deployment)
        label = next_label(deployment)
        work = deployment.new_work_folder("ingest")
        try:
            data_key = new_key()
            key_file = deployment.keys.store_key(label, data_key, folder=work / "keys")
            paths = _write(deployment, work, label, source, opened, data_key)
            rows = opened[IDENTIFIERS].table.num_rows
            _record(deployment, by, found.name, label, started_at, source, contract, opened,
                    paths, work, key_file)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return ReceiveResult(label, found.name, source, rows,
                         {k: str(o.manifest["package_id"]) for k, o in opened.items()},
                         time.perf_counter() - started)


def _record(deployment: Deployment, by: str, partner: str, label: str, started_at: str,
            source: str, contract: SourceContract, opened: dict[str, _Opened],
            paths: dict[str, str], work: Path, key_file: Path) -> None:
    ids = opened[IDENTIFIERS]
    rows = ids.table.num_rows
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), DOING)  # still allowed, as it commits
        found = get_partner(session, partner)
        run = IngestRun(label=label, started_at=started_at,
                        finished_at=audit.utc_iso(deployment.clock()), actor=by,
                        data_key=label, identifiers="held")
        run.sources.append(IngestedSource(
            source=source, owner=contract.owner,
            contract=audit.canonical_json(contract.as_json()),
            file_name=str(ids.folder), file_sha256=ids.manifest["payload"]["sha256"],
            rows_read=rows, rows_accepted=rows, rows_quarantined=0,
            attributes_path=paths["attributes"], identifiers_path=paths["identifiers"],
            quarantine_path=paths["quarantine"], partner=partner))
        session.add(run)
        session.flush()
        at = audit.utc_iso(deployment.clock())
        for kind, item in opened.items():
            session.add(PartnerPackage(
                package_id=item.manifest["package_id"], partner_id=found.id, kind=kind,
                source=source, rows=item.table.num_rows,
                payload_sha256=item.manifest["payload"]["sha256"], ingest_id=run.id,
                received_at=at, received_by=by))
        audit.record(session, by=by, action="partner.receive", subject=label,
                     at=deployment.clock(),
                     details={"partner": partner, "source": source, "rows": rows,
                              "batch": ids.manifest["batch"],
                              "packages": {k: {"id": o.manifest["package_id"],
                                               "sha256": o.manifest["payload"]["sha256"]}
                                           for k, o in opened.items()}})
        session.flush()
        move_all([(work / store / label, folder / label)
                  for store, folder in deployment.ingest_stores.items()]
                 + [(key_file, deployment.keys.folder / key_file.name)])
