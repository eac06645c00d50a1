"""Identifier destruction (key shredded, files gone, certificate, reading refused), the
automatic destruction of kept identifiers, and the removal of superseded versions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from fivesafes import audit
from fivesafes.catalogue.digests import has_digests
from fivesafes.catalogue.listing import read_catalogue
from fivesafes.catalogue.publish import publish
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment
from fivesafes.retention import RETENTION_ACTOR, destroy_identifiers, enforce, identifier_status
from fivesafes.sources.identifier_store import (
    IdentifiersDestroyed,
    RetentionError,
    read_identifiers,
)
from fivesafes.store.models import IngestRun
from tests.catalogue.conftest import OFFICER, HandMade, ingest_contracts, row
from tests.catalogue.linking import link

ROWS = [row(1, "ann", "MC100"), row(2, "bob", "MC200"), row(3, "cat", "MC300")]
GROUPS = {("mags", "1"): "A", ("mags", "2"): "B", ("mags", "3"): "C"}


@pytest.fixture
def officer(staff) -> str:
    return staff.officer


@pytest.fixture
def hand_made(tmp_path: Path) -> HandMade:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return HandMade(folder)


def _digests(home: Deployment, label: str) -> dict[str, str]:
    folders = (home.linkage / "identifiers" / label, home.linkage / "quarantine" / label)
    return {str(p.relative_to(home.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in folder.iterdir()}


def test_destroying_identifiers_shreds_the_key_removes_files_and_certifies(
        home: Deployment, hand_made: HandMade, officer: str):
    label = ingest_contracts(home, [hand_made.write(ROWS)])
    assert read_identifiers(home, label, "mags").num_rows == 3
    before = _digests(home, label)
    cert = destroy_identifiers(home, label, by=officer, reason="linkage link-0001 complete")

    assert not home.keys.has_key(label)
    assert not (home.keys.folder / f"{label}.wrapped").exists()
    assert not (home.linkage / "identifiers" / label).exists()
    assert not (home.linkage / "quarantine" / label).exists()  # may hold identifier values
    assert f"linkage/quarantine/{label}/mags.csv" in before
    assert has_digests(home, label)  # salted hashes kept for the release gate
    with home.store.reading() as session:
        [entry] = audit.query(session, audit.EntryFilter(action="identifiers.destroyed"))
        run = session.execute(select(IngestRun).where(IngestRun.label == label)).scalar_one()
        assert audit.verify(session).intact
    assert run.identifiers == "destroyed"
    details = json.loads(entry.details)
    assert entry.actor == officer and entry.subject == label and entry.seq == cert.audit_seq
    assert {f["path"]: f["sha256"] for f in details["files"]} == before
    assert details["key"]["name"] == label and len(details["key"]["sha256"]) == 64
    assert details["reason"] == "linkage link-0001 complete"
    assert details["sources"] == {"mags": 3}

    with pytest.raises(IdentifiersDestroyed) as info:
        read_identifiers(home, label, "mags")
    message = str(info.value)
    assert f"identifiers of {label} were destroyed at {entry.at} by {officer}" in message
    assert f"audit entry {entry.seq}" in message and "\n" not in message
    with pytest.raises(RetentionError, match="already destroyed"):
        destroy_identifiers(home, label, by=officer, reason="again")
    [status] = identifier_status(home, by=OFFICER)
    assert (status.status, status.certificate_seq, status.digests) == ("destroyed", entry.seq,
                                                                       True)


def test_destruction_needs_a_linkage_officer_a_reason_and_a_known_ingest(
        home, hand_made, staff):
    label = ingest_contracts(home, [hand_made.write(ROWS)])
    with pytest.raises(PermissionDenied):
        destroy_identifiers(home, label, by=staff.auditor, reason="x")
    with pytest.raises(RetentionError, match="say why"):
        destroy_identifiers(home, label, by=staff.officer, reason="  ")
    with pytest.raises(RetentionError, match=f"no ingest 'ingest-0042'.*{label}"):
        destroy_identifiers(home, "ingest-0042", by=staff.officer, reason="x")
    assert home.keys.has_key(label)


def test_an_interrupted_destruction_is_named_and_completed(home, hand_made, officer):
    label = ingest_contracts(home, [hand_made.write(ROWS)])
    from fivesafes.catalogue.digests import ensure_digests

    ensure_digests(home, label, by=officer)
    home.keys.shred(label)  # as if killed after shredding, before the commit
    with pytest.raises(IdentifiersDestroyed, match="interrupted run"):
        read_identifiers(home, label, "mags")
    cert = destroy_identifiers(home, label, by=officer, reason="complete the record")
    assert cert.details["key"]["note"].startswith("already shredded")
    assert not (home.linkage / "identifiers" / label).exists()


def test_kept_identifiers_are_destroyed_automatically_after_the_retention_days(
        home, hand_made, officer, clock):
    linked = ingest_contracts(home, [hand_made.write(ROWS)])
    unlinked = ingest_contracts(home, [hand_made.write(ROWS)])
    link(home, [linked], GROUPS)  # identifiers kept for a quality review
    days = home.settings.identifier_retention_days
    clock.advance(days=days - 1)
    assert enforce(home).destroyed == ()
    assert home.keys.has_key(linked)
    clock.advance(days=1, seconds=1)
    report = enforce(home)
    assert [c.ingest for c in report.destroyed] == [linked]
    assert report.destroyed[0].by == RETENTION_ACTOR
    assert "kept 30 days after linkage (link-0001)" in report.destroyed[0].reason
    assert not home.keys.has_key(linked) and home.keys.has_key(unlinked)
    statuses = {s.ingest: s for s in identifier_status(home, by=OFFICER)}
    assert statuses[linked].status == "destroyed" and statuses[unlinked].status == "held"
    assert statuses[unlinked].destroy_after is None  # never destroyed before it is linked
    with home.store.reading() as session:
        [entry] = audit.query(session, audit.EntryFilter(action="identifiers.destroyed"))
    assert entry.actor == RETENTION_ACTOR


def test_superseded_versions_stay_until_the_schedule_removes_them(
        home, hand_made, officer, clock):
    first = ingest_contracts(home, [hand_made.write(ROWS)])
    link(home, [first], GROUPS)
    publish(home, by=officer)
    clock.advance(days=10)
    second = ingest_contracts(home, [hand_made.write(ROWS)])
    link(home, [second], GROUPS)
    publish(home, by=officer)
    v1 = home.research / "mags" / "v1"
    assert v1.is_dir() and enforce(home).removed_versions == ()
    clock.advance(days=home.settings.superseded_version_retention_days + 1)
    report = enforce(home)
    assert set(report.removed_versions) == {"mags v1", "person_index v1"}
    assert not v1.exists() and (home.research / "mags" / "v2").is_dir()
    assert not (home.linkage / "releases" / "release-0001").exists()
    assert (home.linkage / "releases" / "release-0002").is_dir()
    [mags] = [e for e in read_catalogue(home) if e.name == "mags"]
    assert [(v.version, v.status) for v in mags.versions] == [(1, "removed"), (2, "current")]
    with home.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(action="research.version_removed"))
    certificate = json.loads(entries[0].details)
    assert {e.subject for e in entries} == {"mags:v1", "person_index:v1"}
    assert any(f["path"].startswith("research/") and len(f["sha256"]) == 64
               for f in certificate["files"])
