"""Signed checkpoints of the audit log, kept outside the home.

The hash chain and the sealed head (:mod:`fivesafes.audit`) catch an edit made without the home's
keys. Someone with shell access to the home has those keys, so they could rewrite the log and
reseal it. An *anchor* closes that gap. It is a checkpoint of the head (its sequence number and
hash, and the hash of the log's first entry) signed with an Ed25519 audit signing key. That key is
held by the data owner or the audit service, never in the home, so no command that writes the log
can read it. ``audit anchor`` writes a checkpoint into a folder the data owner keeps, and
``audit verify --anchors DIR --trust KEY.pub`` then checks that every anchored entry is still in
the log, unchanged. Any rewrite at or before the newest checkpoint is found. Changes made after it
are not, and the verification says how many entries that covers.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment
from fivesafes.keys import ed25519_fingerprint, write_private
from fivesafes.store.models import AuditEntry, AuditHead

#: What every checkpoint file says it is.
FORMAT = "fivesafes-audit-anchor/1"
PRIVATE_NAME = "audit-signing.key"
PUBLIC_NAME = "audit-signing.pub"
#: The roles that may anchor or check the log against anchors.
ANCHORERS = (Role.AUDITOR, Role.ADMINISTRATOR)


class AnchorError(FivesafesError):
    """A key or checkpoint file that cannot be used, with what to do about it."""


# -- keys ---------------------------------------------------------------------------------------
def generate_signing_key(folder: Path) -> tuple[Path, Path, str]:
    """Write a new key pair into ``folder`` (created with mode 0700): the private key readable
    by this OS user only, and the public key to hand to whoever verifies. Refuses to overwrite."""
    private_path, public_path = folder / PRIVATE_NAME, folder / PUBLIC_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise AnchorError(f"{path} already exists; keep the old key or choose another "
                              "folder (a new key cannot check the old key's checkpoints)")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    write_private(private_path, pem)
    public = private.public_key()
    public_path.write_bytes(public.public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    return private_path, public_path, ed25519_fingerprint(public)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def load_signing_key(path: Path, deployment: Deployment) -> Ed25519PrivateKey:
    """The private key at ``path``. It must not be kept in the home: anyone who can write the
    log could then sign a rewritten one. It must be readable by this OS user only."""
    if _inside(path, deployment.root):
        raise AnchorError(f"the audit signing key {path} is inside the home; keep it where the "
                          "commands that write the log cannot read it (the data owner's or "
                          "audit service's own folder)")
    if not path.is_file():
        raise AnchorError(f"no audit signing key at {path}; make one with "
                          "'fivesafes audit keygen --out DIR'")
    if path.stat().st_mode & 0o077:
        raise AnchorError(f"the audit signing key {path} can be read by other users; "
                          f"run 'chmod 600 {path}'")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise AnchorError(f"{path} is not an audit signing key (an Ed25519 private key in PEM "
                          "form, as 'fivesafes audit keygen' writes)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"{path} is not an Ed25519 key; make one with 'fivesafes audit keygen'")
    return key


def load_trusted_key(path: Path) -> Ed25519PublicKey:
    """The public key that checkpoints must be signed with."""
    if not path.is_file():
        raise AnchorError(f"no public key at {path}; give the {PUBLIC_NAME} that "
                          "'fivesafes audit keygen' wrote")
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError):
        raise AnchorError(f"{path} is not a public key in PEM form (give {PUBLIC_NAME}, "
                          f"not {PRIVATE_NAME})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorError(f"{path} is not an Ed25519 public key")
    return key


# -- checkpoints --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    """What an anchor vouches for: the log began with ``origin`` and had ``seq`` entries, the
    last of them hashing to ``hash``, at ``anchored_at``."""

    origin: str
    seq: int
    hash: str
    anchored_at: str
    anchored_by: str
    key_id: str

    def body(self) -> dict[str, Any]:
        return {"format": FORMAT, "origin": self.origin, "seq": self.seq, "hash": self.hash,
                "anchored_at": self.anchored_at, "anchored_by": self.anchored_by,
                "key_id": self.key_id}

    def signed_bytes(self) -> bytes:
        return audit.canonical_json(self.body()).encode("utf-8")

    def file_name(self) -> str:
        stamp = self.anchored_at.replace("-", "").replace(":", "").split(".")[0]
        return f"anchor-{self.seq:09d}-{stamp}.json"


def _head(session: Session) -> tuple[str, int, str]:
    """The hash of the log's first entry, and the head's sequence number and hash."""
    first = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == 1)).scalar()
    head = session.get(AuditHead, 1)
    if first is None or head is None:
        raise AnchorError("the audit log is empty; there is nothing to anchor")
    return first, head.seq, head.hash


def anchor(deployment: Deployment, *, by: str, key_path: Path, out: Path) -> Path:
    """Verify the log, then write a checkpoint of its head signed with the key at ``key_path``
    into ``out`` (outside the home), and record ``audit.anchor``. A log that fails verification
    is not anchored: the checkpoint would vouch for a tampered log. The head anchored is the one
    verified (one snapshot)."""
    with deployment.store.reading() as session:
        authorise(session, by, ANCHORERS, "anchor the audit log")
        result = audit.verify(session)
        if not result.intact:
            raise AnchorError(f"the audit log fails verification at entry {result.first_bad} "
                              f"({result.problem}); it was not anchored: investigate first")
        origin, seq, digest = _head(session)
    if _inside(out, deployment.root):
        raise AnchorError(f"{out} is inside the home; anchors must be kept where the home's "
                          "users cannot rewrite them (the data owner's own folder)")
    private = load_signing_key(key_path, deployment)
    checkpoint = Checkpoint(origin=origin, seq=seq, hash=digest,
                            anchored_at=audit.utc_iso(deployment.clock()), anchored_by=by,
                            key_id=ed25519_fingerprint(private.public_key()))
    signature = private.sign(checkpoint.signed_bytes())
    out.mkdir(parents=True, exist_ok=True)
    target = out / checkpoint.file_name()
    text = json.dumps({**checkpoint.body(),
                       "signature": base64.b64encode(signature).decode("ascii")}, indent=2)
    staging = target.with_suffix(".json.part")
    staging.write_text(text + "\n", encoding="utf-8")
    os.replace(staging, target)
    try:
        with deployment.store.transaction() as session:
            audit.record(session, by=by, action="audit.anchor", subject=f"audit:{seq}",
                         details={"seq": seq, "hash": digest, "key_id": checkpoint.key_id,
                                  "file": target.name},
                         at=deployment.clock())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def read_checkpoint(path: Path, trusted: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint in ``path``, if it is well formed and signed with ``trusted``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("format")
        checkpoint = Checkpoint(origin=str(data["origin"]), seq=int(data["seq"]),
                                hash=str(data["hash"]), anchored_at=str(data["anchored_at"]),
                                anchored_by=str(data["anchored_by"]),
                                key_id=str(data["key_id"]))
        signature = base64.b64decode(data["signature"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise AnchorError(f"{path.name} is not an audit checkpoint ({FORMAT}); remove it from "
                          "the anchors folder or restore it from the data owner's copy") from None
    try:
        trusted.verify(signature, checkpoint.signed_bytes())
    except InvalidSignature:
        raise AnchorError(f"checkpoint {path.name} is not signed by the trusted key "
                          f"{ed25519_fingerprint(trusted)}: it was altered or forged") from None
    return checkpoint


@dataclass(frozen=True)
class AnchorCheck:
    """The outcome of checking the log against its checkpoints. ``problems`` name the first
    entry that differs from what a checkpoint recorded."""

    checkpoints: int
    anchored_seq: int
    log_seq: int
    newest_at: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def unanchored(self) -> int:
        """Entries written after the newest checkpoint: anchors say nothing about these."""
        return max(self.log_seq - self.anchored_seq, 0)


def _checkpoint_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise AnchorError(f"no anchors folder at {folder}")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise AnchorError(f"{folder} holds no checkpoints; write one with 'fivesafes audit "
                          "anchor --key KEY --out DIR'")
    return files


def _compare(checkpoints: Iterable[tuple[Path, Checkpoint]], hashes: dict[int, str],
             origin: str | None, last: int) -> list[str]:
    problems: list[str] = []
    for path, checkpoint in checkpoints:
        if origin != checkpoint.origin:
            problems.append(f"the log's first entry is not the one checkpoint {path.name} "
                            "recorded: the log was replaced, or rewritten from its start")
        elif checkpoint.seq > last:
            problems.append(f"entries {last + 1}..{checkpoint.seq} were deleted: checkpoint "
                            f"{path.name} recorded {checkpoint.seq} entries, the log now ends at "
                            f"entry {last}")
        elif hashes.get(checkpoint.seq) != checkpoint.hash:
            problems.append(f"the log was rewritten at or before entry {checkpoint.seq}: it no "
                            f"longer hashes to what checkpoint {path.name} recorded")
    return problems


def verify_anchors(deployment: Deployment, *, by: str, anchors: Path,
                   trusted_key: Path) -> AnchorCheck:
    """Check the log against every checkpoint in ``anchors`` signed with ``trusted_key``.
    A checkpoint that is unsigned, signed by another key or altered is an error of its own."""
    trusted = load_trusted_key(trusted_key)
    with deployment.store.reading() as session:
        authorise(session, by, ANCHORERS, "check the audit log against its anchors")
        checkpoints = [(path, read_checkpoint(path, trusted))
                       for path in _checkpoint_files(anchors)]
        wanted = {c.seq for _, c in checkpoints} | {1}
        rows = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                               .where(AuditEntry.seq.in_(wanted))).all()
        hashes = {seq: digest for seq, digest in rows}
        last = session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())
                               .limit(1)).scalar() or 0
    newest = max(checkpoints, key=lambda pc: pc[1].seq)[1]
    return AnchorCheck(checkpoints=len(checkpoints), anchored_seq=newest.seq, log_seq=last,
                       newest_at=newest.anchored_at,
                       problems=_compare(checkpoints, hashes, hashes.get(1), last))


def age_of(check: AnchorCheck, now: datetime) -> float:
    """Hours since the newest checkpoint was written."""
    return (now - audit.parse_utc_iso(check.newest_at)).total_seconds() / 3600
