"""Safe outputs in the browser, on SQLite and PostgreSQL: the researcher sees the project's
outputs with every finding and asks for a release; two output checkers release it with one click
each, or return it; the released file is downloadable and is the manifest's bytes; nobody
outside the team reaches a project's outputs, and only checkers decide."""

from __future__ import annotations

import html
import re

from fivesafes.outputs.service import list_requests, make_output
from fivesafes.workspace.service import open_workspace
from tests.outputs import conftest as outputs_fixtures
from tests.outputs.conftest import CHECKERS, Project
from tests.web.conftest import Browser

# the outputs tests' published home (package-scoped, per backend), walk and extract
published, walk, project = (outputs_fixtures.published, outputs_fixtures.walk,
                            outputs_fixtures.project)

PASSWORD = "a long enough test passphrase"
JUSTIFY = "The table answers the project's first research question for the final report."


def _make(project: Project, spec: dict, name: str) -> str:
    with open_workspace(project.walk.home, by=project.lead, project=project.project) as ws:
        return make_output(ws, "frequency", table="magistrates", name=name, spec=spec).reference


def _signed_in(project: Project, username: str) -> Browser:
    b = Browser(project.walk.home)
    assert b.sign_in(username, PASSWORD).status_code == 303, username
    return b


def _review(b: Browser, request: str, decision: str, comments: str = ""):
    page = f"/release-requests/{request}"
    return b.post(f"{page}/review", {"decision": decision, "comments": comments}, page=page)


def test_a_researcher_asks_and_two_checkers_release_in_the_browser(project: Project) -> None:
    safe = _make(project, {"groups": ["hearing_date_year"]}, "Hearings by year")
    lead = _signed_in(project, project.lead)
    page = lead.get(f"/applications/{project.application}/outputs")
    assert page.status_code == 200 and safe in page.text and "Ask for a release" in page.text
    shown = lead.get(f"/outputs/{safe}")
    assert shown.status_code == 200 and "Hearings by year" in shown.text
    assert "<svg" in shown.text  # a one-way table has its bar chart
    asked = lead.post(f"/applications/{project.application}/outputs/request",
                      {"output": safe, "justification": JUSTIFY, "purpose": "Question 1"},
                      page=f"/applications/{project.application}/outputs")
    assert asked.status_code == 303
    request = re.search(r"/release-requests/(R-\d+)", asked.headers["location"]).group(1)
    # the researcher cannot review (the route needs the output checker role)
    assert _review(lead, request, "approve").status_code == 403

    first, second = (_signed_in(project, c) for c in CHECKERS[:2])
    queue = first.get("/release-requests")
    assert queue.status_code == 200 and request in queue.text
    detail = html.unescape(first.get(f"/release-requests/{request}").text)
    assert "Approve for release" in detail and JUSTIFY in detail
    assert _review(first, request, "approve").status_code == 303
    assert "Approve for release" not in first.get(f"/release-requests/{request}").text
    done = _review(second, request, "approve", "Counts of at least 10 persons.")
    assert done.status_code == 303 and "released" in done.headers["location"]

    listing = lead.get("/released")
    assert request in listing.text
    link = re.search(rf'href="(/released/{request}/[^"]+\.csv)"', listing.text).group(1)
    download = lead.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text.splitlines()[0].startswith("hearing_date_year")
    assert lead.get(f"/released/{request}/../../secrets.csv").status_code == 404


def test_a_disclosive_table_shows_its_findings_and_is_returned(project: Project) -> None:
    risky = _make(project, {"groups": ["outcome", "age_at_hearing_band"]}, "Outcome by age")
    lead = _signed_in(project, project.lead)
    shown = lead.get(f"/outputs/{risky}").text
    assert "threshold" in shown and "what you can do" in shown
    assert "interval attack" in shown and "withheld" in shown
    assert "<svg" in shown  # the suppression map of a two-way table
    lead.post(f"/applications/{project.application}/outputs/request",
              {"output": risky, "justification": JUSTIFY, "purpose": "Question 1",
               "exception": "Withheld cells leave the rest safe."},
              page=f"/applications/{project.application}/outputs")
    [request] = [q.reference for q in list_requests(project.walk.home, by=CHECKERS[0],
                                                    status="pending")
                 if risky in {o.reference for o in q.outputs}]
    first, second = (_signed_in(project, c) for c in CHECKERS[1:3])
    # returning needs comments: the form says so and nothing is recorded
    assert _review(first, request, "return").status_code == 409
    assert _review(first, request, "return", "Merge the age bands.").status_code == 303
    assert _review(second, request, "return", "Agreed.").status_code == 303
    page = lead.get(f"/release-requests/{request}").text
    assert "returned" in page and "Merge the age bands." in page


def test_nobody_outside_the_team_reaches_a_projects_outputs(project: Project) -> None:
    output = _make(project, {"groups": ["hearing_date_year"]}, "Hearings by year")
    outsider = project.walk.team(1)[0]
    b = _signed_in(project, outsider)
    assert b.get(f"/applications/{project.application}/outputs").status_code == 403
    assert b.get(f"/outputs/{output}").status_code == 403
    assert b.get("/release-requests").status_code == 403
    checker = _signed_in(project, CHECKERS[0])
    # a checker sees an output only once it is part of a request
    assert checker.get(f"/outputs/{output}").status_code == 403


def test_the_output_pages_have_no_serious_accessibility_violation(project: Project) -> None:
    from tests.web.browser import chromium_page, served_app
    from tests.web.test_accessibility import _problems, _sign_in, _sign_out

    home = project.walk.home
    risky = _make(project, {"groups": ["outcome", "age_at_hearing_band"]}, "Outcome by age")
    safe = _make(project, {"groups": ["hearing_date_year"]}, "Hearings by year")
    from fivesafes.outputs.service import request_release
    request = request_release(home, by=project.lead, project=project.project,
                              outputs=[risky, safe], justification=JUSTIFY, purpose="Q1",
                              exception="The checkers may judge the withheld cells.")
    problems: list[str] = []
    with served_app(home) as served, chromium_page(bypass_csp=True) as page:
        def visit(path: str) -> None:
            page.goto(f"{served}{path}")
            page.wait_for_load_state()
            assert page.locator("main").count() == 1, path
            problems.extend(_problems(page))

        _sign_in(page, served, project.lead)
        for path in (f"/applications/{project.application}/outputs", f"/outputs/{risky}",
                     f"/outputs/{safe}", "/released"):
            visit(path)
        _sign_out(page)
        _sign_in(page, served, CHECKERS[0])
        for path in ("/release-requests", f"/release-requests/{request}"):
            visit(path)
    assert not problems, "\n".join(problems)
