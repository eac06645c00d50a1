"""Actors authenticated on the command line: on a home that is not a demo home, ``--as NAME`` is
refused (and audited) unless NAME signed in with ``fivesafes login``; the session token sits in a
file only the OS user can read, the store keeps only its digest, it expires, ``logout`` ends it,
and it never shows. A demo home takes the claim on trust and says so. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from fivesafes import accounts, audit, cli
from fivesafes.accounts import command_line
from fivesafes.accounts import sessions as shared_sessions
from fivesafes.accounts.models import SignedInSession
from fivesafes.cli import main
from fivesafes.cli_support import CLAIM, _claim
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment, open_home
from fivesafes.store.db import REFUSED_ACTION
from fivesafes.web import sessions as web_sessions
from tests.conftest import ADMIN, AUDITOR, TEST_PASSWORD, Staff

NOT_SIGNED_IN = "is not signed in on this home"


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIVESAFES_ACTOR", "FIVESAFES_HOME", "FIVESAFES_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.err_console, "width", 250)


@pytest.fixture
def staffed(real_home: Deployment, cheap_passwords: None) -> Deployment:
    """A real (not demo) home with an administrator and an auditor, none signed in."""
    accounts.create_first_administrator(real_home, by="os:test", username=ADMIN,
                                        full_name="Ada Admin", email="admin@example.org",
                                        password=TEST_PASSWORD)
    accounts.create_account(real_home, by=ADMIN, username=AUDITOR, full_name="Aud Itor",
                            email="auditor@example.org", password=TEST_PASSWORD,
                            roles=(("auditor", ""),))
    return real_home


def invoke(home: Deployment, *args: str, stdin: str | None = None, **env: str) -> Result:
    return CliRunner().invoke(main, [*args, "--home", str(home.root)], input=stdin, env=env)


def login(home: Deployment, username: str = ADMIN, password: str = TEST_PASSWORD) -> Result:
    return invoke(home, "login", username, "--password-stdin", stdin=password + "\n")


def verify(home: Deployment, actor: str = ADMIN) -> Result:
    return invoke(home, "audit", "verify", "--as", actor)


def entries(home: Deployment, action: str) -> list[audit.AuditEntry]:
    with home.store.reading() as session:
        return audit.query(session, audit.EntryFilter(action=action))


def one_line(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def token_of(home: Deployment, username: str = ADMIN) -> str:
    return command_line.token_path(home, username).read_text().strip()


def cli_rows(home: Deployment) -> list[SignedInSession]:
    with home.store.reading() as session:
        return list(session.execute(select(SignedInSession).where(
            SignedInSession.channel == shared_sessions.CLI)).scalars())


# -- refused without signing in ------------------------------------------------------------
def test_a_claimed_name_is_refused_and_the_refusal_audited(staffed: Deployment) -> None:
    line = one_line(verify(staffed), 4)
    assert f"'{ADMIN}' {NOT_SIGNED_IN}" in line
    assert f"fivesafes login {ADMIN} --home {staffed.root}" in line and "--password-stdin" in line
    (refusal,) = entries(staffed, REFUSED_ACTION)
    assert refusal.actor == ADMIN and NOT_SIGNED_IN in json.loads(refusal.details)["refused"]


def test_a_state_change_is_refused_too_and_changes_nothing(staffed: Deployment) -> None:
    result = invoke(staffed, "people", "add", "r.new", "--name", "R New", "--email",
                    "r@example.org", "--role", "researcher", "--password-stdin", "--as", ADMIN,
                    stdin=TEST_PASSWORD + "\n")
    assert NOT_SIGNED_IN in one_line(result, 4)
    assert entries(staffed, "governance.account.create") and all(
        e.subject != "account:r.new" for e in entries(staffed, "governance.account.create"))


def test_the_actor_from_the_environment_is_checked_the_same_way(staffed: Deployment) -> None:
    result = invoke(staffed, "audit", "show", FIVESAFES_ACTOR=ADMIN)
    assert NOT_SIGNED_IN in one_line(result, 4)


def test_an_unknown_or_odd_name_is_refused_without_a_file_lookup(staffed: Deployment) -> None:
    for name in ("nobody", "../../etc/passwd", "Admin"):
        assert NOT_SIGNED_IN in one_line(verify(staffed, name), 4)
    assert not command_line.token_folder().exists()


def test_link_on_a_home_proves_its_actor(staffed: Deployment) -> None:
    result = invoke(staffed, "link", "--as", ADMIN)
    assert NOT_SIGNED_IN in one_line(result, 4)


def _commands(group: click.Group, path: str = "fivesafes"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{path} {name}")
        else:
            yield f"{path} {name}", command


def test_every_command_with_as_proves_it_when_it_opens_its_home() -> None:
    with_as = 0
    for path, command in _commands(main):
        options = [p for p in command.params if "--as" in getattr(p, "opts", ())]
        if not options:
            continue
        with_as += 1
        (option,) = options
        assert option.callback is _claim, f"{path}: --as must come from cli_support.as_option"
        proved = getattr(command.callback, "proves_actor", False)
        assert proved or path == "fivesafes link", f"{path}: open the home with @with_home"
    assert with_as > 30


# -- fivesafes login -------------------------------------------------------------------------
def test_login_from_stdin_then_commands_work(staffed: Deployment) -> None:
    result = login(staffed)
    assert result.exit_code == 0, result.output
    path = command_line.token_path(staffed, ADMIN)
    assert f"signed in as {ADMIN}" in result.output and str(path) in result.output
    assert verify(staffed).exit_code == 0
    created = invoke(staffed, "people", "add", "r.new", "--name", "R New", "--email",
                     "r@example.org", "--role", "researcher", "--password-stdin", "--as", ADMIN,
                     stdin=TEST_PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert [e.actor for e in entries(staffed, "cli.session.start")] == [ADMIN]
    assert [e.actor for e in entries(staffed, "governance.account.login")] == [ADMIN]
    # one account's sign-in is not another's
    assert NOT_SIGNED_IN in one_line(verify(staffed, AUDITOR), 4)


def test_login_prompts_for_the_password_without_echoing_it(staffed: Deployment) -> None:
    result = invoke(staffed, "login", ADMIN, stdin=TEST_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert TEST_PASSWORD not in result.output and "Password" in result.output
    assert verify(staffed).exit_code == 0


def test_a_wrong_password_is_refused_and_audited_as_a_security_event(
        staffed: Deployment) -> None:
    wrong = "not the password at all"
    line = one_line(login(staffed, ADMIN, wrong), 4)
    assert "the username or password is wrong" in line
    assert [e.actor for e in entries(staffed, "governance.account.login_failed")] == [
        f"login:{ADMIN}"]
    (refusal,) = entries(staffed, REFUSED_ACTION)
    assert (refusal.actor, refusal.subject) == (f"login:{ADMIN}", f"account:{ADMIN}")
    assert "password is wrong" in json.loads(refusal.details)["refused"]
    assert not command_line.token_path(staffed, ADMIN).exists() and cli_rows(staffed) == []
    with staffed.store.reading() as session:
        assert all(wrong not in e.details for e in audit.query(session))
    assert one_line(verify(staffed), 4)


def test_failed_logins_lock_the_account_on_the_web_too(staffed: Deployment) -> None:
    for _ in range(shared_sessions.LOCK_AFTER):
        login(staffed, ADMIN, "wrong wrong wrong")
    assert [e.action for e in entries(staffed, "cli.account.locked")] == ["cli.account.locked"]
    assert "locked after 5 failed sign-ins" in one_line(login(staffed), 4)
    with pytest.raises(PermissionDenied, match="locked"):
        web_sessions.sign_in(staffed, username=ADMIN, password=TEST_PASSWORD)


def test_signing_in_again_replaces_the_session(staffed: Deployment) -> None:
    login(staffed)
    first = token_of(staffed)
    login(staffed)
    second = token_of(staffed)
    assert first != second
    assert [r.token_sha256 for r in cli_rows(staffed)] == [shared_sessions.digest(second)]
    assert verify(staffed).exit_code == 0


# -- the token: where it lives, and that it never shows -----------------------------------
def test_the_token_file_is_private_and_the_store_keeps_only_its_digest(
        staffed: Deployment) -> None:
    login(staffed)
    path = command_line.token_path(staffed, ADMIN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.stat().st_uid == os.getuid()
    token = token_of(staffed)
    (row,) = cli_rows(staffed)
    assert row.token_sha256 == shared_sessions.digest(token) and row.username == ADMIN
    assert row.csrf_token == "" and token not in row.token_sha256


def test_the_token_is_never_printed_logged_or_audited(
        staffed: Deployment, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    outputs = [login(staffed), verify(staffed), invoke(staffed, "audit", "show", "--as", ADMIN,
                                                        "--json")]
    token = token_of(staffed)
    outputs += [invoke(staffed, "logout", ADMIN), verify(staffed)]
    for result in outputs:
        assert token not in result.output and TEST_PASSWORD not in result.output
    assert token not in caplog.text
    with staffed.store.reading() as session:
        for entry in audit.query(session):
            assert token not in f"{entry.actor}{entry.subject}{entry.details}"
            assert shared_sessions.digest(token) not in entry.details


def test_a_token_file_others_can_read_is_refused_and_its_session_ended(
        staffed: Deployment) -> None:
    login(staffed)
    path = command_line.token_path(staffed, ADMIN)
    os.chmod(path, 0o644)
    line = one_line(verify(staffed), 4)
    assert str(path) in line and "can be read by other users (mode 0644)" in line
    assert "session is ended" in line and "fivesafes login" in line
    assert not path.exists() and cli_rows(staffed) == []
    assert [json.loads(e.details)["why"] for e in entries(staffed, "cli.session.end")] == [
        "token file readable by others"]
    assert entries(staffed, REFUSED_ACTION)[-1].actor == ADMIN


def test_a_token_folder_others_can_enter_is_refused(staffed: Deployment) -> None:
    folder = command_line.token_folder()
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o755)
    line = one_line(login(staffed), 4)
    assert f"the token folder {folder} is open to other users (mode 0755" in line
    assert "chmod 700" in line and cli_rows(staffed) == []
    os.chmod(folder, 0o700)
    assert login(staffed).exit_code == 0
    os.chmod(folder, 0o750)
    assert "open to other users" in one_line(verify(staffed), 4)


def test_a_symbolic_link_is_not_a_token_file(staffed: Deployment, tmp_path: Path) -> None:
    login(staffed)
    path = command_line.token_path(staffed, ADMIN)
    elsewhere = tmp_path / "elsewhere.token"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert "not a plain file of yours" in one_line(verify(staffed), 4)


def test_another_accounts_token_proves_nothing(staffed: Deployment) -> None:
    login(staffed, AUDITOR)
    auditor_token = token_of(staffed, AUDITOR)
    path = command_line.token_path(staffed, ADMIN)
    path.write_text(auditor_token)
    os.chmod(path, 0o600)
    assert NOT_SIGNED_IN in one_line(verify(staffed, ADMIN), 4)


def test_a_sign_in_is_for_one_home(staffed: Deployment, tmp_path: Path, db_url: str) -> None:
    login(staffed)
    other_root = tmp_path / "other"
    other_root.mkdir()
    # the same store, another folder: its token file is another one
    os.symlink(staffed.root / "fivesafes.toml", other_root / "fivesafes.toml")
    os.symlink(staffed.root / "linkage", other_root / "linkage")
    other = open_home(other_root)
    try:
        assert command_line.token_path(other, ADMIN) != command_line.token_path(staffed, ADMIN)
        assert NOT_SIGNED_IN in one_line(verify(other), 4)
    finally:
        other.close()


# -- expiry, logout, disabling --------------------------------------------------------------
def _home_at(home: Deployment, moment: Callable[[], datetime]) -> Deployment:
    return open_home(home.root, clock=moment)


def test_an_expired_session_is_refused_and_ended(staffed: Deployment) -> None:
    minutes = staffed.settings.cli_session_minutes
    long_ago = _home_at(staffed, lambda: datetime.now(UTC) - timedelta(minutes=minutes + 1))
    try:
        command_line.login(long_ago, username=ADMIN, password=TEST_PASSWORD)
    finally:
        long_ago.close()
    line = one_line(verify(staffed), 4)
    assert f"'{ADMIN}' {NOT_SIGNED_IN} (the session expired)" in line
    assert [json.loads(e.details)["why"] for e in entries(staffed, "cli.session.end")] == [
        "expired"]
    assert not command_line.token_path(staffed, ADMIN).exists() and cli_rows(staffed) == []


def test_a_session_within_its_lifetime_holds(staffed: Deployment) -> None:
    minutes = staffed.settings.cli_session_minutes
    earlier = _home_at(staffed, lambda: datetime.now(UTC) - timedelta(minutes=minutes - 5))
    try:
        command_line.login(earlier, username=ADMIN, password=TEST_PASSWORD)
    finally:
        earlier.close()
    assert verify(staffed).exit_code == 0


def test_the_lifetime_is_the_homes_setting(staffed: Deployment) -> None:
    config = staffed.root / "fivesafes.toml"
    config.write_text(config.read_text().replace("session_minutes = 480",
                                                 "session_minutes = 10"))
    earlier = _home_at(staffed, lambda: datetime.now(UTC) - timedelta(minutes=11))
    try:
        command_line.login(earlier, username=ADMIN, password=TEST_PASSWORD)
    finally:
        earlier.close()
    assert "(the session expired)" in one_line(verify(staffed), 4)


def test_logout_ends_the_session(staffed: Deployment) -> None:
    login(staffed)
    token = token_of(staffed)
    path = command_line.token_path(staffed, ADMIN)
    result = invoke(staffed, "logout", ADMIN)
    assert result.exit_code == 0 and f"signed out {ADMIN}" in result.output
    assert not path.exists() and cli_rows(staffed) == []
    assert [json.loads(e.details)["why"] for e in entries(staffed, "cli.session.end")] == [
        "signed out"]
    assert NOT_SIGNED_IN in one_line(verify(staffed), 4)
    # a copy of the old token opens nothing: the session ended in the store
    path.write_text(token)
    os.chmod(path, 0o600)
    assert NOT_SIGNED_IN in one_line(verify(staffed), 4)
    again = invoke(staffed, "logout", ADMIN)
    assert again.exit_code == 0 and "was not signed in" in again.output


def test_disabling_an_account_ends_its_command_line_session(staffed: Deployment) -> None:
    login(staffed, AUDITOR)
    accounts.disable_account(staffed, by=ADMIN, username=AUDITOR, reason="left")
    line = one_line(verify(staffed, AUDITOR), 4)
    assert "(the account is disabled)" in line
    assert "the username or password is wrong" in one_line(login(staffed, AUDITOR), 4)


# -- web and command line ------------------------------------------------------------------
def test_a_command_line_token_is_no_web_session_and_back(staffed: Deployment) -> None:
    login(staffed)
    cli_token = token_of(staffed)
    assert web_sessions.current(staffed, cli_token) is None
    assert verify(staffed).exit_code == 0  # looking it up on the web ended nothing
    browser = web_sessions.sign_in(staffed, username=ADMIN, password=TEST_PASSWORD)
    assert web_sessions.current(staffed, browser.token) is not None
    path = command_line.token_path(staffed, ADMIN)
    path.write_text(browser.token)
    os.chmod(path, 0o600)
    assert NOT_SIGNED_IN in one_line(verify(staffed), 4)
    assert web_sessions.current(staffed, browser.token) is not None


# -- the demo home ---------------------------------------------------------------------------
def test_a_demo_home_takes_the_claim_on_trust_and_says_so(home: Deployment,
                                                          staff: Staff) -> None:
    assert home.demo
    result = verify(home, staff.admin)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("is a demo home: --as is taken on trust") == 1
    assert "audit log intact" in result.stdout
    with home.store.reading() as session:
        first = audit.query(session)[0]
    assert first.action == "home.init" and json.loads(first.details)["demo"] is True


def test_init_makes_a_real_home_unless_told_demo(tmp_path: Path, db_url: str) -> None:
    real = CliRunner().invoke(main, ["init", str(tmp_path / "real"), "--db-url", db_url])
    assert real.exit_code == 0 and "fivesafes login" in real.output
    deployment = open_home(tmp_path / "real")
    try:
        assert not deployment.demo
    finally:
        deployment.close()


def test_init_demo_records_the_flag_for_good(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", "--demo", str(tmp_path / "demo")])
    assert result.exit_code == 0 and "Created demo home" in result.output
    assert "takes --as on trust" in result.output
    deployment = open_home(tmp_path / "demo")
    try:
        assert deployment.demo
    finally:
        deployment.close()


def test_the_claim_is_noted_for_with_home() -> None:
    ctx = click.Context(main)
    assert _claim(ctx, None, "someone") == "someone" and ctx.meta[CLAIM] == "someone"  # type: ignore[arg-type]


# -- what else ends or needs a sign-in -------------------------------------------------------
def test_a_password_change_ends_every_session_of_the_account(staffed: Deployment) -> None:
    login(staffed, AUDITOR)
    browser = web_sessions.sign_in(staffed, username=AUDITOR, password=TEST_PASSWORD)
    login(staffed)
    reset = invoke(staffed, "people", "password", AUDITOR, "--password-stdin", "--as", ADMIN,
                   stdin="another long passphrase 7\n")
    assert reset.exit_code == 0 and "sign-ins have ended" in reset.output, reset.output
    assert NOT_SIGNED_IN in one_line(verify(staffed, AUDITOR), 4)
    assert web_sessions.current(staffed, browser.token) is None
    (entry,) = entries(staffed, "governance.account.password")
    assert json.loads(entry.details) == {"reset": True, "sessions_ended": 2}
    assert verify(staffed).exit_code == 0  # the administrator's own sign-in holds
    assert login(staffed, AUDITOR, "another long passphrase 7").exit_code == 0


def test_the_workspace_api_needs_its_actor_signed_in(staffed: Deployment) -> None:
    from fivesafes import workspace

    with pytest.raises(command_line.NotSignedIn, match=f"'{ADMIN}' {NOT_SIGNED_IN}"):
        workspace.open("P-0001", by=ADMIN, home=staffed.root)
    assert login(staffed).exit_code == 0
    with pytest.raises(Exception) as passed_the_check:  # no such project, but signed in
        workspace.open("P-0001", by=ADMIN, home=staffed.root)
    assert not isinstance(passed_the_check.value, command_line.NotSignedIn)


def test_migration_0011_keeps_browser_sessions_and_goes_back(db_url: str) -> None:
    from alembic import command

    from fivesafes.store import Store
    from fivesafes.store.db import _alembic_config

    store = Store(db_url, seal_key=b"s" * 32)
    try:
        config = _alembic_config(store.engine)
        command.upgrade(config, "0010")
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO web_session (token_sha256, username, csrf_token, created_at, "
                "last_seen_at) VALUES ('d', 'ada', 'c', '2026-01-01', '2026-01-01')")
        command.upgrade(config, "head")
        with store.reading() as session:
            (row,) = session.execute(select(SignedInSession)).scalars()
        assert (row.username, row.channel) == ("ada", "web")
        with store.transaction() as session:
            session.add(SignedInSession(token_sha256="e", username="ada", channel="cli",
                                        csrf_token="", created_at="x", last_seen_at="x"))
        command.downgrade(config, "0010")
        with store.engine.connect() as conn:
            left = conn.exec_driver_sql("SELECT token_sha256 FROM web_session").all()
        assert [tuple(r) for r in left] == [("d",)]  # the command line's sessions go
    finally:
        store.dispose()
