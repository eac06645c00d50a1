"""Every page a role reaches passes axe-core with no serious or critical violation.

axe-core is the copy inside the axe-playwright-python wheel (nothing is downloaded). It is injected
with the page's Content-Security-Policy bypassed for the checker only: the app's own pages never
run inline script, and the journeys test that nothing is blocked under the real policy."""

from __future__ import annotations

import pytest

from fivesafes.governance.lifecycle import State
from tests.governance.conftest import PASSWORD, drive, staff
from tests.web.test_journeys import CHROMIUM, REQUIRED, served  # noqa: F401  (fixture)

BLOCKING = {"serious", "critical"}


@pytest.fixture
def checked_page():
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install "
                        "chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        context = browser.new_context(bypass_csp=True)
        yield context.new_page()
        context.close()
        browser.close()


def _problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in violations if v["impact"] in BLOCKING]


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_every_role_s_pages_have_no_serious_accessibility_violation(
        world, served, checked_page):  # noqa: F811
    world.researcher("lead")
    staff(world)
    project = world.project("lead")
    world.agreement()
    reference = world.apply("lead", project)
    drive(world, reference, State.IN_REVIEW, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    page = checked_page
    problems: list[str] = []

    def visit(path: str) -> None:
        page.goto(f"{served}{path}")
        page.wait_for_load_state()
        assert page.locator("main").count() == 1, f"{path} has no main landmark"
        problems.extend(_problems(page))

    for path in ("/sign-in", "/register", f"/no-such-page-{reference}"):
        visit(path)
    _sign_in(page, served, "lead")
    for path in ("/", "/me", "/applications", f"/applications/{reference}", "/applications/new",
                 "/audit"):  # the last is a refusal page
        visit(path)
    _sign_out(page)
    _sign_in(page, served, "reviewer")
    for path in ("/panel", f"/applications/{reference}"):
        visit(path)
    _sign_out(page)
    _sign_in(page, served, "admin")
    for path in ("/people", "/audit"):
        visit(path)
    assert not problems, "\n".join(problems)
