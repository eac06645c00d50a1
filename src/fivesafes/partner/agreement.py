"""How the home and a partner department come to hold the same linkage secret without sending it.

1. The partner runs ``fivesafes partner keygen``: an Ed25519 key (it signs every package) and an
   X25519 key (key agreement), in a private key file it keeps, and a public file it gives the home.
2. The home registers the partner with that public file (``fivesafes partner add``). The home
   makes its own X25519 key for this partner and two age identities (one the identifier package is
   encrypted to, one for the attribute package), and writes a *kit* for the partner: the home's
   X25519 public key, the two age recipients, the agreed encoding parameters and the key check
   value. Nothing in the kit is secret.
3. Each side computes X25519(own private key, other's public key) and derives the linkage secret
   from it with HKDF (bound to the partner's name). The secret is never written into a kit, a
   package, a log or an output; the key check value (:func:`~.encoding.key_check_value`) lets the
   partner's kit refuse to encode under a secret the home does not hold.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fivesafes.errors import FivesafesError
from fivesafes.keys import write_private
from fivesafes.partner.encoding import SECRET_BYTES, EncodingParameters

KEYS_FORMAT = "fivesafes-partner-keys/1"
PUBLIC_FORMAT = "fivesafes-partner-public/1"
KIT_FORMAT = "fivesafes-partner-kit/1"
_SECRET = b"fivesafes/partner/v1/linkage-secret/"
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class PartnerKeyError(FivesafesError):
    """A key file, public file or kit that cannot be used (the message never holds key bytes)."""


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw(text: Any, what: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise PartnerKeyError(f"{where}: {what} is not a 32-byte key in base64")
    return raw


def public_raw(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(*_RAW)


def signing_public(text: str, where: str = "partner") -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw(text, "the signing key", where))


def agreement_public(text: str, where: str = "partner") -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_raw(text, "the agreement key", where))


def agreed_secret(own: X25519PrivateKey, other: X25519PublicKey, partner: str) -> bytes:
    """The linkage secret both sides derive (see the module docstring)."""
    shared = own.exchange(other)
    return HKDF(algorithm=hashes.SHA256(), length=SECRET_BYTES, salt=None,
                info=_SECRET + partner.encode()).derive(shared)


def _read_json(path: Path, what: str, fmt: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PartnerKeyError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PartnerKeyError(f"{path}: not a {what} ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise PartnerKeyError(f"{path}: not a {what} (its format is not {fmt})")
    return data


# -- the partner's own keys -----------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerKeys:
    """The partner's private keys (its key file)."""

    partner: str
    signing: Ed25519PrivateKey
    agreement: X25519PrivateKey

    def public_file(self) -> dict[str, str]:
        return {"format": PUBLIC_FORMAT, "partner": self.partner,
                "signing": b64(public_raw(self.signing.public_key())),
                "agreement": b64(public_raw(self.agreement.public_key()))}


def generate_keys(partner: str, out: Path) -> tuple[Path, Path]:
    """Write ``out/<partner>.keys.json`` (private, readable by the owner only) and
    ``out/<partner>.public.json`` (to give the home); refuses to overwrite either."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    private, public = out / f"{partner}.keys.json", out / f"{partner}.public.json"
    for path in (private, public):
        if path.exists():
            raise PartnerKeyError(f"{path} already exists; keys are never overwritten (move it "
                                  "away first if you really mean to make new ones)")
    keys = PartnerKeys(partner, Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    private_raw = (serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                   serialization.NoEncryption())
    body = {"format": KEYS_FORMAT, "partner": partner,
            "signing": b64(keys.signing.private_bytes(*private_raw)),
            "agreement": b64(keys.agreement.private_bytes(*private_raw))}
    write_private(private, (json.dumps(body, indent=2) + "\n").encode())
    public.write_text(json.dumps(keys.public_file(), indent=2) + "\n", encoding="utf-8")
    return private, public


def load_keys(path: Path) -> PartnerKeys:
    data = _read_json(path, "partner key file", KEYS_FORMAT)
    return PartnerKeys(
        str(data.get("partner", "")),
        Ed25519PrivateKey.from_private_bytes(_raw(data.get("signing"), "the signing key",
                                                  str(path))),
        X25519PrivateKey.from_private_bytes(_raw(data.get("agreement"), "the agreement key",
                                                 str(path))))


@dataclass(frozen=True)
class PartnerPublic:
    """What the partner gives the home: its name and two public keys."""

    partner: str
    signing: str  # base64 of the raw Ed25519 public key
    agreement: str  # base64 of the raw X25519 public key


def read_public(path: Path) -> PartnerPublic:
    data = _read_json(path, "partner public key file", PUBLIC_FORMAT)
    where = str(path)
    signing_public(data.get("signing", ""), where)
    agreement_public(data.get("agreement", ""), where)
    return PartnerPublic(str(data.get("partner", "")), data["signing"], data["agreement"])


# -- the kit the home gives the partner ----------------------------------------------------------
@dataclass(frozen=True)
class Kit:
    """Everything the partner's ``prepare`` needs from the home; nothing in it is secret."""

    partner: str
    home_agreement: str  # base64 of the home's X25519 public key for this partner
    identifiers_recipient: str  # age1...: the linkage zone
    attributes_recipient: str  # age1...: the research-ready side
    encoding: EncodingParameters
    key_check: str

    def as_json(self) -> dict[str, Any]:
        return {"format": KIT_FORMAT, "partner": self.partner,
                "home_agreement": self.home_agreement,
                "recipients": {"identifiers": self.identifiers_recipient,
                               "attributes": self.attributes_recipient},
                "encoding": self.encoding.to_manifest(), "key_check": self.key_check}


def write_kit(kit: Kit, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = out / f"{kit.partner}.kit.json"
    path.write_text(json.dumps(kit.as_json(), indent=2) + "\n", encoding="utf-8")
    return path


def read_kit(path: Path) -> Kit:
    data = _read_json(path, "partner kit", KIT_FORMAT)
    try:
        recipients = data["recipients"]
        return Kit(str(data["partner"]), str(data["home_agreement"]),
                   str(recipients["identifiers"]), str(recipients["attributes"]),
                   EncodingParameters.from_manifest(data["encoding"]), str(data["key_check"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise PartnerKeyError(f"{path}: not a complete partner kit ({exc})") from None
