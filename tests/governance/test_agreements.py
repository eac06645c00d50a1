"""Agreements (DSA, DPIA) as records linked to the shares they cover, and access: a share with no
current agreement, accreditation or window is refused."""

from __future__ import annotations

from datetime import date

import pytest

from fivesafes import audit
from fivesafes.errors import InvalidForm, PermissionDenied
from fivesafes.governance import access, agreements, applications, reviews
from fivesafes.governance.lifecycle import State

from .conftest import drive, provisioned, staff


def _access(world, ref: str, who: str = "lead") -> tuple[bool, tuple[str, ...]]:
    with world.home.store.reading() as session:
        d = access.may_access(session, username=who, reference=ref, at=world.clock.now)
    return d.allowed, d.reasons


def test_an_agreement_is_checked_all_at_once_and_recorded_by_an_administrator(world):
    world.researcher("lead")
    with pytest.raises(PermissionDenied, match="lead may not record agreements"):
        agreements.record_agreement(world.home, by="lead", form={})
    with pytest.raises(InvalidForm) as bad:
        agreements.record_agreement(world.home, by="admin", form={
            "reference": "DSA-1", "kind": "mou", "title": "T", "parties": ["MoJ"],
            "datasets": ["magistrates", "weather"], "permitted_uses": ["research"],
            "legal_basis": "DEA 2017", "protections": [], "starts": date(2026, 1, 1),
            "ends": date(2025, 1, 1), "review": date(2025, 6, 1)}, published=world.published)
    assert [str(p) for p in bad.value.problems] == [
        "kind: 'mou' is not one of: dsa, dpia",
        "protections: needs at least one entry",
        "ends: must be after starts",
        "review: must not be before starts",
        "datasets[1]: there is no dataset 'weather' in the catalogue",
    ]
    world.agreement()
    with pytest.raises(InvalidForm, match="'DSA-2026-001' is already recorded"):
        world.agreement()
    (view,) = agreements.list_agreements(world.home, by="admin")
    assert (view.reference, view.status, view.review_overdue) == ("DSA-2026-001", "active",
                                                                  False)
    with pytest.raises(PermissionDenied):
        agreements.list_agreements(world.home, by="lead")


def test_a_share_with_no_current_agreement_is_refused(world):
    world.researcher("lead")
    staff(world)
    ref = world.apply("lead", world.project("lead"))
    drive(world, ref, State.APPROVED, lead="lead", panel="reviewer", rap="rap", linkage="")
    reviews.accredit(world.home, by="rap", reference=ref, rap_reference="RAP-1",
                     expires_on=date(2027, 12, 31))
    with pytest.raises(PermissionDenied, match="no current data sharing agreement covers A-0001 "
                                               r"\(none is linked\)"):
        access.provision(world.home, by="linkage", reference=ref)
    world.agreement("DSA-OTHER", datasets=["prison"])
    with pytest.raises(InvalidForm, match="DSA-OTHER does not cover magistrates"):
        agreements.link_agreement(world.home, by="admin", agreement="DSA-OTHER",
                                  application=ref)
    world.agreement("DSA-OLD", ends=date(2026, 1, 4))
    agreements.link_agreement(world.home, by="admin", agreement="DSA-OLD", application=ref)
    agreements.record_agreement(world.home, by="admin", form={
        "reference": "DPIA-1", "kind": "dpia", "title": "DPIA", "parties": ["MoJ"],
        "datasets": ["magistrates"], "permitted_uses": ["research"], "legal_basis": "x",
        "protections": ["secure setting"], "starts": date(2026, 1, 1), "ends": date(2028, 1, 1),
        "review": date(2027, 1, 1)}, published=world.published)
    agreements.link_agreement(world.home, by="admin", agreement="DPIA-1", application=ref)
    with pytest.raises(PermissionDenied, match=r"\(DSA-OLD ended on 2026-01-04\)"):
        access.provision(world.home, by="linkage", reference=ref)
    assert world.state(ref) == State.ACCREDITED
    world.agreement()
    agreements.link_agreement(world.home, by="admin", agreement="DSA-2026-001", application=ref)
    assert access.provision(world.home, by="linkage", reference=ref) == ("lead",)
    world.clock.advance(days=60)
    assert _access(world, ref) == (True, ())
    agreements.terminate_agreement(world.home, by="admin", agreement="DSA-2026-001",
                                   reason="breach of conditions")
    allowed, reasons = _access(world, ref)
    assert not allowed and reasons == (
        "no current data sharing agreement covers A-0001 (DSA-OLD ended on 2026-01-04; "
        "DSA-2026-001 was terminated)",)


def test_access_needs_the_window_the_team_and_a_current_project_accreditation(world):
    world.researcher("lead")
    world.researcher("stranger")
    staff(world)
    world.agreement()
    ref = world.apply("lead", world.project("lead"))
    drive(world, ref, State.APPROVED, lead="lead", panel="reviewer", rap="rap", linkage="")
    assert _access(world, ref)[1][0] == "A-0001 is approved, not provisioned"
    reviews.accredit(world.home, by="rap", reference=ref, rap_reference="RAP-9",
                     expires_on=date(2026, 4, 30))
    agreements.link_agreement(world.home, by="admin", agreement="DSA-2026-001", application=ref)
    access.provision(world.home, by="linkage", reference=ref)
    assert _access(world, ref) == (False, ("2026-01-05 is outside the access window 2026-03-01 "
                                           "to 2027-02-28",))
    world.clock.advance(days=60)
    assert _access(world, ref) == (True, ())
    assert _access(world, ref, "stranger") == (False, ("stranger is not on P-0001's team",))
    world.clock.advance(days=60)  # 2026-05-04
    assert _access(world, ref) == (False, ("P-0001's accreditation (RAP-9) expired on "
                                           "2026-04-30",))
    with pytest.raises(PermissionDenied, match="lead may not access A-0001: P-0001's "
                                               "accreditation"):
        access.check_access(world.home, username="lead", reference=ref)
    with world.home.store.reading() as session:
        (refused,) = audit.query(session, audit.EntryFilter(action="governance.access.refused"))
    assert (refused.actor, refused.subject) == ("lead", "application:A-0001")


def test_closing_ends_access(world):
    world.researcher("lead")
    ref = provisioned(world)
    world.clock.advance(days=60)
    assert _access(world, ref)[0]
    applications.close(world.home, by="linkage", reference=ref, reasons="project finished")
    assert _access(world, ref) == (False, ("A-0001 is closed, not provisioned",))
