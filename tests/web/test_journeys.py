"""Journeys in a real browser: Debian's Chromium driven by Playwright, against the app served by
uvicorn on loopback. CI installs chromium (``.ci/run``) and sets FIVESAFES_REQUIRE_BROWSER=1, so
these tests fail there rather than skip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from fivesafes.governance.lifecycle import State
from tests.governance.conftest import PASSWORD, provisioned
from tests.web.browser import chromium_page, served_app


@pytest.fixture
def served(home, example_datasets) -> Iterator[str]:
    """The app on a free loopback port, for as long as the test runs."""
    with served_app(home, example_datasets) as url:
        yield url


@pytest.fixture
def page():
    with chromium_page() as p:
        yield p


def _sign_in(page, base: str, username: str, then: str = "/") -> None:
    page.goto(f"{base}/sign-in?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_panel_member_finds_the_application_sees_its_risk_and_approves(
        world, served, page):
    world.researcher("lead")
    reference = provisioned(world, to=State.IN_REVIEW)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, served, "reviewer")
    page.get_by_role("link", name="Panel queue").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text("The requested combination")).to_be_visible()
    assert page.locator("figure.chart svg rect").count() > 0  # the class-size chart
    page.get_by_label("Reasons", exact=True).fill("Proportionate and well justified.")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_role("status").inner_text() == "Done: approved."
    assert world.state(reference) == State.APPROVED
    assert not errors, errors  # nothing blocked by the Content-Security-Policy


def test_a_researcher_sees_their_record_and_is_told_what_they_may_not_open(
        world, served, page):
    world.researcher("lead")
    reference = provisioned(world)
    _sign_in(page, served, "lead", "/me")
    expect(page.get_by_text("You may work on approved projects today.")).to_be_visible()
    page.get_by_role("link", name="Applications").first.click()
    page.get_by_role("link", name=reference).click()
    assert "provisioned" in page.locator(".state").first.inner_text()
    page.goto(f"{served}/audit")
    assert page.get_by_role("alert").inner_text().startswith("lead may not open /audit")
    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/sign-in")


def test_a_wrong_password_is_said_on_the_form(world, served, page):
    world.researcher("lead")
    page.goto(f"{served}/sign-in")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("not it at all")
    page.get_by_role("button", name="Sign in").click()
    assert "the username or password is wrong" in page.get_by_role("alert").inner_text()
