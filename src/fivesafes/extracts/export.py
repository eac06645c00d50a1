"""Export packages: a project's current extract sent to an accredited processor by an agreed
mechanism.

A package is a folder of four files:

* ``payload.age``: a tar archive of the extract's datasets (Parquet), its manifest and its
  data dictionary, encrypted with age (X25519) to the recipient's registered public key only;
* ``package.json``: what is inside (every file with its SHA-256 and size), for whom, from which
  extract build and under which agreement, and the SHA-256 of ``payload.age``;
* ``package.sig``: an Ed25519 signature of ``package.json`` by the home's export signing key
  (derived from the master key; its public half is ``fivesafes extract sender-key``);
* ``sender.pub``: that public key, for convenience. A recipient checks its fingerprint against
  the one the data owner gave them, and pins it with ``--sender-key``.

:func:`export_extract` refuses unless the recipient is active and a current data sharing agreement
names the recipient's organisation and covers every dataset of the application. The folder is
written in a staging folder and renamed into place. :func:`verify_package` is what the recipient
runs: the signature, the payload's digest and, given their age identity, every file inside.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyrage import x25519
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import FivesafesError, PermissionDenied
from fivesafes.extracts.build import SUFFIX, associated_data
from fivesafes.extracts.models import ProjectExtract
from fivesafes.extracts.recipients import ACTIVE, get_recipient, parse_public_key
from fivesafes.extracts.service import _record_for
from fivesafes.governance import agreements
from fivesafes.governance.models import Agreement, Application
from fivesafes.home import Deployment, move_all, staging_beside
from fivesafes.keys import ed25519_fingerprint, write_private

FORMAT = "fivesafes-export-package/1"
PAYLOAD, DESCRIPTION, SIGNATURE, SENDER = "payload.age", "package.json", "package.sig", "sender.pub"
EXPORTERS = (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR)


class PackageRefused(FivesafesError):
    """A package that fails verification: not signed by the sender, altered, or not for you."""

    exit_code = 3


# -- the home's signing key ---------------------------------------------------------------------
def _signing_key(deployment: Deployment) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(deployment.keys.export_signing_seed())


def _pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def sender_public_key(deployment: Deployment, *, by: str | None = None) -> tuple[bytes, str]:
    """The home's export signing public key in PEM form, and its fingerprint (for ``by``, a
    linkage officer or administrator, when asked from outside this module)."""
    if by is not None:
        with deployment.store.reading() as session:
            authorise(session, by, EXPORTERS, "read the export signing key")
    public = _signing_key(deployment).public_key()
    return _pem(public), ed25519_fingerprint(public)


# -- recipient keys -----------------------------------------------------------------------------
def generate_recipient_identity(folder: Path) -> tuple[Path, str]:
    """What a recipient runs once: an age identity (``AGE-SECRET-KEY-...``, mode 0600) in
    ``folder``, and the public ``age1...`` line they give the data owner."""
    identity_path = folder / "recipient.agekey"
    if identity_path.exists():
        raise FivesafesError(f"{identity_path} already exists; keep it (packages already "
                             "encrypted to it need it) or choose another folder")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    write_private(identity_path, f"# public key: {public}\n{identity}\n".encode("ascii"))
    (folder / "recipient.pub").write_text(public + "\n", encoding="ascii")
    return identity_path, public


def _read_identity(path: Path) -> x25519.Identity:
    if not path.is_file():
        raise FivesafesError(f"no age identity at {path}")
    if path.stat().st_mode & 0o077:
        raise FivesafesError(f"the age identity {path} can be read by other users; run "
                             f"'chmod 600 {path}'")
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        if line.strip().startswith("AGE-SECRET-KEY-"):
            try:
                return x25519.Identity.from_str(line.strip())
            except (pyrage.IdentityError, ValueError):
                break
    raise FivesafesError(f"{path} holds no age identity (an AGE-SECRET-KEY-... line)")


# -- exporting ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    folder: Path
    application: str
    recipient: str
    build: int
    files: list[dict[str, Any]]
    payload_sha256: str
    sender_fingerprint: str


def _covering_agreement(session: Session, application: Application, agreement: Agreement,
                        organisation: str, today) -> None:
    """Refuse unless ``agreement`` is linked to ``application``, names ``organisation`` and is a
    current DSA covering every dataset (:func:`~fivesafes.governance.agreements.why_not_covered`)."""
    if not agreements.is_linked(session, agreement, application):
        why = f"{agreement.reference} does not cover {application.reference} (link it first)"
    else:
        why = agreements.why_not_covered(agreement, application, today)
    if not why and organisation not in agreement.parties:
        why = f"{agreement.reference} does not name {organisation} as a party"
    if why:
        raise PermissionDenied(f"the extract of {application.reference} may not be exported to "
                               f"{organisation}: {why}")


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o600, 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _members(deployment: Deployment, application: str, record: ProjectExtract
             ) -> list[tuple[str, bytes]]:
    """The extract's files in the clear: each dataset decrypted to Parquet, the rest as is."""
    folder = deployment.root / record.folder
    key = deployment.keys.load_key(record.data_key)
    members = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(SUFFIX):
            dataset = path.name[: -len(SUFFIX)]
            data = read_encrypted(path, key, associated_data(application, record.build, dataset))
            members.append((f"{dataset}.parquet", data))
        elif path.is_file():
            members.append((path.name, path.read_bytes()))
    return members


def export_extract(deployment: Deployment, *, by: str, reference: str, recipient: str,
                   out: Path) -> ExportResult:
    """Write an export package of ``reference``'s current extract for ``recipient`` into a new
    folder under ``out``. Linkage officers and administrators; refused (and audited) unless the
    recipient is active and a current DSA names it and covers the application's datasets."""
    moment = deployment.clock()
    with deployment.store.reading() as session:
        authorise(session, by, EXPORTERS, "export an extract")
        found = get_recipient(session, recipient)
        if found.status != ACTIVE:
            raise PermissionDenied(f"export recipient {recipient} was retired "
                                   f"({found.status_reason}); nothing may be exported to it")
        application, record = _record_for(session, reference)
        covering = session.get(Agreement, found.agreement_id)
        _covering_agreement(session, application, covering, found.organisation, moment.date())
        organisation, public_key, agreement = found.organisation, found.public_key, \
            covering.reference
        application_ref, project = application.reference, application.project.reference
        members = _members(deployment, application_ref, record)
        build, manifest_sha256 = record.build, record.manifest_sha256
    payload = pyrage.encrypt(_tar(members), [parse_public_key(public_key)])
    signer = _signing_key(deployment)
    files = [{"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
             for name, data in members]
    description = {
        "format": FORMAT, "application": application_ref, "project": project, "build": build,
        "extract_manifest_sha256": manifest_sha256, "recipient": recipient,
        "organisation": organisation, "recipient_key": public_key, "agreement": agreement,
        "exported_at": audit.utc_iso(moment), "exported_by": by, "files": files,
        "payload": {"name": PAYLOAD, "sha256": hashlib.sha256(payload).hexdigest(),
                    "bytes": len(payload)},
        "sender_key": ed25519_fingerprint(signer.public_key()),
    }
    raw = (json.dumps(description, sort_keys=True, indent=2) + "\n").encode("utf-8")
    stamp = description["exported_at"].replace("-", "").replace(":", "").split(".")[0]
    target = out / f"{application_ref}-b{build}-{recipient}-{stamp}"
    if target.exists():
        raise FivesafesError(f"{target} already exists; choose another --out")
    staging = staging_beside(target, ".part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        (staging / PAYLOAD).write_bytes(payload)
        (staging / DESCRIPTION).write_bytes(raw)
        (staging / SIGNATURE).write_text(base64.b64encode(signer.sign(raw)).decode() + "\n")
        (staging / SENDER).write_bytes(_pem(signer.public_key()))
        with deployment.store.transaction() as session:
            authorise(session, by, EXPORTERS, "export an extract")
            audit.record(session, by=by, action="extract.exported",
                         subject=f"application:{application_ref}", at=deployment.clock(),
                         details={"recipient": recipient, "organisation": organisation,
                                  "agreement": agreement, "build": build,
                                  "package": target.name,
                                  "package_sha256": hashlib.sha256(raw).hexdigest(),
                                  "payload_sha256": description["payload"]["sha256"],
                                  "files": files})
            move_all([(staging, target)])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(target, application_ref, recipient, build, files,
                        description["payload"]["sha256"], description["sender_key"])


# -- verifying, as the recipient ----------------------------------------------------------------
@dataclass(frozen=True)
class PackageCheck:
    description: dict[str, Any]
    sender: str
    opened: bool  # the payload was decrypted and every file inside checked
    written: tuple[Path, ...] = ()


def _load_sender(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError):
        raise FivesafesError(f"{path} is not the sender's public key (PEM, from 'fivesafes "
                             "extract sender-key')") from None
    if not isinstance(key, Ed25519PublicKey):
        raise FivesafesError(f"{path} is not an Ed25519 public key")
    return key


def _description(package: Path, sender: Ed25519PublicKey) -> dict[str, Any]:
    for name in (DESCRIPTION, SIGNATURE, PAYLOAD):
        if not (package / name).is_file():
            raise PackageRefused(f"{package} is not a complete export package: {name} is "
                                 "missing")
    raw = (package / DESCRIPTION).read_bytes()
    try:
        signature = base64.b64decode((package / SIGNATURE).read_text().strip(), validate=True)
        sender.verify(signature, raw)
    except (InvalidSignature, ValueError, binascii.Error):
        raise PackageRefused(f"{package.name}: {DESCRIPTION} is not signed by the sender key "
                             f"{ed25519_fingerprint(sender)}: it was altered, or comes from someone "
                             "else") from None
    description = json.loads(raw)
    if description.get("format") != FORMAT:
        raise PackageRefused(f"{package.name} is not a {FORMAT} package")
    return description


def verify_package(package: Path, *, sender_key: Path, identity: Path | None = None,
                   out: Path | None = None) -> PackageCheck:
    """Check ``package``: the description's signature by ``sender_key``, the payload's digest,
    and (with the recipient's ``identity``) every file inside against the description. With
    ``out``, the checked files are written there (a new folder)."""
    sender = _load_sender(sender_key)
    description = _description(package, sender)
    payload = (package / PAYLOAD).read_bytes()
    if hashlib.sha256(payload).hexdigest() != description["payload"]["sha256"]:
        raise PackageRefused(f"{package.name}: {PAYLOAD} is not the payload that was signed "
                             "(it was altered or replaced)")
    if identity is None:
        if out is not None:
            raise FivesafesError("give --identity (the recipient's age key) to unpack")
        return PackageCheck(description, ed25519_fingerprint(sender), opened=False)
    try:
        clear = pyrage.decrypt(payload, [_read_identity(identity)])
    except pyrage.DecryptError:
        raise PackageRefused(f"{package.name} is not encrypted to the identity in {identity} "
                             f"(it is for {description['recipient']})") from None
    with tarfile.open(fileobj=io.BytesIO(clear), mode="r:") as archive:
        inside = {m.name: archive.extractfile(m).read() for m in archive.getmembers()
                  if m.isfile()}
    listed = {f["name"]: f for f in description["files"]}
    if set(inside) != set(listed):
        raise PackageRefused(f"{package.name}: the payload holds {sorted(inside)}, the signed "
                             f"description lists {sorted(listed)}")
    for name, data in inside.items():
        if hashlib.sha256(data).hexdigest() != listed[name]["sha256"]:
            raise PackageRefused(f"{package.name}: {name} differs from its signed digest")
    written: list[Path] = []
    if out is not None:
        if out.exists():
            raise FivesafesError(f"{out} already exists; give a new folder to unpack into")
        out.mkdir(parents=True, mode=0o700)
        for name, data in sorted(inside.items()):
            target = out / Path(name).name  # never a path outside ``out``
            target.write_bytes(data)
            written.append(target)
    return PackageCheck(description, ed25519_fingerprint(sender), opened=True, written=tuple(written))
