"""Headers, CSRF, redirects and what the pages are allowed to contain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fivesafes import audit
from fivesafes.store.db import REFUSED_ACTION
from fivesafes.web.app import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from tests.governance.conftest import provisioned

TEMPLATES = Path(__file__).parents[2] / "src" / "fivesafes" / "web" / "templates"


def _refusals(home) -> list[str]:
    with home.store.reading() as session:
        return [e.details for e in audit.query(session, audit.EntryFilter(action=REFUSED_ACTION))]


@pytest.mark.parametrize("path", ["/sign-in", "/register", "/", "/no-such-page",
                                  "/api/register", "/static/fivesafes.css"])
def test_every_response_carries_the_security_headers(browser, path):
    response = browser.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (path, name)
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["strict-transport-security"].startswith("max-age=")
    if not path.startswith("/static/"):
        assert response.headers["cache-control"] == "no-store"


def test_templates_hold_no_inline_script_style_or_handlers():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\sstyle=|<style", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "javascript:" not in text, template.name
        assert "http://" not in text and "https://" not in text, template.name  # no CDN


def test_a_form_without_the_csrf_token_is_refused_and_audited(world, browser):
    world.researcher("lead")
    ref = provisioned(world)
    browser.sign_in("lead")
    response = browser.client.post(f"/applications/{ref}/assess-risk", data={})
    assert response.status_code == 403 and "CSRF" in response.text
    wrong = browser.client.post(f"/applications/{ref}/assess-risk",
                                data={"csrf_token": "guessed"})
    assert wrong.status_code == 403
    assert sum("CSRF" in d for d in _refusals(world.home)) == 2


def test_the_sign_in_form_needs_its_token_too(world, browser):
    world.researcher("lead")
    response = browser.client.post("/sign-in", data={"username": "lead",
                                                     "password": "irrelevant"})
    assert response.status_code == 403 and "CSRF" in response.text


def test_the_csrf_header_serves_scripts(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    token = browser.csrf("/")
    response = browser.client.post("/sign-out", headers={"X-CSRF-Token": token})
    assert response.status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:x"])
def test_sign_in_goes_on_only_to_a_page_of_this_site(world, browser, target):
    world.researcher("lead")
    token = browser.csrf("/sign-in")
    response = browser.client.post("/sign-in", data={
        "username": "lead", "password": "a long enough test passphrase", "csrf_token": token,
        "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_a_page_that_needs_sign_in_sends_there_and_back(world, browser):
    world.researcher("lead")
    response = browser.get("/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/me"
    assert browser.get("/api/me").status_code == 401


def test_a_refused_page_says_why_and_is_audited(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    response = browser.get("/audit")
    assert response.status_code == 403
    assert "lead may not open /audit: that needs the administrator or auditor role" \
        in response.text
    assert any("/audit" in d for d in _refusals(world.home))


def test_values_are_escaped_in_pages(world, browser):
    world.researcher("lead")
    world.project("lead", title="<script>alert(1)</script> & co")
    ref = world.apply("lead", "P-0001")
    browser.sign_in("lead")
    page = browser.get(f"/applications/{ref}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
