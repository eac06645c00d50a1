"""The route x person authorisation matrix, walked from the route table itself: every route,
as every kind of person (anonymous, a member of the project, a researcher outside it, a panel
member, the linkage officer, an auditor, an administrator). A route missing from ``EXPECTED``
fails the test, so a new route cannot ship without saying who may use it."""

from __future__ import annotations

import pytest

from fivesafes.governance.lifecycle import State
from fivesafes.web.routing import ROUTES
from tests.governance.conftest import drive, provisioned

PERSONAS = ("anonymous", "lead", "outsider", "reviewer", "linkage", "auditor", "admin")
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
SEES_APPLICATION = frozenset({"lead", "reviewer", "linkage", "auditor", "admin"})
STAFF = frozenset({"auditor", "admin"})

EXPECTED: dict[str, frozenset[str]] = {
    "sign-in": frozenset(PERSONAS),
    "sign-in-submit": frozenset(PERSONAS),
    "sign-out": SIGNED_IN,
    "home": SIGNED_IN,
    "my-record": SIGNED_IN,
    "register": frozenset(PERSONAS),
    "applications": SIGNED_IN,
    "application": SEES_APPLICATION,
    "application-new": frozenset({"lead", "outsider"}),
    "application-create": frozenset({"lead", "outsider"}),
    "application-submit": frozenset({"lead"}),
    "application-assess-risk": frozenset({"lead", "reviewer", "admin"}),
    "application-start-review": frozenset({"admin"}),
    "application-approve": frozenset({"reviewer"}),
    "application-reject": frozenset({"reviewer"}),
    "application-request-information": frozenset({"reviewer"}),
    "application-declare-conflict": frozenset({"reviewer"}),
    "panel-queue": frozenset({"reviewer"}),
    "people": STAFF,
    "audit-log": STAFF,
    "api-me": SIGNED_IN,
    "api-applications": SIGNED_IN,
    "api-application": SEES_APPLICATION,
    "api-register": frozenset(PERSONAS),
    # outputs: only a team member inside the access window reaches a project's outputs, and
    # this world has no extract in its window, so nobody here does (test_outputs walks the
    # team, outsiders and the output checkers over a real extract)
    "application-outputs": frozenset(),
    "output-request": frozenset(),
    "release-requests": STAFF,
    "release-request-review": frozenset(),
    "released": SIGNED_IN,
    "api-release-requests": STAFF,
    # an unknown output, request or file is "not found" for anyone signed in (test_outputs
    # walks who may see a real one)
    "output": SIGNED_IN,
    "release-request": SIGNED_IN,
    "released-file": SIGNED_IN,
}
UNKNOWN = {"{output}": "O-9999", "{release}": "R-9999", "{file}": "none.csv"}


def test_every_route_says_who_may_use_it():
    assert {r.name for r in ROUTES} == set(EXPECTED)


def _denied(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 303 and response.headers["location"].startswith("/sign-in?")


@pytest.fixture
def people(world, browsers):
    world.researcher("lead")
    reference = provisioned(world)
    world.researcher("outsider")
    world.account("auditor", "auditor")
    signed = {}
    for persona in PERSONAS:
        b = browsers()
        if persona != "anonymous":
            assert b.sign_in(persona).status_code == 303, persona
        signed[persona] = b
    def in_review() -> str:
        with world.home.store.reading() as session:
            from fivesafes.governance.applications import get_application
            project = get_application(session, reference).project.reference
        fresh = world.apply("lead", project)
        drive(world, fresh, State.IN_REVIEW, lead="lead", panel="reviewer", rap="rap",
              linkage="linkage")
        return fresh
    return reference, signed, in_review


def test_the_matrix_has_no_unexpected_allow_and_no_unexpected_deny(people):
    reference, signed, in_review = people
    found: dict[str, set[str]] = {}
    for r in ROUTES:
        if r.name in ("sign-in-submit", "sign-out"):
            continue  # they change who is signed in: tested in test_sessions
        for persona, b in signed.items():
            # reads on a provisioned application; each action on an application of its own,
            # in review with the persona's panel, so no action changes another's outcome
            target = reference if r.method == "GET" else in_review()
            path = r.path.replace("{reference}", target)
            for name, value in UNKNOWN.items():
                path = path.replace(name, value)
            if r.method == "GET":
                response = b.get(path)
            else:
                token = b.csrf("/sign-in" if persona == "anonymous" else "/me")
                response = b.client.post(path, data={"csrf_token": token, "reasons": "Because.",
                                                     "panel": "hmcts_dap"})
            assert response.status_code < 500, (r.name, persona, response.text[:300])
            if not _denied(response):
                found.setdefault(r.name, set()).add(persona)
    problems = []
    for r in ROUTES:
        if r.name in ("sign-in-submit", "sign-out"):
            continue
        got = found.get(r.name, set())
        if got - EXPECTED[r.name]:
            problems.append(f"{r.name}: unexpected allow for {sorted(got - EXPECTED[r.name])}")
        if EXPECTED[r.name] - got:
            problems.append(f"{r.name}: unexpected deny for {sorted(EXPECTED[r.name] - got)}")
    assert not problems, "\n".join(problems)
