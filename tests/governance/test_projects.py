"""Safe projects: who may create a project and change its team, and the project form."""

from __future__ import annotations

from datetime import date

import pytest

from fivesafes import audit
from fivesafes.errors import InvalidForm, NotFound, PermissionDenied
from fivesafes.governance import projects


def test_a_researcher_creates_their_own_project_and_an_administrator_any(world):
    world.researcher("lead")
    world.researcher("other")
    assert world.project("lead") == "P-0001"
    with pytest.raises(PermissionDenied, match="other may not create this project"):
        projects.create_project(world.home, by="other", form=_form(lead="lead"))
    assert projects.create_project(world.home, by="admin", form=_form(lead="other")) == "P-0002"
    view = projects.project_view(world.home, by="lead", project="P-0001")
    assert (view.lead, view.funder, [m.username for m in view.team]) == ("lead", "ESRC",
                                                                        ["lead"])
    with pytest.raises(PermissionDenied, match="other may not see project P-0001"):
        projects.project_view(world.home, by="other", project="P-0001")
    for wrong in ("X-1", "P-0009", "P-99999999999999", "P-"):
        with pytest.raises(NotFound, match="references look like P-0001"):
            projects.project_view(world.home, by="admin", project=wrong)
    with world.home.store.reading() as session:
        created = audit.query(session, audit.EntryFilter(action="governance.project.create"))
    assert [(e.actor, e.subject) for e in created] == [("lead", "project:P-0001"),
                                                        ("admin", "project:P-0002")]


def _form(**overrides):
    form = {"title": "T", "lay_summary": "S", "public_benefit": "B",
            "research_questions": ["Q?"], "lead": "lead", "organisation": "O", "funder": "ESRC",
            "start": date(2026, 2, 1), "end": date(2027, 2, 1)}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_the_project_form_reports_every_problem_at_once(world):
    world.researcher("lead")
    with pytest.raises(InvalidForm) as bad:
        projects.create_project(world.home, by="lead", form=_form(
            title=None, research_questions=[], start="2026-13-01", sensitive_topic="yes",
            team=["ghost"], colour="blue"))
    assert [str(p) for p in bad.value.problems] == [
        "colour: unknown field; expected one of end, funder, lay_summary, lead, organisation, "
        "public_benefit, research_questions, sensitive_topic, start, team, title",
        "title: is required: the project's title, as the public register shows it",
        "research_questions: needs at least one entry",
        "start: '2026-13-01' is not a date; write it as 2026-03-31",
        "sensitive_topic: must be true or false",
        "team[0]: there is no account 'ghost'",
    ]
    assert "has 6 problems" in str(bad.value)
    with pytest.raises(InvalidForm, match="end: must be after start"):
        projects.create_project(world.home, by="lead", form=_form(end=date(2026, 1, 1)))


def test_the_team_is_changed_by_its_lead_or_an_administrator(world):
    world.researcher("lead")
    world.researcher("mia")
    world.researcher("other")
    project = world.project("lead")
    with pytest.raises(PermissionDenied, match="only its lead or an administrator"):
        projects.add_member(world.home, by="other", project=project, username="mia")
    projects.add_member(world.home, by="lead", project=project, username="mia")
    with pytest.raises(PermissionDenied, match="already on P-0001's team"):
        projects.add_member(world.home, by="admin", project=project, username="mia")
    with pytest.raises(PermissionDenied, match="leads P-0001 and cannot be removed"):
        projects.remove_member(world.home, by="admin", project=project, username="lead",
                               reason="x")
    projects.remove_member(world.home, by="lead", project=project, username="mia",
                           reason="moved on")
    with pytest.raises(NotFound):
        projects.remove_member(world.home, by="lead", project=project, username="mia",
                               reason="again")
    with pytest.raises(PermissionDenied, match="mia may not see project P-0001"):
        projects.project_view(world.home, by="mia", project=project)
    projects.add_member(world.home, by="admin", project=project, username="mia")
    team = projects.project_view(world.home, by="mia", project=project).team
    assert [(m.username, m.status) for m in team] == [("lead", "active"), ("mia", "active")]
