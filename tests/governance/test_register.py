"""The public register: approved projects only; sensitive-topic projects left out and counted;
CSV, JSON and HTML."""

from __future__ import annotations

import csv
import io
import json

import pytest

from fivesafes.governance import register
from fivesafes.governance.lifecycle import State

from .conftest import drive, staff

TITLE = 'Courts, "fairness" & <script>alert(1)</script>'


@pytest.fixture
def published(world):
    world.researcher("lead")
    staff(world)
    world.agreement()

    def project(title: str, state: State, sensitive: bool = False, **wanted) -> str:
        ref = world.apply("lead", world.project("lead", title=title, sensitive=sensitive),
                          wanted or None)
        drive(world, ref, state, lead="lead", panel="reviewer", rap="rap", linkage="")
        return ref

    project(TITLE, State.APPROVED)
    project("Sensitive one", State.APPROVED, sensitive=True)
    project("Sensitive two", State.ACCREDITED, sensitive=True)
    project("Still a draft", State.DRAFT)
    project("Turned down", State.REJECTED)
    project("Given up", State.WITHDRAWN)
    return world


def test_only_approved_projects_are_listed_and_sensitive_ones_only_counted(published):
    public = register.public_register(published.home)
    assert [e.title for e in public.entries] == [TITLE]
    assert public.sensitive_not_listed == 2
    (entry,) = public.entries
    assert (entry.project, entry.organisation, entry.lead, entry.datasets) == (
        "P-0001", "Example University", "Lead", ("magistrates (2024-06)",))
    assert str(entry.start) == "2026-02-01" and str(entry.approved_on) == "2026-01-05"
    assert entry.legal_basis[0].startswith("Digital Economy Act 2017")
    assert register.withheld_note(public) == ("2 further approved projects, on sensitive "
                                              "topics, are not listed.")


def test_the_three_formats(published):
    rows = list(csv.DictReader(io.StringIO(register.export_register(published.home, fmt="csv"))))
    assert [r["title"] for r in rows] == [TITLE] and tuple(rows[0]) == register.COLUMNS
    assert "Sensitive" not in register.export_register(published.home, fmt="csv")
    data = json.loads(register.export_register(published.home, fmt="json"))
    assert data["sensitive_topic_projects_not_listed"] == 2
    assert [p["title"] for p in data["projects"]] == [TITLE]
    assert data["projects"][0]["datasets"] == ["magistrates (2024-06)"]
    page = register.export_register(published.home, fmt="html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "2 further approved projects, on sensitive topics, are not listed." in page
    assert "Sensitive" not in page
    with pytest.raises(ValueError, match="unknown register format"):
        register.render(register.public_register(published.home), "xml")


def test_a_project_with_several_approved_applications_is_listed_once(world):
    world.researcher("lead")
    staff(world)
    project = world.project("lead")
    for wanted in ({"magistrates": ["sex"]}, {"crown_court": ["sex"], "magistrates": ["sex"]}):
        ref = world.apply("lead", project, wanted)
        drive(world, ref, State.APPROVED, lead="lead", panel="reviewer", rap="rap", linkage="")
    (entry,) = register.public_register(world.home).entries
    assert entry.datasets == ("magistrates (2024-06)", "crown_court (2024-06)")
    assert register.withheld_note(register.public_register(world.home)).startswith("No ")
