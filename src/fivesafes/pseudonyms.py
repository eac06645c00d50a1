"""Meaningless keys that replace identifiers.

A *record key* names one source record without revealing it: the HMAC-SHA256, under a secret held
in the linkage zone, of the source name and the record's id in that source. The same source
record keeps its key in every refresh; without the secret, a key cannot be traced back to the
record id or recomputed from it.
"""

from __future__ import annotations

import hmac

import pyarrow as pa

RECORD_KEY_HEX = 32  # 128 bits


def record_key(secret: bytes, source: str, record_id: str) -> str:
    message = source.encode("utf-8") + b"\x00" + record_id.encode("utf-8")
    return hmac.digest(secret, message, "sha256").hex()[:RECORD_KEY_HEX]


def record_keys(secret: bytes, source: str, record_ids: pa.Array) -> pa.Array:
    """Record keys for an array of (non-null) record ids."""
    prefix = source.encode("utf-8") + b"\x00"
    digest = hmac.digest
    keys = [
        digest(secret, prefix + rid.encode("utf-8"), "sha256").hex()[:RECORD_KEY_HEX]
        for rid in record_ids.to_pylist()
    ]
    return pa.array(keys, pa.string())
