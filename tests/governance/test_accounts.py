"""Accounts and roles: bootstrap, no default or weak passwords, argon2id hashes that never leak,
deny by default."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from fivesafes import accounts, audit
from fivesafes.accounts import passwords
from fivesafes.accounts.models import Account
from fivesafes.accounts.panels import RoutingError
from fivesafes.errors import InvalidForm, NotFound, PermissionDenied, WeakPassword

from .conftest import PASSWORD


def _entries(home) -> list[dict]:
    with home.store.reading() as session:
        return audit.as_dicts(audit.query(session))


def _hash(home, username: str) -> str:
    with home.store.reading() as session:
        return session.execute(select(Account.password_hash)
                               .where(Account.username == username)).scalar_one()


@pytest.mark.parametrize("password, why", [
    ("short pass", "at least 12 characters"),
    ("aaaaaaaaaaaaaaaa", "too few different characters"),
    (" padded password here", "white space"),
    ("my name is alice, ok?", "contains the username"),
])
def test_weak_passwords_are_refused_with_the_reason(password, why):
    with pytest.raises(WeakPassword, match=why) as refused:
        passwords.hash_password(password, username="alice")
    assert password.strip() not in str(refused.value)


def test_the_default_hasher_is_argon2id_with_rfc9106_parameters():
    hasher = PasswordHasher()
    assert passwords.HASHER.__class__ is PasswordHasher
    digest = hasher.hash("correct horse battery staple")
    assert digest.startswith("$argon2id$") and "m=65536,t=3,p=4" in digest


def test_bootstrap_creates_one_administrator_only(home):
    accounts.create_first_administrator(home, by="os:root", username="admin", full_name="Ada",
                                        email="ada@example.org", password=PASSWORD)
    with pytest.raises(PermissionDenied, match="an administrator already exists"):
        accounts.create_first_administrator(home, by="os:root", username="mallory",
                                            full_name="M", email="m@example.org",
                                            password=PASSWORD)
    digest = _hash(home, "admin")
    assert digest.startswith("$argon2id$") and PASSWORD not in digest
    assert passwords.verify(digest, PASSWORD) and not passwords.verify(digest, PASSWORD + "x")
    created = [e for e in _entries(home) if e["action"] == "governance.account.create"]
    assert [(e["actor"], e["subject"]) for e in created] == [("os:root", "account:admin")]
    logged = json.dumps(_entries(home))
    assert PASSWORD not in logged and digest not in logged


def test_only_administrators_manage_accounts_and_roles(world):
    world.researcher("rita")
    with pytest.raises(PermissionDenied, match="rita may not create accounts: that needs the "
                                               "administrator role"):
        accounts.create_account(world.home, by="rita", username="eve", full_name="Eve",
                                email="eve@example.org", password=PASSWORD)
    with pytest.raises(PermissionDenied, match="rita may not grant roles"):
        accounts.grant_role(world.home, by="rita", username="rita", role="administrator")
    with pytest.raises(PermissionDenied, match="'nobody' is not an active fivesafes account"):
        accounts.grant_role(world.home, by="nobody", username="rita", role="auditor")


def test_new_accounts_are_checked_all_at_once_and_roles_must_exist(world):
    with pytest.raises(InvalidForm) as bad:
        accounts.create_account(world.home, by="admin", username="Bad Name", full_name=" ",
                                email="not-an-email", password=PASSWORD)
    assert [p.path for p in bad.value.problems] == ["username", "full_name", "email"]
    with pytest.raises(InvalidForm) as too_long:  # refused before the database sees it
        accounts.create_account(world.home, by="admin", username="longer", full_name="x" * 201,
                                email="a@b.org", organisation="o" * 201, password=PASSWORD)
    assert [p.path for p in too_long.value.problems] == ["full_name", "organisation"]
    with pytest.raises(InvalidForm, match="'wizard' is not one of researcher"):
        accounts.grant_role(world.home, by="admin", username="admin", role="wizard")
    with pytest.raises(RoutingError, match="no panel 'xyz'"):
        accounts.grant_role(world.home, by="admin", username="admin", role="panel_member",
                            panel="xyz")
    with pytest.raises(InvalidForm, match=r"panel_member names its panel \(--panel KEY\)"):
        accounts.grant_role(world.home, by="admin", username="admin", role="panel_member")
    with pytest.raises(InvalidForm, match="only panel_member is held per panel"):
        accounts.grant_role(world.home, by="admin", username="admin", role="auditor",
                            panel="dag")
    with pytest.raises(WeakPassword):
        accounts.create_account(world.home, by="admin", username="weak", full_name="W",
                                email="w@example.org", password="123")
    with world.home.store.reading() as session:
        assert accounts.find_account(session, "weak") is None


def test_grant_revoke_and_the_last_administrator_is_kept(world):
    world.account("bob")
    accounts.grant_role(world.home, by="admin", username="bob", role="panel_member", panel="dag")
    accounts.grant_role(world.home, by="admin", username="bob", role="panel_member", panel="dag")
    views = {a.username: a for a in accounts.list_accounts(world.home, by="admin")}
    assert views["bob"].roles == ("panel_member:dag",)
    accounts.revoke_role(world.home, by="admin", username="bob", role="panel_member",
                         panel="dag", reason="left the panel")
    with pytest.raises(NotFound):
        accounts.revoke_role(world.home, by="admin", username="bob", role="auditor", reason="x")
    with pytest.raises(PermissionDenied, match="last administrator"):
        accounts.revoke_role(world.home, by="admin", username="admin", role="administrator",
                             reason="oops")
    with pytest.raises(PermissionDenied, match="last administrator"):
        accounts.disable_account(world.home, by="admin", username="admin", reason="oops")
    with pytest.raises(PermissionDenied, match="may not list accounts"):
        accounts.list_accounts(world.home, by="bob")


def test_a_disabled_account_can_do_nothing_and_cannot_log_in(world):
    world.account("carol", "auditor")
    assert accounts.authenticate(world.home, username="carol", password=PASSWORD).username == (
        "carol")
    accounts.disable_account(world.home, by="admin", username="carol", reason="left")
    with pytest.raises(PermissionDenied, match="not an active fivesafes account"):
        accounts.list_accounts(world.home, by="carol")
    with pytest.raises(PermissionDenied, match="username or password is wrong"):
        accounts.authenticate(world.home, username="carol", password=PASSWORD)


def test_logins_are_audited_and_old_hashes_upgraded(world, monkeypatch):
    world.account("dave")
    with pytest.raises(PermissionDenied):
        accounts.authenticate(world.home, username="dave", password="wrong password!")
    with pytest.raises(PermissionDenied):
        accounts.authenticate(world.home, username="nobody", password="wrong password!")
    old = _hash(world.home, "dave")
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    accounts.authenticate(world.home, username="dave", password=PASSWORD)
    new = _hash(world.home, "dave")
    assert new != old and "m=2048,t=2" in new
    actions = [(e["action"], e["subject"]) for e in _entries(world.home)][-3:]
    assert actions == [("governance.account.login_failed", "account:dave"),
                       ("governance.account.login_failed", "account:nobody"),
                       ("governance.account.login", "account:dave")]
    assert "wrong password!" not in json.dumps(_entries(world.home))


def test_passwords_are_changed_by_their_owner_or_reset_by_an_administrator(world):
    world.account("erin")
    world.account("frank")
    new = "another long passphrase"
    with pytest.raises(PermissionDenied, match="current password is wrong"):
        accounts.set_password(world.home, by="erin", username="erin", new_password=new,
                              current_password="not it at all")
    accounts.set_password(world.home, by="erin", username="erin", new_password=new,
                          current_password=PASSWORD)
    with pytest.raises(PermissionDenied, match="reset another account's password"):
        accounts.set_password(world.home, by="frank", username="erin", new_password=PASSWORD)
    accounts.set_password(world.home, by="admin", username="erin", new_password=PASSWORD)
    assert passwords.verify(_hash(world.home, "erin"), PASSWORD)
