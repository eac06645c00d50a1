"""The home's register of partner departments (administrators add and retire them).

Adding a partner records its public keys, makes the home's keys for it (an X25519 key for the key
agreement and two age identities, wrapped in the key ring of the linkage zone), derives the
linkage secret (:mod:`~.agreement`) and returns the *kit* the partner needs to prepare its
packages. Retiring a partner refuses any further package from it and shreds the home's keys for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pyrage import x25519
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.errors import FivesafesError, InvalidForm, NotFound, Problem
from fivesafes.home import Deployment
from fivesafes.keys import KeyRing
from fivesafes.partner.agreement import (
    Kit,
    PartnerPublic,
    agreed_secret,
    agreement_public,
    b64,
    public_raw,
)
from fivesafes.partner.encoding import EncodingParameters, key_check_value
from fivesafes.partner.models import Partner, PartnerPackage

ACTIVE, RETIRED = "active", "retired"
READERS = (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR)
NAME = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


@dataclass(frozen=True)
class PartnerView:
    name: str
    organisation: str
    status: str
    key_check: str
    packages: int
    registered_at: str
    registered_by: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def key_names(name: str) -> dict[str, str]:
    """The names, in the home's key ring, of the keys held for partner ``name``."""
    return {"home_agreement_key": f"partner-{name}-agreement",
            "linkage_secret": f"partner-{name}-linkage",
            "identifiers_identity": f"partner-{name}-identifiers",
            "attributes_identity": f"partner-{name}-attributes"}


def store_identity(ring: KeyRing, name: str, identity: x25519.Identity) -> None:
    """Wrap an age identity in the key ring (its text, padded to the wrapping's 8-byte blocks)."""
    text = str(identity).encode()
    ring.store_key(name, text.ljust(-(-len(text) // 8) * 8, b" "))


def load_identity(ring: KeyRing, name: str) -> x25519.Identity:
    return x25519.Identity.from_str(ring.load_key(name).decode().strip())


def get_partner(session: Session, name: str) -> Partner:
    found = session.execute(select(Partner).where(Partner.name == name)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no partner department '{name}'; an administrator registers it with "
                       "'fivesafes partner add'")
    return found


def _view(session: Session, partner: Partner) -> PartnerView:
    packages = session.execute(select(func.count()).select_from(PartnerPackage)
                               .where(PartnerPackage.partner_id == partner.id)).scalar_one()
    return PartnerView(partner.name, partner.organisation, partner.status, partner.key_check,
                       int(packages), partner.registered_at, partner.registered_by)


def kit_for(deployment: Deployment, partner: Partner) -> Kit:
    """The kit of a registered partner (made again from what the home holds; nothing secret)."""
    ring = deployment.keys
    home = X25519PrivateKey.from_private_bytes(ring.load_key(partner.home_agreement_key))
    return Kit(partner.name, b64(public_raw(home.public_key())),
               str(load_identity(ring, partner.identifiers_identity).to_public()),
               str(load_identity(ring, partner.attributes_identity).to_public()),
               EncodingParameters.from_manifest(partner.encoding), partner.key_check)


def add_partner(deployment: Deployment, *, by: str, name: str, organisation: str,
                public: PartnerPublic,
                encoding: EncodingParameters | None = None) -> tuple[PartnerView, Kit]:
    """Register partner ``name`` with its public keys; returns it and the kit to give it."""
    encoding = encoding or EncodingParameters()
    problems: list[Problem] = []
    if not NAME.match(name):
        problems.append(Problem("name", "lower-case letters, digits, '-' or '_', starting with "
                                        "a letter (2 to 40), e.g. education"))
    if public.partner != name:
        problems.append(Problem("public key file", f"it was made for '{public.partner}', not "
                                f"'{name}': ask the partner for its own file"))
    if not organisation.strip():
        problems.append(Problem("organisation", "name the department, e.g. DfE"))
    if not encoding.hardened:
        problems.append(Problem("encoding", "unhardened encodings are refused: they fall to a "
                                            "frequency attack (docs/partner-linkage.md)"))
    names = key_names(name)
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.ADMINISTRATOR,), "register a partner department")
        if session.execute(select(Partner.id).where(Partner.name == name)).first():
            problems.append(Problem("name", f"a partner '{name}' is already registered"))
        if problems:
            raise InvalidForm(f"partner '{name}'", problems)
        ring = deployment.keys
        for key in names.values():
            if ring.has_key(key):
                raise FivesafesError(f"the key ring already holds {key}; a partner's keys are "
                                     "never replaced")
        home = X25519PrivateKey.generate()
        secret = agreed_secret(home, agreement_public(public.agreement), name)
        check = key_check_value(secret)
        raw = home.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        partner = Partner(name=name, organisation=organisation.strip(),
                          signing_key=public.signing, agreement_key=public.agreement,
                          key_check=check, encoding=encoding.to_manifest(), status=ACTIVE,
                          registered_at=audit.utc_iso(deployment.clock()), registered_by=by,
                          **names)
        session.add(partner)
        audit.record(session, by=by, action="partner.add", subject=f"partner:{name}",
                     details={"organisation": partner.organisation, "key_check": check,
                              "signing_key": public.signing, "agreement_key": public.agreement,
                              "encoding": partner.encoding}, at=deployment.clock())
        session.flush()
        written: list[str] = []
        try:
            ring.store_key(names["home_agreement_key"], raw)
            written.append(names["home_agreement_key"])
            ring.store_key(names["linkage_secret"], secret)
            written.append(names["linkage_secret"])
            for kind in ("identifiers_identity", "attributes_identity"):
                store_identity(ring, names[kind], x25519.Identity.generate())
                written.append(names[kind])
        except BaseException:
            for key in written:
                ring.shred(key)
            raise
        return _view(session, partner), kit_for(deployment, partner)


def partner_kit(deployment: Deployment, *, by: str, name: str) -> Kit:
    """The kit of an active partner again (e.g. when the partner lost it)."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.ADMINISTRATOR, Role.LINKAGE_OFFICER),
                  "read a partner's kit")
        partner = get_partner(session, name)
        if partner.status != ACTIVE:
            raise FivesafesError(f"partner '{name}' is retired; it has no kit")
        return kit_for(deployment, partner)


def retire_partner(deployment: Deployment, *, by: str, name: str, reason: str) -> None:
    """No further package is received from ``name``; the home's keys for it are shredded."""
    if not reason.strip():
        raise FivesafesError("say why the partner is retired (--reason)")
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.ADMINISTRATOR,), "retire a partner department")
        partner = get_partner(session, name)
        if partner.status == RETIRED:
            raise FivesafesError(f"partner '{name}' is already retired")
        partner.status = RETIRED
        audit.record(session, by=by, action="partner.retire", subject=f"partner:{name}",
                     details={"reason": reason.strip()}, at=deployment.clock())
        session.flush()
        for key in key_names(name).values():
            deployment.keys.shred(key)


def list_partners(deployment: Deployment, *, by: str) -> list[PartnerView]:
    with deployment.store.reading() as session:
        authorise(session, by, READERS, "list partner departments")
        found = session.execute(select(Partner).order_by(Partner.name)).scalars()
        return [_view(session, p) for p in found]
