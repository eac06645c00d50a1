"""Signed checkpoints kept outside the home catch what the home's own keys cannot: the resealing
attack of issue 10 (delete an entry, change another's actor, recompute the chain and reseal the
head with the home's seal key) passes ``audit verify`` on its own and fails against the anchors.
Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from fivesafes import audit, audit_anchors
from fivesafes.audit_anchors import AnchorError
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment
from fivesafes.keys import KeyRing, ed25519_fingerprint
from tests.conftest import Staff
from tests.tampering import lift_append_only_guard


@pytest.fixture
def signing(tmp_path: Path) -> tuple[Path, Path]:
    """A data owner's key pair, outside the home."""
    private, public, _ = audit_anchors.generate_signing_key(tmp_path / "owner-keys")
    return private, public


def _append(home: Deployment, count: int) -> None:
    for i in range(count):
        with home.store.transaction() as session:
            audit.record(session, by="officer", action="thing.done", subject=f"thing:{i}",
                         details={"i": i}, at=home.clock())


def _rows(home: Deployment) -> list[dict]:
    with home.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.text("SELECT * FROM audit_entry ORDER BY seq")).mappings()]


def reseal_after(home: Deployment, *, delete: int, reassign: int, to: str) -> None:
    """The resealing script: with shell access to the home (its master key, and the database
    owner's rights), delete entry ``delete``, renumber the rest, make entry ``reassign`` the act
    of ``to``, recompute every hash and reseal the head with the home's own seal key."""
    engine = home.store.engine
    lift_append_only_guard(engine)
    rows = [r for r in _rows(home) if r["seq"] != delete]
    prev = audit.GENESIS
    for seq, row in enumerate(rows, start=1):
        row["seq"] = seq
        if seq == reassign:
            row["actor"] = to
        row["prev_hash"] = prev
        row["hash"] = prev = audit.entry_hash(seq, row["at"], row["actor"], row["action"],
                                              row["subject"], row["details"], prev)
    seal_key = KeyRing(home.root / "linkage" / "keys").audit_seal_key()
    columns = ("seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entry"))
        conn.execute(sa.text(f"INSERT INTO audit_entry ({', '.join(columns)}) "
                             f"VALUES ({', '.join(':' + c for c in columns)})"),
                     [{c: r[c] for c in columns} for r in rows])
        conn.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h, seal = :x"),
                     {"s": len(rows), "h": prev, "x": audit._seal(seal_key, len(rows), prev)})


# -- keys ---------------------------------------------------------------------------------------
def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    private, public, fingerprint = audit_anchors.generate_signing_key(tmp_path / "k")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    assert fingerprint == ed25519_fingerprint(audit_anchors.load_trusted_key(public))
    with pytest.raises(AnchorError, match="already exists"):
        audit_anchors.generate_signing_key(tmp_path / "k")


def test_a_key_in_the_home_or_readable_by_others_is_refused(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    inside = home.root / "audit-signing.key"
    inside.write_bytes(private.read_bytes())
    inside.chmod(0o600)
    with pytest.raises(AnchorError, match="inside the home"):
        audit_anchors.anchor(home, by=staff.auditor, key_path=inside, out=tmp_path / "a")
    private.chmod(0o644)
    with pytest.raises(AnchorError, match="chmod 600"):
        audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=tmp_path / "a")
    private.chmod(0o600)
    with pytest.raises(AnchorError, match="is not an audit signing key"):
        public.chmod(0o600)
        audit_anchors.anchor(home, by=staff.auditor, key_path=public, out=tmp_path / "a")
    with pytest.raises(AnchorError, match="inside the home"):
        audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=home.root / "a")
    with pytest.raises(AnchorError, match="not a public key"):
        audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path,
                                     trusted_key=private)


# -- anchoring ----------------------------------------------------------------------------------
def test_an_anchor_is_a_signed_checkpoint_of_the_head_and_is_audited(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    _append(home, 3)
    before = _rows(home)
    written = audit_anchors.anchor(home, by=staff.auditor, key_path=private,
                                   out=tmp_path / "anchors")
    body = json.loads(written.read_text())
    assert (body["seq"], body["hash"], body["origin"]) == (
        before[-1]["seq"], before[-1]["hash"], before[0]["hash"])
    assert body["anchored_by"] == staff.auditor and body["signature"]
    last = _rows(home)[-1]
    assert last["action"] == "audit.anchor" and json.loads(last["details"])["seq"] == body["seq"]
    check = audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "anchors",
                                         trusted_key=public)
    assert check.intact and check.anchored_seq == body["seq"] and check.unanchored == 1
    assert "PRIVATE" not in written.read_text()


def test_only_auditors_and_administrators_anchor_and_the_refusal_is_audited(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    with pytest.raises(PermissionDenied, match="anchor the audit log"):
        audit_anchors.anchor(home, by=staff.officer, key_path=private, out=tmp_path / "a")
    assert not (tmp_path / "a").exists()
    refused = [r for r in _rows(home) if r["action"] == "security.refused"]
    assert refused and refused[-1]["actor"] == staff.officer
    audit_anchors.anchor(home, by=staff.admin, key_path=private, out=tmp_path / "a")
    with pytest.raises(PermissionDenied, match="against its anchors"):
        audit_anchors.verify_anchors(home, by=staff.officer, anchors=tmp_path / "a",
                                     trusted_key=public)


def test_a_tampered_log_is_not_anchored(home: Deployment, staff: Staff,
                                        signing: tuple[Path, Path], tmp_path: Path) -> None:
    lift_append_only_guard(home.store.engine)
    with home.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2"))
    with pytest.raises(AnchorError, match="fails verification at entry 2"):
        audit_anchors.anchor(home, by=staff.auditor, key_path=signing[0], out=tmp_path / "a")
    assert not (tmp_path / "a").exists()


# -- the resealing attack -----------------------------------------------------------------------
def test_the_resealing_script_passes_the_chain_but_not_the_anchors(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    _append(home, 6)
    audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=tmp_path / "anchors")
    _append(home, 2)
    reseal_after(home, delete=6, reassign=7, to="someone:else")
    # the home's own keys vouch for the rewritten log ...
    with home.store.reading() as session:
        assert audit.verify(session).intact
    # ... the data owner's checkpoint does not
    check = audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "anchors",
                                         trusted_key=public)
    assert not check.intact
    assert "rewritten at or before entry" in check.problems[0]


def test_rewriting_the_first_entry_or_truncating_is_named(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    _append(home, 3)
    audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=tmp_path / "anchors")
    reseal_after(home, delete=0, reassign=1, to="someone:else")
    check = audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "anchors",
                                         trusted_key=public)
    assert "first entry is not the one" in check.problems[0]


def test_deleting_anchored_entries_from_the_end_is_named(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    _append(home, 3)
    written = audit_anchors.anchor(home, by=staff.auditor, key_path=private,
                                   out=tmp_path / "anchors")
    anchored = json.loads(written.read_text())["seq"]
    reseal_after(home, delete=anchored, reassign=0, to="")
    reseal_after(home, delete=anchored - 1, reassign=0, to="")
    check = audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "anchors",
                                         trusted_key=public)
    assert f"..{anchored} were deleted" in check.problems[0]


def test_changes_after_the_newest_anchor_are_reported_as_unanchored(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    """What anchors cannot do: a rewrite of entries newer than the newest checkpoint goes
    unseen, and the check says how many entries that covers (the threat model's gap)."""
    private, public = signing
    _append(home, 2)
    audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=tmp_path / "anchors")
    _append(home, 4)
    last = _rows(home)[-1]["seq"]
    reseal_after(home, delete=last, reassign=last - 1, to="someone:else")
    check = audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "anchors",
                                         trusted_key=public)
    assert check.intact and check.unanchored == 4


def test_forged_altered_or_foreign_checkpoints_are_refused(
        home: Deployment, staff: Staff, signing: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = signing
    anchors = tmp_path / "anchors"
    written = audit_anchors.anchor(home, by=staff.auditor, key_path=private, out=anchors)
    body = json.loads(written.read_text())
    altered = dict(body, seq=body["seq"] - 1)
    written.write_text(json.dumps(altered))
    with pytest.raises(AnchorError, match="not signed by the trusted key"):
        audit_anchors.verify_anchors(home, by=staff.auditor, anchors=anchors, trusted_key=public)
    written.write_text(json.dumps(body))
    _, other_public, _ = audit_anchors.generate_signing_key(tmp_path / "mallory")
    with pytest.raises(AnchorError, match="not signed by the trusted key"):
        audit_anchors.verify_anchors(home, by=staff.auditor, anchors=anchors,
                                     trusted_key=other_public)
    (anchors / "notes.json").write_text("{}")
    with pytest.raises(AnchorError, match="notes.json is not an audit checkpoint"):
        audit_anchors.verify_anchors(home, by=staff.auditor, anchors=anchors, trusted_key=public)
    with pytest.raises(AnchorError, match="holds no checkpoints"):
        (tmp_path / "empty").mkdir()
        audit_anchors.verify_anchors(home, by=staff.auditor, anchors=tmp_path / "empty",
                                     trusted_key=public)
