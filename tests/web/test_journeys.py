"""Journeys in a real browser: Debian's Chromium driven by Playwright, against the app served by
uvicorn on loopback. CI installs chromium (``.ci/run``) and sets FIVESAFES_REQUIRE_BROWSER=1, so
these tests fail there rather than skip."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from fivesafes.governance.lifecycle import State
from fivesafes.web.app import create_app
from tests.governance.conftest import PASSWORD, drive, provisioned, staff

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("FIVESAFES_REQUIRE_BROWSER") == "1"


@pytest.fixture
def served(home) -> Iterator[str]:
    """The app on a free loopback port, for as long as the test runs."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(home, secure_cookies=False),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install "
                        "chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page, base: str, username: str, then: str = "/") -> None:
    page.goto(f"{base}/sign-in?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_panel_member_finds_the_application_sees_its_risk_and_approves(
        world, served, page):
    world.researcher("lead")
    staff(world)
    project = world.project("lead")
    world.agreement()
    reference = world.apply("lead", project)
    drive(world, reference, State.IN_REVIEW, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, served, "reviewer")
    page.get_by_role("link", name="Panel queue").click()
    page.get_by_role("link", name=reference).click()
    assert page.locator("figure.chart svg rect").count() > 0  # the class-size chart
    assert page.get_by_text("The requested combination").is_visible()
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
    assert page.get_by_text("You may work on approved projects today.").is_visible()
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
