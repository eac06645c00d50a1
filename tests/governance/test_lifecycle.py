"""The application state machine: the table itself, and every (state, action, role) combination
through the real services, allowed or refused, on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fivesafes import audit
from fivesafes.errors import InvalidTransition, PermissionDenied
from fivesafes.governance import access, applications, reviews
from fivesafes.governance.lifecycle import (
    ACTIONS,
    FINAL,
    TRANSITIONS,
    Party,
    State,
    check,
    mermaid,
)
from fivesafes.store.db import REFUSED_ACTION

from .conftest import World, drive

# -- the table -------------------------------------------------------------------------------


def test_every_state_is_reachable_from_draft_and_only_final_states_have_no_exit():
    reached, frontier = {State.DRAFT}, [State.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS:
            if t.source == state and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(State)
    for state in State:
        assert (not any(t.source == state for t in TRANSITIONS)) == (state in FINAL)


def test_every_row_names_who_may_take_it_and_rows_are_unique():
    assert all(t.parties for t in TRANSITIONS)
    keys = [(t.action, t.source, t.target) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))


def test_the_diagram_shows_every_transition():
    diagram = mermaid()
    for t in TRANSITIONS:
        assert f"{t.source} --> {t.target}: {t.action}" in diagram


def test_check_explains_a_refusal():
    with pytest.raises(InvalidTransition, match=r"A-0001 is draft; 'approve' is allowed only "
                                                r"from in_review\. From draft the allowed steps"):
        check("approve", State.DRAFT, frozenset({Party.REVIEWING_PANEL}), who="p",
              reference="A-0001")
    with pytest.raises(PermissionDenied, match="a member of the panel now reviewing it"):
        check("approve", State.IN_REVIEW, frozenset({Party.APPLICANT}), who="lead",
              reference="A-0001")
    with pytest.raises(PermissionDenied, match="declared a conflict"):
        check("approve", State.IN_REVIEW, frozenset(), who="p", reference="A-0001",
              refusals={Party.REVIEWING_PANEL: "p declared a conflict of interest: x"})
    with pytest.raises(ValueError):
        check("fly", State.DRAFT, frozenset(), who="p", reference="A-0001")


# -- every combination through the services --------------------------------------------------

PERSONAS = ("lead", "outsider", "admin", "reviewer", "conflicted", "dag", "rap", "linkage",
            "checker", "auditor")


def _parties(persona: str, state: State) -> frozenset[Party]:
    """What each persona is to the application (route: hmcts_dap, then rap)."""
    reviewing = state in (State.IN_REVIEW, State.MORE_INFORMATION, State.RESUBMITTED)
    return frozenset({
        "lead": {Party.APPLICANT},
        "admin": {Party.ADMINISTRATOR},
        "reviewer": {Party.REVIEWING_PANEL} if reviewing else set(),
        "rap": {Party.ACCREDITATION_PANEL} if state == State.APPROVED else set(),
        "linkage": {Party.LINKAGE_OFFICER},
    }.get(persona, set()))


def expected(state: State, action: str, persona: str) -> type[Exception] | State:
    """The outcome the table prescribes: an exception class, or the state reached."""
    held = _parties(persona, state)
    rows = [t for t in TRANSITIONS if t.action == action]
    if not any(t.parties & held for t in rows):
        return PermissionDenied
    here = [t for t in rows if t.source == state]
    if not here:
        return InvalidTransition
    mine = [t for t in here if t.parties & held]
    if not mine:
        return PermissionDenied
    if action == "approve":  # one approval panel on this route: its approval is the last
        return State.APPROVED
    (row,) = mine
    return row.target


def _call(world: World, action: str, by: str, ref: str) -> None:
    home, given = world.home, world.published
    calls = {
        "submit": lambda: applications.submit(home, by=by, reference=ref, published=given),
        "start_review": lambda: applications.start_review(home, by=by, reference=ref),
        "request_information": lambda: applications.request_information(
            home, by=by, reference=ref, reasons="Please explain the date range."),
        "resubmit": lambda: applications.resubmit(home, by=by, reference=ref, published=given),
        "resume_review": lambda: applications.resume_review(home, by=by, reference=ref),
        "approve": lambda: reviews.approve(home, by=by, reference=ref,
                                           conditions=["Outputs checked twice."]),
        "escalate": lambda: reviews.escalate(home, by=by, reference=ref,
                                             reasons="Needs judicial view."),
        "reject": lambda: reviews.reject(home, by=by, reference=ref, reasons="Out of scope."),
        "accredit": lambda: reviews.accredit(home, by=by, reference=ref,
                                             rap_reference="RAP-2026-17",
                                             expires_on=date(2027, 12, 31)),
        "provision": lambda: access.provision(home, by=by, reference=ref),
        "close": lambda: applications.close(home, by=by, reference=ref),
        "withdraw": lambda: applications.withdraw(home, by=by, reference=ref,
                                                  reasons="No longer needed."),
    }
    assert set(calls) == set(ACTIONS), "every action of the table has a service here"
    calls[action]()


@pytest.fixture
def cast(world):
    w = world
    w.researcher("lead")
    w.researcher("outsider")
    w.account("reviewer", ("panel_member", "hmcts_dap"))
    w.account("conflicted", ("panel_member", "hmcts_dap"))
    w.account("dag", ("panel_member", "dag"))
    w.account("rap", ("panel_member", "rap"))
    w.account("linkage", "linkage_officer")
    w.account("checker", "output_checker")
    w.account("auditor", "auditor")
    project = w.project("lead")
    w.agreement()

    def new_application(state: State, *, conflict: bool = True) -> str:
        ref = w.apply("lead", project)
        if conflict:
            reviews.declare_conflict(w.home, by="conflicted", reference=ref, panel="hmcts_dap",
                                     reason="I supervised the lead's doctorate.")
        drive(w, ref, state, lead="lead", panel="reviewer", rap="rap", linkage="linkage")
        return ref

    return w, new_application


def _snapshot(world, ref: str) -> tuple[str, int]:
    """The application's state and the newest audit entry's number, refusals left out (each
    refusal adds a security event, checked where it happens)."""
    with world.home.store.reading() as session:
        last = max(e.seq for e in audit.query(session, audit.EntryFilter())
                   if e.action != REFUSED_ACTION)
        return applications.get_application(session, ref).state, last


def _newest_entry(world):
    with world.home.store.reading() as session:
        return audit.query(session, audit.EntryFilter(limit=1))[0]


def _try_every_step_from(world, new_application, state: State) -> list[str]:
    """Every action by every persona on an application in ``state``; the mismatches."""
    wrong = []
    ref = new_application(state)
    before = _snapshot(world, ref)
    allowed = []
    for action in ACTIONS:
        for persona in PERSONAS:
            outcome = expected(state, action, persona)
            if isinstance(outcome, State):
                allowed.append((action, persona, outcome))
                continue
            try:
                _call(world, action, persona, ref)
                wrong.append(f"{state}: {persona} could {action}; expected {outcome.__name__}")
            except (PermissionDenied, InvalidTransition) as exc:
                if type(exc) is not outcome:
                    wrong.append(f"{state}: {persona} {action}: {type(exc).__name__} ({exc}); "
                                 f"expected {outcome.__name__}")
                elif isinstance(exc, PermissionDenied):
                    newest = _newest_entry(world)
                    if (newest.action, newest.actor, newest.details) != (
                            REFUSED_ACTION, persona, json.dumps({"refused": str(exc)},
                                                                separators=(",", ":"),
                                                                ensure_ascii=False)):
                        wrong.append(f"{state}: {persona} {action} refused but not audited as "
                                     f"a security event: {newest.action} {newest.actor} "
                                     f"{newest.details}")
    if _snapshot(world, ref) != before:
        wrong.append(f"{state}: a refused step changed the application or the audit log")
    if any(persona == "conflicted" for _, persona, _ in allowed):
        wrong.append(f"{state}: the table lets a conflicted member act")
    for i, (action, persona, target) in enumerate(allowed):
        # the last allowed step uses the application the refusals were tried on
        fresh = ref if i == len(allowed) - 1 else new_application(state, conflict=False)
        try:
            _call(world, action, persona, fresh)
        except (PermissionDenied, InvalidTransition) as exc:
            wrong.append(f"{state}: {persona} {action} refused: {exc}")
            continue
        with world.home.store.reading() as session:
            last = audit.query(session, audit.EntryFilter(limit=1))[0]
        if _snapshot(world, fresh)[0] != target:
            wrong.append(f"{state}: {persona} {action} reached {_snapshot(world, fresh)[0]}, "
                         f"expected {target}")
        if (last.actor, last.action, last.subject) != (
                persona, f"governance.application.{action}", f"application:{fresh}"):
            wrong.append(f"{state}: {persona} {action} audited as {last.actor} {last.action}")
    return wrong


def test_every_action_by_every_role_from_every_state(cast):
    """For each state, each action and each role: allowed (and the state reached, audited) or
    refused with the error the table prescribes, changing nothing. All states are tried before
    the test reports, so one wrong state does not hide another."""
    world, new_application = cast
    wrong = [w for state in State for w in _try_every_step_from(world, new_application, state)]
    assert wrong == []


def test_a_conflicted_member_is_told_why(cast):
    world, new_application = cast
    ref = new_application(State.IN_REVIEW)
    with pytest.raises(PermissionDenied, match="declared a conflict of interest: I supervised"):
        reviews.approve(world.home, by="conflicted", reference=ref)
