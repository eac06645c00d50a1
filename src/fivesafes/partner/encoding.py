"""Encoded identifiers a partner department sends instead of its raw identifiers.

Pure functions, no I/O. Every choice is a field of :class:`EncodingParameters`, which is written
into each identifier package's manifest so that the home can check it encodes the same way.

* **Field-level Bloom filters** for fuzzy fields (names): the field's padded q-grams are each
  hashed ``hashes`` times into a bit array of ``bloom_bits`` bits. Positions come from HMAC-SHA256
  under the *Bloom key* (derived from the agreed linkage secret), so nobody without the secret can
  compute or test an encoding.
* **Salting by a stable field** (``salt_field``, default the year of birth): the salt goes into
  every HMAC input, so the same name in two birth years sets unrelated bits. This flattens the
  frequency distribution an attacker aligns with a public name list.
* **Balancing**: the filter is concatenated with its complement and the result permuted by a
  keyed permutation; every encoding then has exactly ``bloom_bits`` ones, so the Hamming weight no
  longer tells the length (and hence the commonness) of a name.
* **Rule-90 diffusion** (``diffusion_rounds`` rounds): each bit becomes the XOR of its two
  neighbours (cyclic), so a bit no longer belongs to one q-gram, which breaks the q-gram to
  position mapping a pattern-mining attack learns.
* **BLIP** (``blip_probability``): each bit is flipped with that probability using fresh
  randomness, so two encodings of the same value are almost never identical (differential-privacy
  style randomised response); the Dice similarity of true matches drops only slightly.
* A **record-level CLK** option: all fuzzy fields hashed into one filter of ``clk_bits`` bits.
* **Exact-match fields** (date of birth, sex, postcode district) are keyed hashes
  (HMAC-SHA256 under the *exact key*), hex.

The linkage secret itself is never returned or written: :func:`key_check_value` is an HMAC of a
fixed label, which lets the two parties see that they hold the same secret without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "fivesafes-partner-encoding/1"
SECRET_BYTES = 32

_BLOOM = b"fivesafes/partner/v1/bloom"
_EXACT = b"fivesafes/partner/v1/exact"
_PERMUTATION = b"fivesafes/partner/v1/permutation"
_CHECK = b"fivesafes/partner/v1/key-check"


class EncodingError(ValueError):
    """Parameters or a secret that cannot be used (the message never holds key bytes)."""


@dataclass(frozen=True)
class EncodingParameters:
    """Every parameter of the encoding; written to the manifest and read back whole."""

    q: int = 2
    padded: bool = True
    bloom_bits: int = 1024
    hashes: int = 20
    fuzzy_fields: tuple[str, ...] = ("forename", "surname")
    exact_fields: tuple[str, ...] = ("dob", "sex", "postcode_district")
    salt_field: str | None = "birth_year"
    balanced: bool = True
    diffusion_rounds: int = 1
    blip_probability: float = 0.02
    clk: bool = False
    clk_bits: int = 2048
    format: str = FORMAT

    def __post_init__(self) -> None:
        problems = []
        if self.q < 1 or self.q > 4:
            problems.append("q must be 1 to 4")
        if self.bloom_bits < 64 or self.bloom_bits % 8:
            problems.append("bloom_bits must be a multiple of 8, at least 64")
        if self.clk_bits < 64 or self.clk_bits % 8:
            problems.append("clk_bits must be a multiple of 8, at least 64")
        if not 1 <= self.hashes <= 64:
            problems.append("hashes must be 1 to 64")
        if not 0.0 <= self.blip_probability < 0.5:
            problems.append("blip_probability must be at least 0 and below 0.5")
        if self.diffusion_rounds < 0:
            problems.append("diffusion_rounds must not be negative")
        if set(self.fuzzy_fields) & set(self.exact_fields):
            problems.append("a field cannot be both fuzzy and exact")
        if self.format != FORMAT:
            problems.append(f"format must be {FORMAT}")
        if problems:
            raise EncodingError("encoding parameters: " + "; ".join(problems))

    @classmethod
    def plain(cls, **overrides: Any) -> EncodingParameters:
        """Unhardened Bloom filters (no salt, balancing, diffusion or BLIP): only for the attack
        comparison; never what a partner sends."""
        base = dict(salt_field=None, balanced=False, diffusion_rounds=0, blip_probability=0.0)
        return cls(**(base | overrides))

    @property
    def hardened(self) -> bool:
        return (self.salt_field is not None and self.balanced
                and (self.diffusion_rounds > 0 or self.blip_probability > 0))

    @property
    def encoded_bits(self) -> int:
        return (self.clk_bits if self.clk else self.bloom_bits) * (2 if self.balanced else 1)

    def to_manifest(self) -> dict[str, Any]:
        data = asdict(self)
        data["fuzzy_fields"] = list(self.fuzzy_fields)
        data["exact_fields"] = list(self.exact_fields)
        return data

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any]) -> EncodingParameters:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise EncodingError(f"encoding parameters: unknown {', '.join(unknown)}")
        values = dict(data)
        for name in ("fuzzy_fields", "exact_fields"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


# -- keys -----------------------------------------------------------------------------------------
def new_linkage_secret() -> bytes:
    """A fresh random linkage secret (256 bits), generated by one party and agreed out of band."""
    return secrets.token_bytes(SECRET_BYTES)


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) != SECRET_BYTES:
        raise EncodingError(f"the linkage secret must be {SECRET_BYTES} bytes")


def _subkey(secret: bytes, label: bytes) -> bytes:
    _check_secret(secret)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def key_check_value(secret: bytes) -> str:
    """A keyed check value of the secret (HMAC of a fixed label, 16 hex digits): equal values
    mean both parties hold the same secret; the value reveals nothing about it."""
    return hmac.new(_subkey(secret, _CHECK), b"check", hashlib.sha256).hexdigest()[:16]


# -- q-grams and Bloom filters --------------------------------------------------------------------
def qgrams(value: str, q: int = 2, padded: bool = True) -> list[str]:
    """The q-grams of a standardised value (with ``_`` padding at both ends when ``padded``)."""
    text = f"{'_' * (q - 1)}{value}{'_' * (q - 1)}" if padded and q > 1 else value
    if len(text) < q:
        return [text] if text else []
    return [text[i:i + q] for i in range(len(text) - q + 1)]


def _positions(key: bytes, label: str, gram: str, count: int, size: int) -> list[int]:
    out: list[int] = []
    counter = 0
    while len(out) < count:
        digest = hmac.new(key, f"{label}\x1f{gram}\x1f{counter}".encode(), hashlib.sha256).digest()
        out.extend(int.from_bytes(digest[i:i + 4], "big") % size for i in range(0, 32, 4))
        counter += 1
    return out[:count]


@lru_cache(maxsize=8)
def _permutation(key: bytes, size: int) -> np.ndarray:
    """A keyed permutation of ``size`` positions: positions sorted by their HMAC."""
    tags = [hmac.new(key, i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(size)]
    return np.array(sorted(range(size), key=tags.__getitem__), dtype=np.int64)


def rule90(bits: np.ndarray, rounds: int = 1) -> np.ndarray:
    """Elementary cellular automaton rule 90 (cyclic): each bit becomes left XOR right."""
    out = bits.astype(bool)
    for _ in range(rounds):
        out = np.roll(out, 1) ^ np.roll(out, -1)
    return out


class Encoder:
    """Encodes records under one linkage secret and one set of parameters."""

    def __init__(self, secret: bytes, parameters: EncodingParameters,
                 rng: np.random.Generator | None = None) -> None:
        self.parameters = parameters
        self._bloom = _subkey(secret, _BLOOM)
        self._exact = _subkey(secret, _EXACT)
        self._perm_key = _subkey(secret, _PERMUTATION)
        self.check_value = key_check_value(secret)
        # BLIP needs fresh randomness; tests pass a seeded generator.
        self._rng = rng or np.random.default_rng(secrets.randbits(128))
        self._cache: dict[tuple[str, str, str], list[int]] = {}
        self._arrays: dict[tuple[str, str, str], np.ndarray] = {}

    def _grams_positions(self, label: str, salt: str, gram: str, size: int) -> list[int]:
        cache_key = (label, salt, gram)
        found = self._cache.get(cache_key)
        if found is None:
            found = _positions(self._bloom, f"{label}\x1e{salt}", gram, self.parameters.hashes,
                               size)
            self._cache[cache_key] = found
        return found

    def _raw_filter(self, values: Iterable[tuple[str, str]], salt: str, size: int) -> np.ndarray:
        p = self.parameters
        bits = np.zeros(size, dtype=bool)
        for label, value in values:
            for gram in qgrams(value, p.q, p.padded):
                bits[self._grams_positions(label, salt, gram, size)] = True
        return bits

    def _harden(self, bits: np.ndarray) -> np.ndarray:
        p = self.parameters
        if p.balanced:
            bits = np.concatenate([bits, ~bits])[_permutation(self._perm_key, bits.size * 2)]
        if p.diffusion_rounds:
            bits = rule90(bits, p.diffusion_rounds)
        if p.blip_probability:
            bits = bits ^ (self._rng.random(bits.size) < p.blip_probability)
        return bits

    def _hardened_rows(self, rows: np.ndarray, cols: np.ndarray, count: int, size: int
                       ) -> np.ndarray:
        """:meth:`_harden` of ``count`` filters of ``size`` bits at once, from the positions
        set in each (``rows[i]``, ``cols[i]``). Balancing is built in place: the bit at position
        k of the concatenation (filter, complement) lands at ``inverse[k]`` of the permuted one,
        so no column gather over the whole matrix is needed."""
        p = self.parameters
        if p.balanced:
            inverse = np.argsort(_permutation(self._perm_key, size * 2))
            base = np.zeros(size * 2, dtype=bool)
            base[inverse[size:]] = True  # the complement of an empty filter
            bits = np.tile(base, (count, 1))
            bits[rows, inverse[cols]] = True
            bits[rows, inverse[cols + size]] = False
        else:
            bits = np.zeros((count, size), dtype=bool)
            bits[rows, cols] = True
        for _ in range(p.diffusion_rounds):
            bits = np.roll(bits, 1, axis=1) ^ np.roll(bits, -1, axis=1)
        if p.blip_probability:
            # each bit flipped with the probability: a binomial count of flips per row at
            # positions drawn uniformly (a position drawn twice flips once)
            flips = self._rng.binomial(bits.shape[1], p.blip_probability, count)
            flipped = np.repeat(np.arange(count), flips)
            bits[flipped, self._rng.integers(0, bits.shape[1], flipped.size)] ^= True
        return bits

    def bloom_many(self, field: str, values: Sequence[str | None],
                   salts: Sequence[str]) -> list[bytes | None]:
        """:meth:`bloom` of many values at once (one salt each); the same encodings, far faster
        (the hardening runs over the whole batch)."""
        p = self.parameters
        size = p.bloom_bits
        present = [i for i, v in enumerate(values) if v is not None and v != ""]
        out: list[bytes | None] = [None] * len(values)
        if not present:
            return out
        cols = [self._value_positions(field, salts[i], str(values[i]), size) for i in present]
        lengths = np.fromiter((c.size for c in cols), dtype=np.int64, count=len(cols))
        rows = np.repeat(np.arange(len(present)), lengths)
        flat = np.concatenate(cols) if lengths.sum() else np.zeros(0, dtype=np.int64)
        packed = np.packbits(self._hardened_rows(rows, flat, len(present), size), axis=1)
        for row, i in enumerate(present):
            out[i] = packed[row].tobytes()
        return out

    def _value_positions(self, label: str, salt: str, value: str, size: int) -> np.ndarray:
        """Every position the q-grams of one value set (cached: names repeat heavily)."""
        key = (label, salt, value)
        found = self._arrays.get(key)
        if found is None:
            p = self.parameters
            grams = qgrams(value, p.q, p.padded)
            found = np.asarray([i for gram in grams
                                for i in self._grams_positions(label, salt, gram, size)],
                               dtype=np.int64)
            if len(self._arrays) < 1_000_000:
                self._arrays[key] = found
        return found

    def salt_of(self, record: Mapping[str, Any]) -> str:
        """The salt of one record (its ``salt_field`` value, or empty)."""
        return self._salt(record)

    def _salt(self, record: Mapping[str, Any]) -> str:
        field = self.parameters.salt_field
        if field is None:
            return ""
        value = record.get(field)
        return "" if value is None else str(value)

    def bloom(self, field: str, value: str | None, salt: str = "") -> bytes | None:
        """The (hardened as the parameters say) field-level Bloom filter of one value, packed."""
        if value is None or value == "":
            return None
        bits = self._raw_filter([(field, value)], salt, self.parameters.bloom_bits)
        return np.packbits(self._harden(bits)).tobytes()

    def clk(self, record: Mapping[str, Any]) -> bytes | None:
        """The record-level CLK: every fuzzy field's q-grams in one filter."""
        p = self.parameters
        values = [(f, str(record[f])) for f in p.fuzzy_fields if record.get(f) not in (None, "")]
        if not values:
            return None
        bits = self._raw_filter(values, self._salt(record), p.clk_bits)
        return np.packbits(self._harden(bits)).tobytes()

    def exact(self, field: str, value: Any) -> str | None:
        """The keyed hash of an exact-match field's standardised value (hex)."""
        if value is None or value == "":
            return None
        message = f"{field}\x1f{value}".encode()
        return hmac.new(self._exact, message, hashlib.sha256).hexdigest()

    def encode(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Every encoded identifier of one standardised record (column name -> value)."""
        p = self.parameters
        out: dict[str, Any] = {}
        salt = self._salt(record)
        if p.clk:
            out["clk"] = self.clk(record)
        else:
            for field in p.fuzzy_fields:
                value = record.get(field)
                out[f"{field}_bf"] = self.bloom(field, None if value is None else str(value), salt)
        for field in p.exact_fields:
            out[f"{field}_hash"] = self.exact(field, record.get(field))
        return out


def encoded_columns(parameters: EncodingParameters) -> list[str]:
    """The identifier package's encoded column names for ``parameters``."""
    fuzzy = ["clk"] if parameters.clk else [f"{f}_bf" for f in parameters.fuzzy_fields]
    return fuzzy + [f"{f}_hash" for f in parameters.exact_fields]


def dice(left: bytes, right: bytes) -> float:
    """Dice similarity of two packed bit arrays of equal length."""
    a = np.unpackbits(np.frombuffer(left, dtype=np.uint8))
    b = np.unpackbits(np.frombuffer(right, dtype=np.uint8))
    if a.size != b.size:
        raise EncodingError("Dice of encodings of different lengths")
    total = int(a.sum() + b.sum())
    return 0.0 if total == 0 else 2.0 * int((a & b).sum()) / total
