"""Safe people: accreditation and training decide who may join a team, be approved, or be given
access; lapses mid-project suspend access automatically (injectable clock)."""

from __future__ import annotations

from datetime import date

import pytest

from fivesafes import audit
from fivesafes.errors import InvalidForm, NotEligible, NotFound, PermissionDenied
from fivesafes.governance import access, people, projects, reviews
from fivesafes.governance.lifecycle import State

from .conftest import drive, provisioned, staff


def _allowed(world, username: str, ref: str) -> tuple[bool, tuple[str, ...]]:
    with world.home.store.reading() as session:
        decision = access.may_access(session, username=username, reference=ref,
                                     at=world.clock.now)
    return decision.allowed, decision.reasons


def test_eligibility_needs_the_role_and_current_accreditation_and_training(world):
    world.account("nia", "researcher")
    world.account("otto")
    status = people.person_status(world.home, by="admin", username="nia")
    assert status.problems == ("nia: no accreditation is recorded",
                               "nia: no training is recorded")
    world.accredit("nia")
    assert people.person_status(world.home, by="nia", username="nia").problems == (
        "nia: no training is recorded",)
    world.train("nia")
    assert people.person_status(world.home, by="nia", username="nia").eligible
    world.accredit("otto")
    world.train("otto")
    assert people.person_status(world.home, by="admin", username="otto").problems == (
        "otto does not hold the researcher role",)
    with pytest.raises(PermissionDenied, match="otto may not see nia's"):
        people.person_status(world.home, by="otto", username="nia")


def test_records_are_checked_all_at_once_and_only_administrators_keep_them(world):
    world.researcher("lead")
    with pytest.raises(InvalidForm) as bad:
        people.record_accreditation(world.home, by="admin", username="lead", number=" ",
                                    body="", granted_on=date(2026, 1, 1),
                                    expires_on=date(2025, 1, 1), level="provisional")
    assert [p.path for p in bad.value.problems] == ["number", "body", "expires_on",
                                                     "supervisor"]
    with pytest.raises(InvalidForm, match="number: is required, at most 60 characters"):
        people.record_accreditation(world.home, by="admin", username="lead", number="9" * 61,
                                    body="UKSA", granted_on=date(2026, 1, 1),
                                    expires_on=date(2027, 1, 1))
    with pytest.raises(InvalidForm, match="passed"):
        people.record_training(world.home, by="admin", username="lead", course="SRT",
                               passed_on=date(2026, 1, 1), expires_on=date(2026, 1, 1))
    with pytest.raises(PermissionDenied, match="lead may not record training"):
        people.record_training(world.home, by="lead", username="lead", course="SRT",
                               passed_on=date(2026, 1, 1), expires_on=date(2027, 1, 1))
    with pytest.raises(NotFound):
        people.revoke_accreditation(world.home, by="admin", username="lead", number="nope",
                                    reason="x")


def test_ineligible_people_cannot_join_a_team(world):
    world.researcher("lead")
    world.account("ned", "researcher")
    world.accredit("ned")
    with pytest.raises(NotEligible, match="ned cannot join a project team: ned: no training"):
        world.project("lead", team=["ned"])
    project = world.project("lead")
    with pytest.raises(NotEligible, match="no training is recorded"):
        projects.add_member(world.home, by="lead", project=project, username="ned")
    world.train("ned")
    projects.add_member(world.home, by="lead", project=project, username="ned")
    with pytest.raises(NotEligible, match="lead cannot join"):
        world.clock.advance(days=400)  # training of lead lapsed on 2026-09-01
        world.project("lead")


def test_provisional_accreditation_works_under_a_fully_accredited_supervisor(world):
    world.researcher("sam")
    world.account("pia", "researcher")
    world.train("pia")
    world.accredit("pia", level="provisional", supervisor="sam")
    world.account("pat", "researcher")
    with pytest.raises(NotEligible, match="pia cannot supervise pat"):
        world.accredit("pat", level="provisional", supervisor="pia")
    with pytest.raises(NotEligible, match="supervisor sam is not on the team"):
        world.project("pia")
    project = world.project("sam")
    projects.add_member(world.home, by="sam", project=project, username="pia")
    assert people.person_status(world.home, by="pia", username="pia").eligible


def test_a_lapse_mid_project_refuses_access_at_once_and_the_job_suspends_and_audits(world):
    world.researcher("lead")
    world.researcher("mia")
    ref = provisioned(world, team=["mia"])
    world.clock.advance(days=60)  # 2026-03-06: inside the access window
    assert _allowed(world, "lead", ref) == (True, ())
    people.record_training(world.home, by="admin", username="lead", course="SRT refresher",
                           passed_on=date(2026, 3, 1), expires_on=date(2027, 3, 1))
    world.clock.advance(days=185)  # 2026-09-07: mia's training lapsed on 2026-09-01
    allowed, reasons = _allowed(world, "mia", ref)
    assert not allowed and reasons == ("mia: training expired on 2026-09-01",)
    assert _allowed(world, "lead", ref) == (True, ())
    done = access.enforce_expiries(world.home)
    assert [(s.project, s.username, s.reason) for s in done] == [
        ("P-0001", "mia", "mia: training expired on 2026-09-01")]
    assert access.enforce_expiries(world.home) == []
    with world.home.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(action="governance.access.suspend"))
        assert audit.verify(session).intact
    assert [(e.actor, e.subject) for e in entries] == [("system:expiry", "project:P-0001")]
    world.train("mia")  # renewed, passed 2025-09-01 .. 2026-09-01: still not current
    with pytest.raises(NotEligible):
        projects.reinstate_member(world.home, by="admin", project="P-0001", username="mia",
                                  reason="renewed")
    people.record_training(world.home, by="admin", username="mia", course="SRT refresher",
                           passed_on=date(2026, 9, 5), expires_on=date(2027, 9, 5))
    allowed, reasons = _allowed(world, "mia", ref)
    assert not allowed and "mia's access is suspended" in reasons[0]
    with pytest.raises(PermissionDenied, match="administrator"):
        projects.reinstate_member(world.home, by="lead", project="P-0001", username="mia",
                                  reason="renewed")
    projects.reinstate_member(world.home, by="admin", project="P-0001", username="mia",
                              reason="training renewed")
    assert _allowed(world, "mia", ref) == (True, ())


def test_a_supervisors_lapse_suspends_their_provisional_researcher_too(world):
    world.researcher("sam", expires=date(2026, 4, 1))
    world.account("pia", "researcher")
    world.train("pia")
    world.accredit("pia", level="provisional", supervisor="sam")
    provisioned(world, lead="sam", team=["pia"])
    world.clock.advance(days=90)  # 2026-04-05
    done = access.enforce_expiries(world.home)
    assert [(s.username, s.reason) for s in done] == [
        ("sam", "sam: accreditation expired on 2026-04-01"),
        ("pia", "pia is provisionally accredited and their supervisor sam is not currently "
                "fully accredited"),
    ]


def test_revoked_accreditation_refuses_access(world):
    world.researcher("lead")
    ref = provisioned(world)
    world.clock.advance(days=60)
    people.revoke_accreditation(world.home, by="admin", username="lead",
                                number="ACC-lead-2027-06-01", reason="breach")
    allowed, reasons = _allowed(world, "lead", ref)
    assert not allowed and reasons == ("lead: no accreditation is recorded",)


def test_a_panel_cannot_approve_a_team_whose_training_lapsed(world):
    world.researcher("lead")
    staff(world)
    ref = world.apply("lead", world.project("lead"))
    drive(world, ref, State.IN_REVIEW, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    world.clock.advance(days=300)
    with pytest.raises(NotEligible, match="P-0001 cannot be approved: every active team member "
                                          "needs current accreditation and training: lead: "
                                          "training expired on 2026-09-01"):
        reviews.approve(world.home, by="reviewer", reference=ref)
    assert world.state(ref) == State.IN_REVIEW
