"""Provisioning builds the extract; the extract is destroyed (key shredded, files removed, a
deletion certificate in the audit log) when its window closes, by the retention schedule, or at
once by a linkage officer or an administrator. SQLite and PostgreSQL, with an injected clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from tests.extracts.conftest import ADMIN, OFFICER, Walk

from fivesafes.cli import main
from fivesafes.errors import NotFound, PermissionDenied
from fivesafes.extracts import read_extract
from fivesafes.extracts.expiry import destroy_extract, extracts_due
from fivesafes.extracts.models import CURRENT, DESTROYED, ProjectExtract
from fivesafes.extracts.service import provision_with_extract
from fivesafes.governance import applications, people
from fivesafes.retention import enforce
from fivesafes.retention.service import planned
from fivesafes.store.models import AuditEntry

WANTED = {"magistrates": [("outcome", "outcome")]}


def _records(walk: Walk, reference: str) -> list[ProjectExtract]:
    with walk.home.store.reading() as session:
        application = applications.get_application(session, reference)
        return list(session.execute(select(ProjectExtract).where(
            ProjectExtract.application_id == application.id).order_by(
            ProjectExtract.build)).scalars())


def _certificates(walk: Walk, reference: str) -> list[dict]:
    with walk.home.store.reading() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.details).where(
            AuditEntry.action == "extract.destroyed",
            AuditEntry.subject == f"application:{reference}")).all()
    return [{"actor": a, **json.loads(d)} for a, d in rows]


def test_provisioning_builds_the_extract_first(walk: Walk) -> None:
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    built, given = provision_with_extract(walk.home, by=OFFICER, reference=reference)
    assert given == tuple(team) and built.build == 1 and built.rows > 0
    assert walk.state_of(reference) == "provisioned"
    walk.in_window()
    assert read_extract(walk.home, by=team[0], reference=reference,
                        dataset="magistrates").num_rows == built.rows


def test_a_refused_provisioning_leaves_no_extract(walk: Walk) -> None:
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    people.revoke_accreditation(walk.home, by=ADMIN, username=team[1],
                                number=f"ACC-{team[1]}", reason="Left the organisation.")
    with pytest.raises(PermissionDenied):
        provision_with_extract(walk.home, by=OFFICER, reference=reference)
    assert walk.state_of(reference) == "accredited"
    [record] = _records(walk, reference)
    assert record.status == DESTROYED
    assert not (walk.home.root / record.folder).exists()
    assert not walk.home.keys.has_key(record.data_key)
    [certificate] = _certificates(walk, reference)
    assert "provisioning was refused" in certificate["reason"]


def test_the_schedule_destroys_an_extract_when_its_window_closes(walk: Walk) -> None:
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    provision_with_extract(walk.home, by=OFFICER, reference=reference)
    [record] = _records(walk, reference)
    folder = walk.home.root / record.folder
    files = sorted(p.name for p in folder.iterdir())
    assert walk.home.keys.has_key(record.data_key)
    walk.in_window()
    assert reference not in {d.application for d in extracts_due(walk.home)}
    # the day after the window closes: the dry run lists it and changes nothing
    walk.clock.now = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
    plan = planned(walk.home)
    [due] = [d for d in plan.extracts if d.application == reference]
    assert "access window ended on 2027-02-28" in due.why
    assert any(reference in line for line in plan.lines())
    assert folder.exists() and _records(walk, reference)[0].status == CURRENT
    report = enforce(walk.home)
    [certificate] = [c for c in report.destroyed_extracts if c.application == reference]
    assert sorted(f["path"].rsplit("/", 1)[-1] for f in certificate.details["files"]) == files
    assert all(len(f["sha256"]) == 64 for f in certificate.details["files"])
    assert certificate.details["key"]["name"] == record.data_key
    assert set(certificate.details["key"]) <= {"name", "sha256", "bytes", "note"}  # no key
    assert not folder.exists() and not walk.home.keys.has_key(record.data_key)
    [after] = _records(walk, reference)
    assert after.status == DESTROYED and after.destroyed_at
    [logged] = _certificates(walk, reference)
    assert logged["actor"] == "system:retention"
    assert logged["manifest_sha256"] == record.manifest_sha256
    assert any(reference in line for line in certificate.summary_lines())
    with pytest.raises((PermissionDenied, NotFound)):
        read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates",
                     at=datetime(2026, 6, 1, tzinfo=UTC))
    assert reference not in {d.application for d in extracts_due(walk.home)}


def test_destroying_at_once_is_for_officers_and_administrators(walk: Walk) -> None:
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    provision_with_extract(walk.home, by=OFFICER, reference=reference)
    with pytest.raises(PermissionDenied):
        destroy_extract(walk.home, by=team[0], reference=reference, reason="Done with it.")
    assert _records(walk, reference)[0].status == CURRENT
    certificate = destroy_extract(walk.home, by=ADMIN, reference=reference,
                                  reason="The project was revoked.")
    assert certificate.by == ADMIN and certificate.reason == "The project was revoked."
    with pytest.raises(NotFound, match="no current extract"):
        destroy_extract(walk.home, by=ADMIN, reference=reference, reason="Again.")


def test_the_commands_provision_and_show_the_manifest(walk: Walk) -> None:
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    home = ["--home", str(walk.home.root)]
    env = {"FIVESAFES_HOME": None, "FIVESAFES_DB_URL": walk.home.settings.db_url}
    result = CliRunner().invoke(main, ["application", "provision", reference, "--as", OFFICER,
                                       *home], env=env)
    assert result.exit_code == 0, result.output
    assert f"extract of {reference} built: build 1" in result.output
    assert f"{reference}: provisioned for {', '.join(team)}" in result.output
    shown = CliRunner().invoke(main, ["extract", "manifest", reference, "--as", OFFICER, *home],
                               env=env)
    assert shown.exit_code == 0, shown.output
    assert "magistrates (research-ready v1)" in shown.output
    assert "person_id (pseudonym)" in shown.output
    assert "manifest sha256" in shown.output
    dry = CliRunner().invoke(main, ["retention", "enforce", "--dry-run", *home], env=env)
    assert dry.exit_code == 0, dry.output
    assert reference not in dry.output
