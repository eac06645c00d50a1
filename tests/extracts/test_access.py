"""Reading an extract (SQLite and PostgreSQL): only inside the access window, only by an active,
eligible team member under a current agreement, at the moment of reading (an injected clock or
``at=``); revoking a person, a project's agreement or an accreditation takes effect at once;
every read and every refusal is audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from tests.extracts.conftest import ACCESS, ADMIN, OFFICER, Walk

from fivesafes.errors import NotFound, PermissionDenied
from fivesafes.extracts import build_extract, extract_manifest, read_extract
from fivesafes.governance import agreements, people, projects
from fivesafes.store.models import AuditEntry

WANTED = {"magistrates": [("outcome", "outcome")]}


def _on(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _built(walk: Walk) -> tuple[list[str], str]:
    team = walk.team(3)
    reference = walk.provisioned(team, WANTED)
    build_extract(walk.home, by=OFFICER, reference=reference)
    return team, reference


def _audited(walk: Walk, action: str) -> list[dict]:
    with walk.home.store.reading() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.details).where(
            AuditEntry.action == action).order_by(AuditEntry.seq)).all()
    return [{"actor": a, **json.loads(d)} for a, d in rows]


def test_readable_only_inside_the_access_window(walk: Walk) -> None:
    team, reference = _built(walk)
    start, end = ACCESS
    with pytest.raises(PermissionDenied, match="outside the access window"):
        read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates",
                     at=_on(date(2026, 2, 28), 23))
    assert read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates",
                        at=_on(start, 0)).num_rows > 0
    assert read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates",
                        at=_on(end, 23)).num_rows > 0
    with pytest.raises(PermissionDenied, match="outside the access window"):
        read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates",
                     at=_on(date(2027, 3, 1), 0))
    # the home's clock decides when no moment is given
    walk.clock.now = _on(date(2027, 3, 2))
    with pytest.raises(PermissionDenied, match="outside the access window"):
        read_extract(walk.home, by=team[1], reference=reference, dataset="magistrates")
    walk.in_window()
    read_extract(walk.home, by=team[1], reference=reference, dataset="magistrates")
    reads = [r for r in _audited(walk, "extract.read") if r["actor"] in team]
    assert len(reads) == 3 and all(r["dataset"] == "magistrates" for r in reads)
    refused = [r for r in _audited(walk, "security.refused") if reference in r["refused"]]
    assert len(refused) == 3


def test_only_the_team_and_revocation_takes_effect_at_once(walk: Walk) -> None:
    team, reference = _built(walk)
    outsider = walk.team(1)[0]
    walk.in_window()
    with pytest.raises(PermissionDenied, match="not on"):
        read_extract(walk.home, by=outsider, reference=reference, dataset="magistrates")
    with pytest.raises(PermissionDenied, match="not an active fivesafes account"):
        read_extract(walk.home, by="nobody", reference=reference, dataset="magistrates")
    read_extract(walk.home, by=team[1], reference=reference, dataset="magistrates")
    with walk.home.store.reading() as session:
        from fivesafes.governance.applications import get_application

        project = get_application(session, reference).project.reference
    projects.remove_member(walk.home, by=team[0], project=project, username=team[1],
                           reason="left the project")
    with pytest.raises(PermissionDenied, match="not on"):
        read_extract(walk.home, by=team[1], reference=reference, dataset="magistrates")
    people.revoke_accreditation(walk.home, by=ADMIN, username=team[2],
                                number=f"ACC-{team[2]}", reason="breach of the rules")
    with pytest.raises(PermissionDenied):
        read_extract(walk.home, by=team[2], reference=reference, dataset="magistrates")
    read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    with pytest.raises(PermissionDenied):  # the manifest too, outside the staff
        extract_manifest(walk.home, by=team[1], reference=reference)
    assert extract_manifest(walk.home, by=team[0], reference=reference)["application"] == \
        reference


def test_a_terminated_agreement_stops_every_read(walk: Walk) -> None:
    team, reference = _built(walk)
    walk.in_window()
    read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    agreements.record_agreement(walk.home, by=ADMIN, form={
        "reference": f"DSA-{reference}", "kind": "dsa", "title": "A share of its own",
        "parties": ["Ministry of Justice", "Example University"], "datasets": ["magistrates"],
        "permitted_uses": ["this project"], "legal_basis": "DEA 2017 s.64",
        "protections": ["secure setting"], "starts": date(2026, 1, 1),
        "ends": date(2028, 12, 31), "review": date(2027, 1, 1)})
    # the module's shared DSA covers every application: give this one its own instead
    with walk.home.store.transaction() as session:
        from fivesafes.governance.models import AgreementShare

        for share in session.execute(select(AgreementShare)).scalars():
            if share.application.reference == reference:
                session.delete(share)
    agreements.link_agreement(walk.home, by=ADMIN, agreement=f"DSA-{reference}",
                              application=reference)
    read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    agreements.terminate_agreement(walk.home, by=ADMIN, agreement=f"DSA-{reference}",
                                   reason="ended early")
    with pytest.raises(PermissionDenied, match="agreement"):
        read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")


def test_no_extract_and_no_such_dataset(walk: Walk) -> None:
    team = walk.team()
    reference = walk.provisioned(team, WANTED)
    walk.in_window()
    with pytest.raises(NotFound, match="has no extract"):
        read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    build_extract(walk.home, by=OFFICER, reference=reference)
    with pytest.raises(NotFound, match="no dataset 'prison'"):
        read_extract(walk.home, by=team[0], reference=reference, dataset="prison")
