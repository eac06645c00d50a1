"""Demo sign-in accounts for the web application: demo home only, through the audited services."""

from __future__ import annotations

import pytest

from fivesafes import accounts, audit
from fivesafes.demo.web import AUDITOR, sign_in_accounts
from fivesafes.errors import FivesafesError, PermissionDenied
from fivesafes.web import sessions

SECRET = "the administrator's own passphrase"


def test_every_demo_account_but_the_administrator_gets_the_new_password(home, cheap_passwords):
    accounts.create_first_administrator(home, by="os:test", username="demo.admin",
                                        full_name="Demo Administrator",
                                        email="admin@fivesafes.example", password=SECRET)
    accounts.create_account(home, by="demo.admin", username="r.khan", full_name="Dr Rana Khan",
                            email="r.khan@fivesafes.example", password="an unknown passphrase",
                            roles=(("researcher", ""),))
    password, shown = sign_in_accounts(home)
    assert [a.username for a in shown] == [AUDITOR, "r.khan"]
    for username in ("r.khan", AUDITOR):
        assert sessions.sign_in(home, username=username, password=password).token
    with pytest.raises(PermissionDenied):
        sessions.sign_in(home, username="demo.admin", password=password)
    assert sessions.sign_in(home, username="demo.admin", password=SECRET).token
    with home.store.reading() as session:
        resets = audit.query(session, audit.EntryFilter(action="governance.account.password"))
        assert password not in str([e.details for e in resets])
    assert len(resets) == 2


def test_a_home_that_is_not_the_demos_is_refused(home, staff):
    with pytest.raises(FivesafesError, match="not the demo's home"):
        sign_in_accounts(home)


def test_a_home_that_is_not_a_demo_home_is_refused(real_home, cheap_passwords):
    accounts.create_first_administrator(real_home, by="os:test", username="demo.admin",
                                        full_name="Demo Administrator",
                                        email="admin@fivesafes.example", password=SECRET)
    with pytest.raises(FivesafesError, match="not a demo home"):
        sign_in_accounts(real_home)
