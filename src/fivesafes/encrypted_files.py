"""Files encrypted at rest with AES-256-GCM, written and read as streams.

Layout: a header (magic, random nonce prefix, segment size), then segments of at most
``segment_size`` plaintext bytes, each ``length (4 bytes) || ciphertext+tag``. Segment ``i`` is
encrypted with nonce ``prefix || i`` and authenticated together with the header, ``i`` and a
final-segment flag, so reordering, truncation, splicing and bit flips are all detected.
``associated`` (e.g. ``b"identifiers/ingest-3/magistrates"``) binds a file to its purpose.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fivesafes.errors import KeyMaterialError

MAGIC = b"FSENC1\n"
SEGMENT_SIZE = 4 * 1024 * 1024
_HEADER = struct.Struct(">7s8sI")
_LEN = struct.Struct(">I")


def _aad(header: bytes, associated: bytes, index: int, final: bool) -> bytes:
    return header + associated + struct.pack(">I?", index, final)


class EncryptedWriter(io.RawIOBase):
    """A writable binary stream that encrypts what is written to ``path``."""

    def __init__(self, path: Path, key: bytes, associated: bytes = b"") -> None:
        super().__init__()
        self._aead = AESGCM(key)
        self._associated = associated
        self._prefix = secrets.token_bytes(8)
        self._header = _HEADER.pack(MAGIC, self._prefix, SEGMENT_SIZE)
        self._fh = open(path, "wb")
        self._fh.write(self._header)
        self._buffer = bytearray()
        self._index = 0
        self._written = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._written

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        self._buffer += view
        self._written += len(view)
        while len(self._buffer) > SEGMENT_SIZE:
            self._emit(bytes(self._buffer[:SEGMENT_SIZE]), final=False)
            del self._buffer[:SEGMENT_SIZE]
        return len(view)

    def _emit(self, plain: bytes, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        sealed = self._aead.encrypt(
            nonce, plain, _aad(self._header, self._associated, self._index, final)
        )
        self._fh.write(_LEN.pack(len(sealed)))
        self._fh.write(sealed)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        super().close()


def read_encrypted(path: Path, key: bytes, associated: bytes = b"") -> bytes:
    """Decrypt the whole file; any tampering or a wrong key raises :class:`KeyMaterialError`."""
    out = bytearray()
    with open(path, "rb") as fh:
        header = fh.read(_HEADER.size)
        if len(header) != _HEADER.size or not header.startswith(MAGIC):
            raise KeyMaterialError(f"{path}: not a fivesafes encrypted file")
        _, prefix, _ = _HEADER.unpack(header)
        aead = AESGCM(key)
        index = 0
        while True:
            raw_len = fh.read(_LEN.size)
            if len(raw_len) != _LEN.size:
                raise KeyMaterialError(f"{path}: encrypted file is truncated")
            (length,) = _LEN.unpack(raw_len)
            sealed = fh.read(length)
            if len(sealed) != length:
                raise KeyMaterialError(f"{path}: encrypted file is truncated")
            final = not fh.peek(1)
            nonce = prefix + struct.pack(">I", index)
            try:
                out += aead.decrypt(nonce, sealed, _aad(header, associated, index, final))
            except InvalidTag:
                raise KeyMaterialError(
                    f"{path}: cannot be decrypted (wrong key, or the file was altered)"
                ) from None
            index += 1
            if final:
                return bytes(out)
