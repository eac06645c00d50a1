"""Every refused attempt leaves a security event (who, what, why) that survives the rollback of
the attempted change: one test per refusal rule of governance and accounts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from fivesafes import audit
from fivesafes.accounts import service as accounts
from fivesafes.errors import PermissionDenied
from fivesafes.governance import access, applications, people, projects, reviews
from fivesafes.governance.lifecycle import State
from fivesafes.store.db import REFUSED_ACTION

from .conftest import PASSWORD, World, drive, staff


def _refusals(world: World) -> list[tuple[str, str, str]]:
    with world.home.store.reading() as session:
        entries = audit.query(session, audit.EntryFilter(action=REFUSED_ACTION))
    return [(e.actor, e.subject, json.loads(e.details)["refused"]) for e in entries]


def _ordinary_entries(world: World) -> int:
    with world.home.store.reading() as session:
        return sum(e.action != REFUSED_ACTION
                   for e in audit.query(session, audit.EntryFilter()))


def _lead_with_application(world: World, state: State = State.DRAFT) -> str:
    staff(world)
    world.researcher("lead")
    world.agreement()
    reference = world.apply("lead", world.project("lead"))
    drive(world, reference, state, lead="lead", panel="reviewer", rap="rap", linkage="linkage")
    return reference


def _applicant_starts_review_of_own(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world, State.SUBMITTED)
    return lambda: applications.start_review(world.home, by="lead", reference=reference)


def _applicant_approves_own_as_panel_member(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world, State.IN_REVIEW)
    accounts.grant_role(world.home, by="admin", username="lead", role="panel_member",
                        panel="hmcts_dap")
    return lambda: reviews.approve(world.home, by="lead", reference=reference)


def _unknown_actor_submits(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world)
    return lambda: applications.submit(world.home, by="mallory", reference=reference)


def _disabled_account_submits(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world)
    accounts.disable_account(world.home, by="admin", username="lead", reason="Left the team.")
    return lambda: applications.submit(world.home, by="lead", reference=reference)


def _researcher_grants_self_administrator(world: World) -> Callable[[], object]:
    world.researcher("lead")
    return lambda: accounts.grant_role(world.home, by="lead", username="lead",
                                       role="administrator")


def _expired_training_creates_project(world: World) -> Callable[[], object]:
    world.account("lead", "researcher")
    world.accredit("lead")
    world.train("lead", expires=date(2025, 12, 1))
    return lambda: world.project("lead")


def _outsider_reads_a_project(world: World) -> Callable[[], object]:
    world.researcher("lead")
    project = world.project("lead")
    world.researcher("outsider")
    return lambda: projects.project_view(world.home, by="outsider", project=project)


def _outsider_edits_an_application(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world)
    world.researcher("outsider")
    return lambda: applications.update_application(
        world.home, by="outsider", reference=reference, form={"title": "Mine now"})


def _panel_member_of_another_panel_declares_conflict(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world, State.IN_REVIEW)
    return lambda: reviews.declare_conflict(world.home, by="rap", reference=reference,
                                            panel="hmcts_dap", reason="I know the lead.")


def _provision_without_access(world: World) -> Callable[[], object]:
    reference = _lead_with_application(world, State.ACCREDITED)
    return lambda: access.provision(world.home, by="lead", reference=reference)


def _researcher_reads_another_accreditation(world: World) -> Callable[[], object]:
    world.researcher("lead")
    world.researcher("outsider")
    return lambda: people.person_status(world.home, by="outsider", username="lead")


def _researcher_lists_accounts(world: World) -> Callable[[], object]:
    world.researcher("lead")
    return lambda: accounts.list_accounts(world.home, by="lead")


def _administrator_removes_last_administrator(world: World) -> Callable[[], object]:
    return lambda: accounts.revoke_role(world.home, by="admin", username="admin",
                                        role="administrator", reason="Tidying up.")


def _wrong_current_password(world: World) -> Callable[[], object]:
    world.researcher("lead")
    return lambda: accounts.set_password(world.home, by="lead", username="lead",
                                         new_password=PASSWORD + "-new", current_password="wrong")


RULES: dict[str, tuple[Callable[[World], Callable[[], object]], str, str]] = {
    # rule: (set the scene and return the attempt, who is recorded, what the reason says)
    "applicant starts review of own application": (
        _applicant_starts_review_of_own, "lead", "may not start review"),
    "applicant approves own application as a panel member": (
        _applicant_approves_own_as_panel_member, "lead", "A-0001"),
    "unknown actor submits": (_unknown_actor_submits, "mallory", "not an active"),
    "disabled account submits": (_disabled_account_submits, "lead", "not an active"),
    "researcher grants self administrator": (
        _researcher_grants_self_administrator, "lead", "administrator role"),
    "expired training creates a project": (
        _expired_training_creates_project, "lead", "training"),
    "outsider reads a project": (_outsider_reads_a_project, "outsider", "may not see"),
    "outsider edits an application": (_outsider_edits_an_application, "outsider", "may not edit"),
    "member of another panel declares a conflict": (
        _panel_member_of_another_panel_declares_conflict, "rap", "not a member of panel"),
    "researcher provisions": (_provision_without_access, "lead", "may not provision"),
    "researcher reads another's accreditation": (
        _researcher_reads_another_accreditation, "outsider", "accreditation and training"),
    "researcher lists accounts": (_researcher_lists_accounts, "lead", "may not list accounts"),
    "last administrator removed": (
        _administrator_removes_last_administrator, "admin", "last administrator"),
    "wrong current password": (_wrong_current_password, "lead", "current password is wrong"),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_refusal_is_recorded_as_a_security_event(world: World, rule: str) -> None:
    scene, who, reason = RULES[rule]
    attempt = scene(world)
    before, ordinary = _refusals(world), _ordinary_entries(world)
    with pytest.raises(PermissionDenied) as refused:
        attempt()
    assert reason in str(refused.value)
    assert _refusals(world) == [*before, (who, f"account:{who}", str(refused.value))]
    assert _ordinary_entries(world) == ordinary, "the attempted change was rolled back"
    with world.home.store.reading() as session:
        assert audit.verify(session).first_bad is None


def test_a_refusal_is_recorded_once_however_many_units_of_work_it_crosses(world: World) -> None:
    store = world.home.store
    with pytest.raises(PermissionDenied), store.transaction(), store.reading():
        raise PermissionDenied("refused inside two units of work")
    assert [r[2] for r in _refusals(world)] == ["refused inside two units of work"]


def test_a_refusal_outside_any_account_is_recorded_as_unknown(world: World) -> None:
    with pytest.raises(PermissionDenied), world.home.store.transaction():
        raise PermissionDenied("no account named")
    assert _refusals(world) == [("unknown", "account:unknown", "no account named")]
