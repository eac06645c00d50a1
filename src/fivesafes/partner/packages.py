"""The two packages a partner sends: identifiers (to the linkage zone) and attributes.

A package is a folder: ``payload.age`` (Parquet, age-encrypted to its recipient), ``package.json``
(kind, package id, row count, column names, the payload's SHA-256, the encoding parameters and the
linkage key's check value for identifier packages) and ``package.sig`` (Ed25519 over
``package.json`` by the partner's signing key). :func:`open_package` verifies all of it, checks
the *actual* columns (not only the manifest's claim) so that a package mixing identifiers and
attributes is refused, and refuses a package id already received.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import uuid
from collections.abc import Container
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from fivesafes.errors import FivesafesError, PermissionDenied
from fivesafes.partner.encoding import EncodingParameters, encoded_columns

FORMAT = "fivesafes-partner-package/1"
PAYLOAD, MANIFEST, SIGNATURE = "payload.age", "package.json", "package.sig"
IDENTIFIERS, ATTRIBUTES = "identifiers", "attributes"
RECORD_ID = "record_id"


class PartnerPackageRefused(PermissionDenied):
    """A partner package that fails verification (the message names the package and why). It is
    a refusal: raised inside a unit of work of the metadata store, it is audited as a security
    event."""

    exit_code = 3


def _identifier_columns(parameters: EncodingParameters) -> set[str]:
    return set(encoded_columns(parameters))


def write_package(out: Path, *, kind: str, table: pa.Table, recipient: x25519.Recipient,
                  signer: Ed25519PrivateKey, partner: str,
                  parameters: EncodingParameters | None = None,
                  key_check: str | None = None,
                  describe: dict[str, Any] | None = None) -> Path:
    """Write one package of ``kind`` into a new folder under ``out``; returns the folder.
    ``describe`` adds fields to the manifest (the source, the batch both packages of one extract
    share, the attributes' declarations); it may not replace the fields set here."""
    if kind not in (IDENTIFIERS, ATTRIBUTES):
        raise FivesafesError(f"package kind must be {IDENTIFIERS} or {ATTRIBUTES}")
    if kind == IDENTIFIERS and (parameters is None or key_check is None):
        raise FivesafesError("an identifier package needs its encoding parameters and key check")
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    payload = pyrage.encrypt(buffer.getvalue(), [recipient])
    package_id = str(uuid.uuid4())
    manifest: dict[str, Any] = {
        "format": FORMAT, "kind": kind, "package_id": package_id, "partner": partner,
        "rows": table.num_rows, "columns": table.column_names,
        "payload": {"name": PAYLOAD, "sha256": hashlib.sha256(payload).hexdigest()},
        "recipient": str(recipient),
    }
    clash = sorted(set(describe or {}) & (set(manifest) | {"encoding", "key_check"}))
    if clash:
        raise FivesafesError(f"a package description may not set {', '.join(clash)}")
    manifest |= describe or {}
    if kind == IDENTIFIERS:
        manifest["encoding"] = parameters.to_manifest()
        manifest["key_check"] = key_check
    raw = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    folder = out / f"{partner}-{kind}-{package_id[:8]}"
    folder.mkdir(parents=True, mode=0o700)
    (folder / PAYLOAD).write_bytes(payload)
    (folder / MANIFEST).write_bytes(raw)
    (folder / SIGNATURE).write_text(base64.b64encode(signer.sign(raw)).decode() + "\n")
    return folder


def open_package(folder: Path, *, sender: Ed25519PublicKey, identity: x25519.Identity,
                 received: Container[str] = (), key_check: str | None = None,
                 parameters: EncodingParameters | None = None
                 ) -> tuple[dict[str, Any], pa.Table]:
    """Verify and decrypt a package; returns its manifest and table, or refuses."""
    name = folder.name
    for part in (PAYLOAD, MANIFEST, SIGNATURE):
        if not (folder / part).is_file():
            raise PartnerPackageRefused(f"{name}: {part} is missing; not a complete package")
    raw = (folder / MANIFEST).read_bytes()
    try:
        sender.verify(base64.b64decode((folder / SIGNATURE).read_text().strip(), validate=True),
                      raw)
    except (InvalidSignature, ValueError, binascii.Error):
        raise PartnerPackageRefused(f"{name}: {MANIFEST} is not signed by this partner's "
                                    "registered key (altered, or from someone else)") from None
    manifest = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise PartnerPackageRefused(f"{name}: not a {FORMAT} package")
    if manifest["package_id"] in received:
        raise PartnerPackageRefused(f"{name}: package {manifest['package_id']} was already "
                                    "received; a replayed package is refused")
    payload = (folder / PAYLOAD).read_bytes()
    if hashlib.sha256(payload).hexdigest() != manifest["payload"]["sha256"]:
        raise PartnerPackageRefused(f"{name}: {PAYLOAD} is not the payload that was signed")
    try:
        table = pq.read_table(io.BytesIO(pyrage.decrypt(payload, [identity])))
    except pyrage.DecryptError:
        raise PartnerPackageRefused(f"{name}: not encrypted to this home's identity") from None
    if table.column_names != manifest["columns"] or table.num_rows != manifest["rows"]:
        raise PartnerPackageRefused(f"{name}: the payload's columns or rows differ from the "
                                    "manifest")
    _check_columns(name, manifest, table, key_check, parameters)
    return manifest, table


def _check_columns(name: str, manifest: dict[str, Any], table: pa.Table, key_check: str | None,
                   parameters: EncodingParameters | None) -> None:
    columns = set(table.column_names)
    if RECORD_ID not in columns:
        raise PartnerPackageRefused(f"{name}: no {RECORD_ID} column")
    if manifest["kind"] == IDENTIFIERS:
        params = EncodingParameters.from_manifest(manifest["encoding"])
        if parameters is not None and params != parameters:
            raise PartnerPackageRefused(f"{name}: encoded with other parameters than agreed")
        if key_check is not None and manifest.get("key_check") != key_check:
            raise PartnerPackageRefused(f"{name}: encoded under another linkage key (its key "
                                        "check value differs from the agreed one)")
        extra = columns - _identifier_columns(params) - {RECORD_ID}
        if extra:
            raise PartnerPackageRefused(f"{name}: an identifier package may hold only the record "
                                        f"id and encodings; it also holds {sorted(extra)}")
    elif manifest["kind"] == ATTRIBUTES:
        known = _identifier_columns(parameters or EncodingParameters())
        suspicious = {c for c in columns if c in known or c.endswith(("_bf", "_hash"))
                      or c == "clk"}
        if suspicious:
            raise PartnerPackageRefused(f"{name}: an attribute package holds identifier columns "
                                        f"{sorted(suspicious)}; send them separately")
    else:
        raise PartnerPackageRefused(f"{name}: unknown kind {manifest['kind']!r}")
