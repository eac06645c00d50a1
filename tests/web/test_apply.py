"""Writing an application in the browser: two steps, every problem at once, values kept."""

from __future__ import annotations

from fivesafes.governance import applications
from tests.governance.conftest import LONG
from tests.web.browser import application_post as _posted
from tests.web.conftest import Browser


def _lead_with_project(world) -> str:
    world.researcher("lead")
    return world.project("lead")


def test_step_one_lists_the_researchers_projects_and_the_catalogue(world, browser):
    project = _lead_with_project(world)
    browser.sign_in("lead")
    page = browser.get("/applications/new").text
    assert f'value="{project}"' in page
    for dataset in ("magistrates", "prison", "dwp_benefits"):
        assert f'name="dataset" value="{dataset}"' in page


def test_an_app_given_no_catalogue_lists_the_homes_own(world):
    project = _lead_with_project(world)
    own = Browser(world.home)  # as `fivesafes serve` makes it: nothing published in this home
    with own.client:
        own.sign_in("lead")
        page = own.get("/applications/new").text
    assert f'value="{project}"' in page
    assert 'name="dataset"' not in page


def test_step_two_shows_each_fields_levels_and_sensitivity(world, browser):
    project = _lead_with_project(world)
    browser.sign_in("lead")
    page = browser.get(f"/applications/new?project={project}&dataset=magistrates").text
    assert 'name="want:magistrates:offence_code"' in page
    assert '<option value="offence_group"' in page
    assert "criminal offence" in page


def test_a_complete_form_saves_a_draft(world, browser):
    project = _lead_with_project(world)
    browser.sign_in("lead")
    response = browser.post("/applications/new", _posted(project))
    assert response.status_code == 303, response.text
    reference = response.headers["location"].split("/")[2].split("?")[0]
    assert world.state(reference) == "draft"
    page = browser.get(response.headers["location"]).text
    assert "Done: draft created." in page and "offence_code" in page
    # it is a real application
    applications.submit(world.home, by="lead", reference=reference, published=world.published)


def test_every_problem_is_shown_at_once_with_what_was_typed(world, browser):
    project = _lead_with_project(world)
    browser.sign_in("lead")
    response = browser.post("/applications/new", _posted(
        project, **{"why:magistrates:sex": "short", "ethics_reference": ""}))
    assert response.status_code == 400
    page = response.text
    assert "nothing was saved" in page
    assert "<strong>magistrates.sex, justification</strong>" in page
    assert "<strong>ethics reference</strong>" in page
    assert LONG in page  # what was typed is kept
    assert 'name="want:magistrates:offence_code" value="1" checked' in page


def test_only_the_team_may_apply_for_a_project(world, browser):
    project = _lead_with_project(world)
    world.researcher("outsider")
    browser.sign_in("outsider")
    response = browser.post("/applications/new", _posted(project))
    assert response.status_code == 403
    assert f"outsider may not apply for {project}" in response.text
