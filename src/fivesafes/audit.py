"""The tamper-evident audit log.

Every state change writes one entry, in the same transaction as the change. Entry ``n`` stores the
SHA-256 of its own canonical content, which includes entry ``n-1``'s hash, so editing, deleting or
reordering any past entry breaks the chain from that entry on. The newest entry's sequence and
hash are kept in a head row sealed with an HMAC under a key derived from the master key, so
removing entries from the end (or rewriting the whole chain without the key) is detected too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_HEAD_ID = 1


def utc_iso(moment: datetime) -> str:
    """The one textual form of a time in the audit log: ISO 8601, UTC, microseconds."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc_iso(text: str) -> datetime:
    """The time an audit-log text (:func:`utc_iso`) names, timezone-aware."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    seq: int, at: str, actor: str, action: str, subject: str, details: str, prev_hash: str
) -> str:
    payload = canonical_json([seq, at, actor, action, subject, details, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _seal(key: bytes, seq: int, digest: str) -> str:
    return hmac.new(key, f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def _seal_key(session: Session) -> bytes:
    key = session.info.get("audit_seal_key")
    if not key:
        raise RuntimeError("this store was opened without the audit seal key")
    return key


def record(
    session: Session,
    *,
    by: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in ``session``'s transaction; it commits or rolls back with the change."""
    if not by or not by.strip():
        raise ValueError("every audited action names its actor")
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    when = utc_iso(at or datetime.now(UTC))
    body = canonical_json(details or {})
    digest = entry_hash(seq, when, by, action, subject, body, prev)
    entry = AuditEntry(
        seq=seq, at=when, actor=by, action=action, subject=subject, details=body,
        prev_hash=prev, hash=digest,
    )
    session.add(entry)
    seal = _seal(_seal_key(session), seq, digest)
    if head is None:
        session.add(AuditHead(id=_HEAD_ID, seq=seq, hash=digest, seal=seal))
    else:
        head.seq, head.hash, head.seal = seq, digest, seal
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`. ``first_bad`` is the sequence number of the first entry
    that fails (or, for a truncated log, the first missing one)."""

    entries: int
    first_bad: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad is None


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    yield from session.execute(stmt).scalars()


def verify(session: Session) -> Verification:
    """Recompute the chain from the first entry and check the sealed head."""
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                count - 1, expected_seq,
                f"entry {expected_seq} is missing (deleted); the next entry present is "
                f"{entry.seq}",
            )
        if entry.prev_hash != prev:
            return Verification(
                count - 1, entry.seq,
                f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                "(entries were reordered, or one was replaced)",
            )
        recomputed = entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.details,
            entry.prev_hash,
        )
        if recomputed != entry.hash:
            return Verification(
                count - 1, entry.seq, f"entry {entry.seq} was altered after it was written"
            )
        prev = entry.hash
        expected_seq += 1
    head = session.get(AuditHead, _HEAD_ID)
    last = expected_seq - 1
    if head is None:
        # Every home's log starts with its home.init entry, so an empty log was emptied.
        problem = ("the audit head is missing" if count else
                   "the audit log is empty: every home's log starts with its home.init entry, "
                   "so its entries (and head) were deleted")
        return Verification(count, 1, problem)
    if not hmac.compare_digest(head.seal, _seal(_seal_key(session), head.seq, head.hash)):
        return Verification(
            count, min(head.seq, last + 1) or 1,
            "the audit head's seal is invalid (the head was edited, or the log was rewritten)",
        )
    if head.seq > last:
        return Verification(
            count, last + 1,
            f"the log ends at entry {last} but its sealed head records entry {head.seq}: "
            f"entries {last + 1}..{head.seq} were deleted",
        )
    if head.seq < last:
        return Verification(
            count, head.seq + 1,
            f"entries {head.seq + 1}..{last} were added without the audit key (the sealed "
            f"head records entry {head.seq})",
        )
    if head.hash != prev:
        return Verification(
            count, last,
            "the log was rewritten: its entries chain correctly but do not end in the hash "
            "its sealed head records",
        )
    return Verification(count)


@dataclass(frozen=True)
class EntryFilter:
    actor: str = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None


def query(session: Session, flt: EntryFilter = EntryFilter()) -> list[AuditEntry]:
    """Entries matching every given filter, oldest first. ``subject`` and ``action`` match a
    prefix when they end with ``*``."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq)
    for column, value in ((AuditEntry.actor, flt.actor), (AuditEntry.action, flt.action),
                          (AuditEntry.subject, flt.subject)):
        if value is None:
            continue
        if value.endswith("*"):
            stmt = stmt.where(column.startswith(value[:-1], autoescape=True))
        else:
            stmt = stmt.where(column == value)
    if flt.since is not None:
        stmt = stmt.where(AuditEntry.at >= utc_iso(flt.since))
    if flt.until is not None:
        stmt = stmt.where(AuditEntry.at <= utc_iso(flt.until))
    if flt.limit is not None:
        stmt = stmt.order_by(None).order_by(AuditEntry.seq.desc()).limit(flt.limit)
        return sorted(session.execute(stmt).scalars(), key=lambda e: e.seq)
    return list(session.execute(stmt).scalars())


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
        "subject": entry.subject, "details": json.loads(entry.details),
        "prev_hash": entry.prev_hash, "hash": entry.hash,
    }


def as_dicts(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    return [as_dict(e) for e in entries]
