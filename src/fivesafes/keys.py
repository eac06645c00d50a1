"""Key material of a deployment: the master key, wrapped secrets and per-ingest data keys.

All keys live in the linkage zone (``linkage/keys``), a folder only its owner can read. The master
key never encrypts data itself: purpose keys are derived from it with HKDF, and data keys are
wrapped (RFC 3394) under the derived key-encryption key. Shredding a data key makes every file
encrypted under it unreadable, which is how identifier stores are destroyed.

No function here logs, prints or puts key bytes into an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from fivesafes.errors import KeyMaterialError

KEY_BYTES = 32
MASTER_KEY_FILE = "master.key"
RECORD_KEY_SECRET = "record-key"

# HKDF "info" labels: each derived key has one purpose only.
_WRAPPING = b"fivesafes/v1/key-wrapping"
_AUDIT_SEAL = b"fivesafes/v1/audit-seal"
_EXPORT_SIGNING = b"fivesafes/v1/export-signing"


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def ed25519_fingerprint(public: Ed25519PublicKey) -> str:
    """What a person compares to know a signing key: the first 16 hex digits of the SHA-256 of
    the raw public key (the audit signing key, the home's export signing key)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by the owner only, durably."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class KeyRing:
    """The keys folder of one home. Cheap to create; reads the master key on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._master: bytes | None = None

    # -- the master key ------------------------------------------------------------------------
    def create_master_key(self) -> None:
        """Create the master key file (mode 0600); refuses to replace an existing one."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / MASTER_KEY_FILE
        if path.exists():
            raise KeyMaterialError(f"{path}: a master key already exists; it is never replaced")
        write_private(path, base64.b64encode(new_key()) + b"\n")

    def _master_key(self) -> bytes:
        if self._master is None:
            path = self.folder / MASTER_KEY_FILE
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                raise KeyMaterialError(
                    f"{path}: master key missing; restore it from your key backup"
                ) from None
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise KeyMaterialError(
                    f"{path}: master key is readable by others (mode {stat.S_IMODE(mode):o}); "
                    f"run 'chmod 600 {path}'"
                )
            try:
                key = base64.b64decode(path.read_bytes().strip(), validate=True)
            except ValueError:
                key = b""
            if len(key) != KEY_BYTES:
                raise KeyMaterialError(f"{path}: not a fivesafes master key (damaged?)")
            self._master = key
        return self._master

    def audit_seal_key(self) -> bytes:
        """The key that seals the head of the audit log (HMAC)."""
        return _derive(self._master_key(), _AUDIT_SEAL)

    def export_signing_seed(self) -> bytes:
        """The 32-byte seed of the home's Ed25519 key that signs export packages' manifests."""
        return _derive(self._master_key(), _EXPORT_SIGNING)

    # -- wrapped keys --------------------------------------------------------------------------
    def _wrapped_path(self, name: str) -> Path:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError("key names are letters, digits, '-' and '_'")
        return self.folder / f"{name}.wrapped"

    def store_key(self, name: str, key: bytes, folder: Path | None = None) -> Path:
        """Wrap ``key`` under the master key and save it as ``name`` (in ``folder``, default the
        keys folder: a staging folder lets a caller publish the key atomically with its data)."""
        kek = _derive(self._master_key(), _WRAPPING)
        path = (folder or self.folder) / self._wrapped_path(name).name
        (folder or self.folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, aes_key_wrap(kek, key))
        return path

    def load_key(self, name: str) -> bytes:
        """Unwrap the key saved as ``name``."""
        path = self._wrapped_path(name)
        try:
            wrapped = path.read_bytes()
        except FileNotFoundError:
            raise KeyMaterialError(
                f"key '{name}' does not exist (never created, or shredded when its data was "
                "destroyed)"
            ) from None
        try:
            return aes_key_unwrap(_derive(self._master_key(), _WRAPPING), wrapped)
        except InvalidUnwrap:
            raise KeyMaterialError(
                f"key '{name}' cannot be unwrapped with this home's master key"
            ) from None

    def has_key(self, name: str) -> bool:
        return self._wrapped_path(name).exists()

    def create_secret(self, name: str) -> None:
        """Create a random named secret (e.g. the record-key secret); never replaces one."""
        if self.has_key(name):
            raise KeyMaterialError(f"secret '{name}' already exists; it is never replaced")
        self.store_key(name, new_key())

    def shred(self, name: str) -> None:
        """Destroy a wrapped key: overwrite its file with random bytes, then remove it."""
        path = self._wrapped_path(name)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return
        with open(path, "r+b") as fh:
            fh.write(secrets.token_bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
