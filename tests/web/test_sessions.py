"""Signing in and out: rotation, throttling and lockout, expiry, all audited."""

from __future__ import annotations

from sqlalchemy import select

from fivesafes import accounts, audit
from fivesafes.accounts.models import SignedInSession as WebSession
from fivesafes.web import sessions
from fivesafes.web.cookies import SESSION_COOKIE
from tests.governance.conftest import PASSWORD


def _actions(home, prefix: str) -> list[str]:
    with home.store.reading() as session:
        return [e.action for e in audit.query(session, audit.EntryFilter(action=f"{prefix}*"))]


def test_sign_in_sets_a_secure_http_only_strict_cookie_and_stores_only_its_digest(
        world, browser):
    world.researcher("lead")
    response = browser.sign_in("lead")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with world.home.store.reading() as session:
        (row,) = session.execute(select(WebSession)).scalars()
    assert row.token_sha256 == sessions.digest(token) and token not in row.token_sha256
    assert browser.get("/me").status_code == 200
    assert "web.session.start" in _actions(world.home, "web.")


def test_a_planted_session_id_never_becomes_a_signed_in_one(world, browser):
    world.researcher("lead")
    browser.client.cookies.set(SESSION_COOKIE, "planted-by-someone-else",
                               domain="testserver.local")
    browser.sign_in("lead")
    token = browser.client.cookies[SESSION_COOKIE]
    assert token != "planted-by-someone-else"
    assert sessions.current(world.home, "planted-by-someone-else") is None


def test_signing_in_again_rotates_the_session(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    first = browser.client.cookies[SESSION_COOKIE]
    again = sessions.sign_in(world.home, username="lead", password=PASSWORD, replacing=first)
    assert again.token != first
    assert sessions.current(world.home, first) is None
    assert sessions.current(world.home, again.token).account.username == "lead"


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(world, browser):
    world.researcher("lead")
    response = browser.sign_in("lead", "not the password at all")
    assert response.status_code == 403
    assert "the username or password is wrong" in response.text
    assert browser.sign_in("nobody").status_code == 403
    assert _actions(world.home, "governance.account.login_failed") == [
        "governance.account.login_failed"] * 2


def test_five_failures_lock_the_account_for_fifteen_minutes(world, browser):
    world.researcher("lead")
    for _ in range(sessions.LOCK_AFTER):
        assert browser.sign_in("lead", "wrong wrong wrong").status_code == 403
    assert _actions(world.home, "web.account.locked") == ["web.account.locked"]
    locked = browser.sign_in("lead")  # the right password, while locked
    assert locked.status_code == 403 and "locked after 5 failed sign-ins" in locked.text
    assert _actions(world.home, "web.sign_in_refused") == ["web.sign_in_refused"]
    world.clock.advance(minutes=16)
    assert browser.sign_in("lead").status_code == 303


def test_a_success_resets_the_count(world, browser):
    world.researcher("lead")
    for _ in range(sessions.LOCK_AFTER - 1):
        browser.sign_in("lead", "wrong wrong wrong")
    assert browser.sign_in("lead").status_code == 303
    browser.post("/sign-out")
    for _ in range(sessions.LOCK_AFTER - 1):
        browser.sign_in("lead", "wrong wrong wrong")
    assert browser.sign_in("lead").status_code == 303


def test_an_idle_session_expires(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    world.clock.advance(minutes=29)
    assert browser.get("/me").status_code == 200
    world.clock.advance(minutes=31)
    response = browser.get("/me")
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    with world.home.store.reading() as session:
        assert session.execute(select(WebSession)).first() is None


def test_sign_out_ends_the_session_on_the_server(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    token = browser.client.cookies[SESSION_COOKIE]
    assert browser.post("/sign-out").status_code == 303
    assert sessions.current(world.home, token) is None
    assert "web.session.end" in _actions(world.home, "web.")


def test_disabling_an_account_ends_its_sessions(world, browser):
    world.researcher("lead")
    browser.sign_in("lead")
    accounts.disable_account(world.home, by="admin", username="lead", reason="left")
    assert browser.get("/me").status_code == 303
