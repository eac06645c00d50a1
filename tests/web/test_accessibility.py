"""Every page a role reaches passes axe-core with no serious or critical violation.

axe-core is the copy inside the axe-playwright-python wheel (nothing is downloaded). It is injected
with the page's Content-Security-Policy bypassed for the checker only: the app's own pages never
run inline script, and the journeys test that nothing is blocked under the real policy."""

from __future__ import annotations

from fivesafes.governance.lifecycle import State
from tests.governance.conftest import PASSWORD, provisioned
from tests.web.browser import chromium_page, served_app

BLOCKING = {"serious", "critical"}


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


def test_every_role_s_pages_have_no_serious_accessibility_violation(world, home):
    world.researcher("lead")
    reference = provisioned(world, to=State.IN_REVIEW)
    with served_app(home, world.published) as served, chromium_page(bypass_csp=True) as page:
        _check_every_page(served, page, reference)


def _check_every_page(served: str, page, reference: str) -> None:
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
