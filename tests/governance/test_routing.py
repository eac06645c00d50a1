"""Routing: which panels decide, from the data owners (configuration, not code); panels deciding
in turn, escalation, rejection ending the application, and conflicts of interest."""

from __future__ import annotations

import itertools

import pytest

from fivesafes.accounts.panels import default_routing, routing_for
from fivesafes.errors import InvalidForm, InvalidTransition, PermissionDenied, RoutingError
from fivesafes.governance import applications, reviews, views
from fivesafes.governance.lifecycle import State

from .conftest import drive

ROUTING = default_routing()
MOJ, HMCTS, HMPPS, DWP = ("dag", "dagb"), ("hmcts_dap",), ("dag", "dagb", "nrc"), ("dwp_dap",)
ROUTES = {"MoJ": MOJ, "HMCTS": HMCTS, "HMPPS": HMPPS, "DWP": DWP}


def _expected(owners: set[str]) -> tuple[str, ...]:
    """Each owner's route in the configured order (MoJ, HMCTS, HMPPS, DWP), each panel once."""
    return tuple(dict.fromkeys(p for o in ROUTES if o in owners for p in ROUTES[o]))


@pytest.mark.parametrize("owners", [set(c) for n in range(1, 5)
                                    for c in itertools.combinations(ROUTES, n)],
                         ids=lambda o: "+".join(sorted(o)))
def test_the_route_for_every_mix_of_owners(owners):
    assert ROUTING.route(owners) == _expected(owners)
    assert ROUTING.accreditation_panel == "rap"


def test_the_default_routes_as_described():
    assert ROUTING.route({"MoJ"}) == ("dag", "dagb")
    assert ROUTING.route({"HMCTS"}) == ("hmcts_dap",)
    assert ROUTING.route({"HMPPS"}) == ("dag", "dagb", "nrc")
    assert ROUTING.route({"HMCTS", "HMPPS"}) == ("hmcts_dap", "dag", "dagb", "nrc")
    assert ROUTING.route({"DfE"}) == ("dfe_dap",)
    assert ROUTING.panel("hmcts_dap").escalates_to == "hmcts_escalation"
    with pytest.raises(RoutingError, match=r"no route is configured for data owner\(s\) ONS"):
        ROUTING.route({"HMCTS", "ONS"})


def test_a_deployment_supplies_its_own_routing_and_problems_are_listed_at_once(home):
    (home.root / "routing.toml").write_text(
        'accreditation_panel = "rap"\n'
        '[panels.ons_panel]\nname = "ONS panel"\n'
        '[panels.rap]\nname = "RAP"\n'
        '[owners.ONS]\nroute = ["ons_panel"]\n')
    routing = routing_for(home)
    assert routing.route({"ONS"}) == ("ons_panel",) and str(home.root) in routing.source
    (home.root / "routing.toml").write_text(
        'accreditation_panel = "nope"\ncolour = 1\n'
        '[panels.Bad]\nname = ""\nescalates_to = "ghost"\n'
        '[owners.X]\nroute = ["missing", "missing"]\n'
        '[owners.Y]\nroute = []\n')
    with pytest.raises(InvalidForm) as bad:
        routing_for(home)
    assert [str(p) for p in bad.value.problems] == [
        "colour: unknown setting; expected one of ['accreditation_panel', 'owners', 'panels']",
        "panels.Bad: a panel key is lower case letters, digits and _",
        "panels.Bad.name: must be a non-empty string",
        "panels.Bad.escalates_to: names no configured panel ('ghost')",
        "accreditation_panel: names no configured panel ('nope')",
        "owners.X.route: names no configured panel ('missing')",
        "owners.X.route: names no configured panel ('missing')",
        "owners.X.route: lists a panel twice",
        "owners.Y.route: must be a non-empty list of panel keys",
    ]


@pytest.fixture
def panels(world):
    world.researcher("lead")
    for panel in ("hmcts_dap", "hmcts_escalation", "dag", "dagb", "nrc", "rap"):
        world.account(f"m.{panel}", ("panel_member", panel))
    world.account("m.dag2", ("panel_member", "dag"))
    return world


def _route(world, ref):
    view = views.application_view(world.home, by="admin", reference=ref)
    return [(r.panel, r.status) for r in view.route], view.current_panel


def test_panels_decide_in_route_order_then_the_accreditation_panel(panels):
    w = panels
    ref = w.apply("lead", w.project("lead"), {"magistrates": ["sex"], "prison": ["sex"]})
    applications.submit(w.home, by="lead", reference=ref, published=w.published)
    assert applications.start_review(w.home, by="admin", reference=ref) == (
        "hmcts_dap", "dag", "dagb", "nrc", "rap")
    with pytest.raises(PermissionDenied, match="m.dag may not approve A-0001"):
        reviews.approve(w.home, by="m.dag", reference=ref)
    with pytest.raises(PermissionDenied, match="m.rap may not accredit"):
        reviews.accredit(w.home, by="m.rap", reference=ref, rap_reference="R",
                         expires_on=w.clock.now.date().replace(year=2028))
    for panel in ("hmcts_dap", "dag", "dagb"):
        assert reviews.approve(w.home, by=f"m.{panel}", reference=ref) == State.IN_REVIEW
    applications.request_information(w.home, by="m.nrc", reference=ref,
                                     reasons="Which prisons?")
    applications.resubmit(w.home, by="lead", reference=ref, reasons="All of them.",
                          published=w.published)
    applications.resume_review(w.home, by="m.nrc", reference=ref)
    assert reviews.approve(w.home, by="m.nrc", reference=ref,
                           conditions=["No small-area outputs."]) == State.APPROVED
    assert _route(w, ref) == ([("hmcts_dap", "approved"), ("dag", "approved"),
                               ("dagb", "approved"), ("nrc", "approved"), ("rap", "pending")],
                              "rap")
    view = views.application_view(w.home, by="lead", reference=ref)
    assert view.conditions == ("No small-area outputs.",)
    assert [e.action for e in view.history] == [
        "create", "submit", "start_review", "approve", "approve", "approve",
        "request_information", "resubmit", "resume_review", "approve"]


def test_a_panel_escalates_to_its_higher_body_which_then_decides(panels):
    w = panels
    ref = w.apply("lead", w.project("lead"), {"magistrates": ["sex"], "reoffending": [
        "reoffended"]})
    applications.submit(w.home, by="lead", reference=ref, published=w.published)
    applications.start_review(w.home, by="admin", reference=ref)
    with pytest.raises(InvalidTransition, match="Data Access Group has no higher body"):
        reviews.escalate(w.home, by="m.dag", reference=ref, reasons="Novel linkage.")
    reviews.approve(w.home, by="m.dag", reference=ref)  # MoJ's route first, then HMCTS's
    reviews.approve(w.home, by="m.dagb", reference=ref)
    assert reviews.escalate(w.home, by="m.hmcts_dap", reference=ref,
                            reasons="Judicial interest.") == "hmcts_escalation"
    with pytest.raises(PermissionDenied):
        reviews.approve(w.home, by="m.hmcts_dap", reference=ref)
    assert _route(w, ref) == ([("dag", "approved"), ("dagb", "approved"),
                               ("hmcts_dap", "escalated"), ("hmcts_escalation", "pending"),
                               ("rap", "pending")], "hmcts_escalation")
    assert reviews.approve(w.home, by="m.hmcts_escalation", reference=ref) == State.APPROVED


def test_one_panels_rejection_ends_the_application(panels):
    w = panels
    ref = w.apply("lead", w.project("lead"), {"prison": ["sex"]})
    applications.submit(w.home, by="lead", reference=ref, published=w.published)
    applications.start_review(w.home, by="admin", reference=ref)
    reviews.approve(w.home, by="m.dag", reference=ref)
    with pytest.raises(InvalidForm, match="reasons: give reasons"):
        reviews.reject(w.home, by="m.dagb", reference=ref, reasons=" ")
    reviews.reject(w.home, by="m.dagb", reference=ref, reasons="Public benefit unclear.")
    assert w.state(ref) == State.REJECTED
    assert _route(w, ref) == ([("dag", "approved"), ("dagb", "rejected"), ("nrc", "cancelled"),
                               ("rap", "cancelled")], "")
    with pytest.raises(PermissionDenied):
        reviews.approve(w.home, by="m.nrc", reference=ref)


def test_conflicted_members_cannot_decide_but_colleagues_can(panels):
    w = panels
    w.account("m.team", ("panel_member", "dag"), "researcher")
    w.accredit("m.team")
    w.train("m.team")
    ref = w.apply("lead", w.project("lead", team=["m.team"]), {"reoffending": ["reoffended"]})
    with pytest.raises(PermissionDenied, match="m.nrc is not a member of panel 'dag'"):
        reviews.declare_conflict(w.home, by="m.nrc", reference=ref, panel="dag", reason="x")
    reviews.declare_conflict(w.home, by="m.dag", reference=ref, panel="dag",
                             reason="Co-author of the lead.")
    reviews.declare_conflict(w.home, by="m.dag", reference=ref, panel="dag",
                             reason="Co-author of the lead.")
    applications.submit(w.home, by="lead", reference=ref, published=w.published)
    applications.start_review(w.home, by="admin", reference=ref)
    with pytest.raises(PermissionDenied, match="declared a conflict of interest: Co-author"):
        reviews.approve(w.home, by="m.dag", reference=ref)
    with pytest.raises(PermissionDenied, match="m.team is on the project's team"):
        reviews.reject(w.home, by="m.team", reference=ref, reasons="x")
    assert reviews.approve(w.home, by="m.dag2", reference=ref) == State.IN_REVIEW


def test_a_route_needs_every_owner_configured(panels):
    w = panels
    (w.home.root / "routing.toml").write_text(
        'accreditation_panel = "rap"\n[panels.rap]\nname = "RAP"\n'
        '[panels.hmcts_dap]\nname = "HMCTS DAP"\n[owners.HMCTS]\nroute = ["hmcts_dap"]\n')
    ref = w.apply("lead", w.project("lead"), {"prison": ["sex"]})
    drive(w, ref, State.SUBMITTED, lead="lead", panel="", rap="", linkage="")
    with pytest.raises(RoutingError, match="no route is configured for data owner"):
        applications.start_review(w.home, by="admin", reference=ref)
    assert w.state(ref) == State.SUBMITTED
