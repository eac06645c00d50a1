"""The partner departments a home links with, and every package each has sent.

A :class:`Partner` holds the partner's two public keys (Ed25519 to verify its packages, X25519 to
agree the linkage secret), the names of the home's keys for that partner in the key ring (never
the keys), the agreed encoding parameters and the key check value both sides compare. A
:class:`PartnerPackage` records a received package's id, so the same package is never received
twice, and the ingest run it became.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fivesafes.store.base import Base


class Partner(Base):
    """Another department whose encoded records the home links with its own."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    organisation: Mapped[str] = mapped_column(String(300))
    signing_key: Mapped[str] = mapped_column(String(100))  # Ed25519 public, base64 of raw bytes
    agreement_key: Mapped[str] = mapped_column(String(100))  # X25519 public, base64 of raw bytes
    #: names in the home's key ring (wrapped there): the home's X25519 private key for this
    #: partner, the agreed linkage secret, the two age identities packages are encrypted to
    home_agreement_key: Mapped[str] = mapped_column(String(80))
    linkage_secret: Mapped[str] = mapped_column(String(80))
    identifiers_identity: Mapped[str] = mapped_column(String(80))
    attributes_identity: Mapped[str] = mapped_column(String(80))
    key_check: Mapped[str] = mapped_column(String(32))
    encoding: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | retired
    registered_at: Mapped[str] = mapped_column(String(32))
    registered_by: Mapped[str] = mapped_column(String(200))


class PartnerPackage(Base):
    """One package received from a partner (identifiers or attributes)."""

    __tablename__ = "partner_package"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str] = mapped_column(String(40), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # identifiers | attributes
    source: Mapped[str] = mapped_column(String(60))
    rows: Mapped[int] = mapped_column(Integer)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    ingest_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id"), index=True)
    received_at: Mapped[str] = mapped_column(String(32))
    received_by: Mapped[str] = mapped_column(String(200))
