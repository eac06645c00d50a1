"""The ``fivesafes`` command's foundation: init, db upgrade, audit verify and audit show, on
SQLite and PostgreSQL (the ``db_url`` fixture). User errors are one line and an exit code, never a
traceback."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from fivesafes import audit, cli
from fivesafes.cli import main
from fivesafes.home import local_operator, open_home
from fivesafes.store import Store
from tests.tampering import lift_append_only_guard

ACTOR = "admin"  # the administrator every home made by run("init", ...) gets
PASSWORD = "a long test passphrase 42"


def run(*args: str, **env: str | None) -> Result:
    base: dict[str, str | None] = {
        "COLUMNS": "250", "FIVESAFES_ACTOR": ACTOR, "FIVESAFES_HOME": None,
        "FIVESAFES_DB_URL": None,
    }
    base.update(env)
    result = CliRunner().invoke(main, list(args), env=base)
    if args[:1] == ("init",) and result.exit_code == 0:
        # what an operator does next: bootstrap the first administrator (audit needs a role)
        admin = CliRunner().invoke(
            main, ["admin", "create", ACTOR, "--name", "Ada Admin", "--email", "a@example.org",
                   "--password-stdin", "--home", args[1]], input=PASSWORD + "\n", env=base)
        assert admin.exit_code == 0, admin.output
    return result


def sign_in(home: Path, username: str = ACTOR) -> None:
    """``fivesafes login`` from a script: a home made by ``init`` is not a demo home, so its
    commands need the account signed in (two audit entries: the login and the session)."""
    login = CliRunner().invoke(main, ["login", username, "--password-stdin", "--home", str(home)],
                               input=PASSWORD + "\n", env={"FIVESAFES_DB_URL": None})
    assert login.exit_code == 0, login.output


def assert_user_error(result: Result, code: int, *needles: str) -> str:
    """A handled failure: the exit code, no traceback, a one-line message containing needles."""
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIVESAFES_DB_URL", "FIVESAFES_HOME", "FIVESAFES_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    # Rich fixes its width when imported (80 under xdist); wide enough that nothing wraps
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.err_console, "width", 250)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = sa.create_engine(db_url)
    yield eng
    eng.dispose()


def _populate(home: Path) -> None:
    deployment = open_home(home)
    try:
        for i, (actor, action) in enumerate([("alice", "ingest.start"), ("bob", "link.run"),
                                             ("alice", "ingest.finish"), ("carol", "release"),
                                             ("bob", "ingest.start")]):
            with deployment.store.transaction() as session:
                audit.record(session, by=actor, action=action, subject=f"run:{i}",
                             details={"i": i})
    finally:
        deployment.close()


@pytest.fixture
def cli_home(tmp_path: Path, db_url: str) -> Path:
    """A home created by ``fivesafes init`` on each backend (entry 2 creates its administrator),
    with entries 3..7 added, then the administrator signed in (entries 8 and 9)."""
    home = tmp_path / "home"
    result = run("init", str(home), "--db-url", db_url)
    assert result.exit_code == 0, result.output
    _populate(home)
    sign_in(home)
    return home


@pytest.fixture
def plain_home(tmp_path: Path) -> Path:
    """The same with the default store (SQLite in the home), for backend-neutral behaviour."""
    home = tmp_path / "plain"
    result = run("init", str(home))
    assert result.exit_code == 0, result.output
    _populate(home)
    sign_in(home)
    return home


def _head_revision() -> str:
    return Store("sqlite://").head_revision()


def _sql(engine: sa.Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- init -------------------------------------------------------------------------------------
def test_init_creates_a_home(tmp_path: Path, db_url: str, engine: sa.Engine) -> None:
    home = tmp_path / "new-home"
    result = run("init", str(home), "--db-url", db_url)
    assert result.exit_code == 0, result.output
    assert f"Created home {home}" in result.output
    assert (home / "fivesafes.toml").is_file()
    assert not (home / "fivesafes.db").exists()  # the store is where --db-url said
    for zone in ("linkage", "research", "extracts", "released"):
        assert (home / zone).is_dir() and _mode(home / zone) == 0o700
        assert f"zone {zone}" in result.output
    master = home / "linkage" / "keys" / "master.key"
    assert master.is_file() and _mode(master) == 0o600
    assert f"{master} (mode 0600)" in result.output
    assert _mode(home / "linkage" / "keys") == 0o700
    assert (home / "linkage" / "keys" / "record-key.wrapped").is_file()
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, actor, action, subject FROM audit_entry")).all()
    login = local_operator()  # no account exists yet: the bootstrap records the OS login
    assert [tuple(r) for r in rows] == [(1, login, "home.init", "home:new-home"),
                                        (2, login, "governance.account.create", "account:admin")]
    assert run("audit", "verify", "--home", str(home)).exit_code == 4  # not signed in yet
    sign_in(home)
    assert run("audit", "verify", "--home", str(home)).exit_code == 0


def test_init_with_db_url_from_the_environment_records_the_login(tmp_path: Path, db_url: str,
                                                                  engine: sa.Engine) -> None:
    home = tmp_path / "h"
    result = run("init", str(home), FIVESAFES_DB_URL=db_url, FIVESAFES_ACTOR="officer:jo")
    assert result.exit_code == 0, result.output
    assert not (home / "fivesafes.db").exists()
    assert db_url in (home / "fivesafes.toml").read_text()
    with engine.connect() as conn:
        actor = conn.execute(sa.text("SELECT actor FROM audit_entry WHERE seq = 1")).scalar_one()
    assert actor == local_operator()  # a claimed name is not who created the home
    # the URL was recorded, so later commands find the store without the variable
    sign_in(home)
    result = run("audit", "verify", "--home", str(home))
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.output  # home.init, the administrator, its sign-in


def test_init_default_store_is_sqlite_in_the_home(tmp_path: Path) -> None:
    home = tmp_path / "h"
    result = run("init", str(home))
    assert result.exit_code == 0, result.output
    assert (home / "fivesafes.db").is_file()
    assert f"sqlite:///{home / 'fivesafes.db'}" in result.output


def test_init_hides_the_store_password(tmp_path: Path) -> None:
    home = tmp_path / "h"
    result = run("init", str(home), "--db-url",
                 "postgresql+psycopg://fs:s3cret-pw@127.0.0.1:1/fs")
    assert result.exit_code != 0
    assert "s3cret-pw" not in result.output
    assert not home.exists()


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    result = run("init", str(home))
    assert result.exit_code == 0, result.output
    assert _mode(home) == 0o700


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    home = tmp_path / "busy"
    home.mkdir()
    (home / "notes.txt").write_text("keep me")
    line = assert_user_error(run("init", str(home)), 1, str(home), "not empty")
    assert line.startswith("error:")
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]
    assert (home / "notes.txt").read_text() == "keep me"


def test_init_refuses_an_existing_home(plain_home: Path) -> None:
    key_before = (plain_home / "linkage" / "keys" / "master.key").read_bytes()
    assert_user_error(run("init", str(plain_home)), 1, str(plain_home), "never overwrites")
    assert (plain_home / "linkage" / "keys" / "master.key").read_bytes() == key_before
    assert run("audit", "verify", "--home", str(plain_home)).exit_code == 0


def test_failed_init_leaves_nothing_behind(cli_home: Path, tmp_path: Path, db_url: str) -> None:
    # the store already belongs to cli_home, so these inits fail after they began
    second = tmp_path / "second"
    assert_user_error(run("init", str(second), "--db-url", db_url), 1, "empty database")
    assert not second.exists()
    second.mkdir()
    assert_user_error(run("init", str(second), "--db-url", db_url), 1, "empty database")
    assert second.is_dir() and list(second.iterdir()) == []
    # and the store of the first home is untouched (its chain still verifies under its key)
    result = run("audit", "verify", "--home", str(cli_home))
    assert result.exit_code == 0, result.output
    assert "9 entries" in result.output


# -- choosing the home and the store ----------------------------------------------------------
def test_home_from_option_or_environment(cli_home: Path, tmp_path: Path) -> None:
    by_option = run("audit", "verify", "--home", str(cli_home))
    by_env = run("audit", "verify", FIVESAFES_HOME=str(cli_home))
    assert by_option.exit_code == by_env.exit_code == 0
    assert "audit log intact: 9 entries" in by_option.output
    assert by_option.output == by_env.output
    # the option wins over the variable
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("audit", "verify", "--home", str(cli_home), FIVESAFES_HOME=str(elsewhere))
    assert result.exit_code == 0, result.output
    # FIVESAFES_DB_URL points the same home at another store
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = run("db", "upgrade", "--home", str(cli_home), FIVESAFES_DB_URL=other)
    assert result.exit_code == 0, result.output
    assert f"empty -> {_head_revision()}" in result.output
    # that store has no accounts and no sessions, so nobody may read its (empty) log: the
    # sign-in kept for the home's own store opens nothing there
    result = run("audit", "show", "--home", str(cli_home), "--json", FIVESAFES_DB_URL=other)
    assert_user_error(result, 4, "'admin' is not signed in on this home")
    # without the variable the home's own store is used again (the stale token file was
    # dropped, so sign in again)
    sign_in(cli_home)
    assert len(_show_json(cli_home)) == 11  # 9, and the second sign-in


def test_no_home_given_is_a_usage_error() -> None:
    result = run("audit", "verify")
    assert result.exit_code == 2
    assert "--home" in result.output


# -- audit verify -----------------------------------------------------------------------------
def _tamper_edit(engine: sa.Engine) -> int:
    _sql(engine, "UPDATE audit_entry SET details = :d WHERE seq = 3", d='{"i":"x"}')
    return 3


def _tamper_delete(engine: sa.Engine) -> int:
    _sql(engine, "DELETE FROM audit_entry WHERE seq = 4")
    return 4


def _tamper_reorder(engine: sa.Engine) -> int:
    _sql(engine, "UPDATE audit_entry SET seq = -1 WHERE seq = 2")
    _sql(engine, "UPDATE audit_entry SET seq = 2 WHERE seq = 5")
    _sql(engine, "UPDATE audit_entry SET seq = 5 WHERE seq = -1")
    return 2


def _tamper_truncate(engine: sa.Engine) -> int:
    _sql(engine, "DELETE FROM audit_entry WHERE seq >= 5")
    return 5


def test_audit_verify_names_the_tampered_entry(cli_home: Path, engine: sa.Engine) -> None:
    lift_append_only_guard(engine)
    columns = ("seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash")
    with engine.connect() as conn:
        original = [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_entry"))
                    .mappings()]
    for tamper in (_tamper_edit, _tamper_delete, _tamper_reorder, _tamper_truncate):
        bad = tamper(engine)
        result = run("audit", "verify", "--home", str(cli_home))
        assert_user_error(result, 3, "FAILED", f"at entry {bad}:")
        with engine.begin() as conn:  # put the log back for the next attack
            conn.execute(sa.text("DELETE FROM audit_entry"))
            conn.execute(sa.text(f"INSERT INTO audit_entry ({', '.join(columns)}) "
                                 f"VALUES ({', '.join(':' + c for c in columns)})"), original)
        assert run("audit", "verify", "--home", str(cli_home)).exit_code == 0


# -- audit show -------------------------------------------------------------------------------
def _show_json(home: Path, *args: str) -> list[dict]:
    result = run("audit", "show", "--home", str(home), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_audit_show_json_and_its_filters(cli_home: Path) -> None:
    entries = _show_json(cli_home)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6, 7, 8, 9]  # 2: the administrator
    first = entries[0]
    assert set(first) == {"seq", "at", "actor", "action", "subject", "details", "prev_hash",
                          "hash"}
    assert first["action"] == "home.init" and first["actor"] == local_operator()
    assert first["details"] == {"zones": ["linkage", "research", "extracts", "released"],
                                "demo": False}
    assert first["prev_hash"] == audit.GENESIS
    assert entries[1]["prev_hash"] == first["hash"]
    assert entries[2]["details"] == {"i": 0}

    def seqs(*args: str) -> list[int]:
        return [e["seq"] for e in _show_json(cli_home, *args)]

    assert seqs("--actor", "alice") == [3, 5]
    assert seqs("--action", "ingest.*") == [3, 5, 7]
    assert seqs("--action", "ingest.start") == [3, 7]
    assert seqs("--subject", "run:3") == [6]
    assert seqs("--subject", "run:*") == [3, 4, 5, 6, 7]
    assert seqs("--last", "2") == [8, 9]  # the sign-in: governance.account.login, cli.session.start
    assert seqs("--actor", "bob", "--last", "1") == [7]
    assert seqs("--actor", "nobody") == []
    assert seqs("--since", "2000-01-01") == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert seqs("--until", "2000-01-01") == []
    assert seqs("--since", "2999-01-01T00:00") == []
    plain = entries[3]["at"].removesuffix("Z")  # the time of entry 4, without a zone: UTC
    assert seqs("--since", plain) == [4, 5, 6, 7, 8, 9]
    assert seqs("--until", plain) == [1, 2, 3, 4]
    assert seqs("--since", plain + "+00:00", "--until", entries[5]["at"]) == [4, 5, 6]


def test_audit_show_table(cli_home: Path) -> None:
    result = run("audit", "show", "--home", str(cli_home), "--action", "ingest.*")
    assert result.exit_code == 0, result.output
    assert "3 entries" in result.output
    for header in ("seq", "actor", "action", "subject", "details"):
        assert header in result.output
    assert "ingest.finish" in result.output and "run:2" in result.output
    assert "link.run" not in result.output and "release" not in result.output
    assert '{"i": 2}' in result.output


def test_audit_show_rejects_a_bad_date(plain_home: Path) -> None:
    result = run("audit", "show", "--home", str(plain_home), "--since", "not-a-date")
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "'not-a-date' is not a date or time" in result.output
    assert "Traceback" not in result.output
    result = run("audit", "show", "--home", str(plain_home), "--until", "2026-13-45")
    assert result.exit_code == 2 and "'2026-13-45' is not a date" in result.output


def test_audit_show_rejects_a_zero_limit(plain_home: Path) -> None:
    result = run("audit", "show", "--home", str(plain_home), "--last", "0")
    assert result.exit_code == 2
    assert "--last" in result.output


def _record(home: Path, **fields: str) -> None:
    deployment = open_home(home)
    try:
        with deployment.store.transaction() as session:
            audit.record(session, **fields)
    finally:
        deployment.close()


def test_audit_show_table_prints_entries_verbatim(plain_home: Path) -> None:
    _record(plain_home, by="[bold]mallory", action="case.view", subject="case:[sealed]42")
    result = run("audit", "show", "--home", str(plain_home), "--action", "case.view")
    assert result.exit_code == 0, result.output
    assert "[bold]mallory" in result.output and "case:[sealed]42" in result.output


def test_audit_show_table_survives_markup_like_text(plain_home: Path) -> None:
    _record(plain_home, by="x", action="case.view", subject="case[/]1")
    result = run("audit", "show", "--home", str(plain_home))
    assert result.exit_code == 0, repr(result.exception)


def test_error_message_keeps_square_brackets(tmp_path: Path) -> None:
    home = tmp_path / "old[draft]"
    home.mkdir()
    (home / "x").write_text("x")
    assert_user_error(run("init", str(home)), 1, str(home))


# -- homes that cannot be opened --------------------------------------------------------------
def test_broken_homes_never_let_a_command_succeed(plain_home: Path, tmp_path: Path) -> None:
    not_home = tmp_path / "not-a-home"
    not_home.mkdir()
    assert run("audit", "verify", "--home", str(not_home)).exit_code != 0
    os.chmod(plain_home / "linkage" / "keys" / "master.key", 0o644)
    assert run("audit", "show", "--home", str(plain_home)).exit_code != 0
    assert run("audit", "verify", "--home", str(plain_home)).exit_code != 0


def test_not_a_home_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-home"
    folder.mkdir()
    assert_user_error(run("audit", "verify", "--home", str(folder)), 1, str(folder),
                      "not a fivesafes home")


def test_master_key_readable_by_others_is_a_one_line_error(plain_home: Path) -> None:
    key = plain_home / "linkage" / "keys" / "master.key"
    os.chmod(key, 0o644)
    assert_user_error(run("audit", "show", "--home", str(plain_home)), 1, f"chmod 600 {key}")


def test_store_at_an_old_schema_is_a_one_line_error(cli_home: Path, engine: sa.Engine) -> None:
    _sql(engine, "UPDATE alembic_version SET version_num = '0000'")
    assert_user_error(run("audit", "verify", "--home", str(cli_home)), 1,
                      "fivesafes db upgrade")


def test_db_upgrade_on_a_non_home_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    assert_user_error(run("db", "upgrade", "--home", str(folder)), 1, str(folder))


def test_db_upgrade_with_unsafe_master_key_is_a_one_line_error(plain_home: Path) -> None:
    os.chmod(plain_home / "linkage" / "keys" / "master.key", 0o644)
    assert_user_error(run("db", "upgrade", "--home", str(plain_home)), 1, "chmod 600")


# -- db upgrade -------------------------------------------------------------------------------
def test_db_upgrade_on_an_up_to_date_store_is_a_no_op(cli_home: Path, engine: sa.Engine) -> None:
    def snapshot() -> tuple:
        with engine.connect() as conn:
            entries = conn.execute(sa.text("SELECT * FROM audit_entry ORDER BY seq")).all()
            head = conn.execute(sa.text("SELECT * FROM audit_head")).all()
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = sorted(sa.inspect(conn).get_table_names())
        return [tuple(r) for r in entries], [tuple(r) for r in head], version, tables

    before = snapshot()
    result = run("db", "upgrade", "--home", str(cli_home))
    assert result.exit_code == 0, result.output
    head = _head_revision()
    assert f"{head} -> {head}" in result.output
    assert snapshot() == before
    assert run("audit", "verify", "--home", str(cli_home)).exit_code == 0


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and "fivesafes" in result.output


# -- deny by default ---------------------------------------------------------------------------
def test_reading_the_audit_log_needs_the_auditor_or_administrator_role(cli_home: Path) -> None:
    for args in (("audit", "verify"), ("audit", "show"), ("audit", "show", "--json")):
        result = run(*args, "--home", str(cli_home), FIVESAFES_ACTOR="nobody")
        assert_user_error(result, 4, "'nobody' is not signed in on this home")
    officer = CliRunner().invoke(
        main, ["people", "add", "jo", "--name", "Jo", "--email", "jo@example.org",
               "--role", "linkage_officer", "--password-stdin", "--home", str(cli_home),
               "--as", ACTOR], input=PASSWORD + "\n")
    assert officer.exit_code == 0, officer.output
    sign_in(cli_home, "jo")
    result = run("audit", "verify", "--home", str(cli_home), "--as", "jo")
    assert_user_error(result, 4, "jo may not verify the audit log",
                      "needs the auditor or administrator role")


def test_audit_show_refusals_lists_the_refused_attempts(cli_home: Path) -> None:
    assert _show_json(cli_home, "--refusals") == []
    run("audit", "show", "--home", str(cli_home), FIVESAFES_ACTOR="nobody")
    refused = _show_json(cli_home, "--refusals")
    assert [(e["actor"], e["action"], e["subject"]) for e in refused] == [
        ("nobody", "security.refused", "account:nobody")]
    assert refused[0]["details"]["refused"].startswith("'nobody' is not signed in on this home")
    table = run("audit", "show", "--home", str(cli_home), "--refusals")
    assert table.exit_code == 0 and "security.refused" in table.output, table.output
    both = run("audit", "show", "--home", str(cli_home), "--refusals", "--action", "x")
    assert both.exit_code == 2 and "not both" in both.output


# -- one actor rule ----------------------------------------------------------------------------
def _leaf_commands(group: click.Group, path: tuple[str, ...] = ()
                   ) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _leaf_commands(command, (*path, name))
        else:
            found.append((" ".join((*path, name)), command))
    return found


#: Commands that name no account, and why. Every other command takes a required ``--as``.
NO_ACCOUNT = {
    "init": "bootstrap: no account exists yet (records the OS login)",
    "admin create": "bootstrap: creates the first account (records the OS login)",
    "login": "signs an account in with its password: the account is its argument",
    "logout": "ends a sign-in: the account is its argument",
    "db upgrade": "schema migration by the operator, before the store can be read",
    "synth": "writes synthetic files outside any home",
    "demo governance": "the demo creates and names its own accounts",
    "register export": "the public register, published by design",
    "catalogue": "the research-ready catalogue's metadata, what researchers apply from",
    "lookups list": "reference lookups (offence groups...), public metadata",
    "panel list": "the configured panels and routes, public metadata",
    "admin enforce-expiries": "the daily schedule, acting as a system actor",
    "retention enforce": "the daily schedule, acting as system:retention",
    "demo sign-in-accounts": "the demo administrator resets the demo accounts (demo home only)",
    "serve": "the web application: each person signs in there with their password",
    "audit keygen": "makes the data owner's signing key, outside any home",
    "extract verify": "the recipient checks a package outside any home (it has no account)",
    "recipient keygen": "the recipient makes its own key, outside any home",
    "partner keygen": "the partner department makes its own keys on its own machine",
    "partner prepare": "the partner department encodes its extract on its own machine",
}
#: Commands whose standalone mode works outside any home; with ``--home`` they need ``--as``.
ACCOUNT_IN_A_HOME = {"link"}


@pytest.mark.parametrize("name,command", _leaf_commands(main), ids=lambda v: str(v))
def test_every_command_names_its_account_the_same_way(name: str, command: click.Command
                                                      ) -> None:
    accounts_named = [p for p in command.params if "--as" in getattr(p, "opts", ())]
    if name in NO_ACCOUNT:
        assert accounts_named == [], f"{name} is listed as naming no account"
        return
    assert len(accounts_named) == 1, f"{name} has no --as USERNAME"
    (option,) = accounts_named
    assert option.envvar == "FIVESAFES_ACTOR"
    assert option.required is (name not in ACCOUNT_IN_A_HOME)


def test_a_command_without_an_account_is_refused_and_never_acts_as_the_login(
        cli_home: Path) -> None:
    result = CliRunner().invoke(main, ["identifiers", "status", "--home", str(cli_home)],
                                env={"FIVESAFES_ACTOR": None})
    assert result.exit_code == 2 and "Missing option '--as'" in result.output
    result = CliRunner().invoke(main, ["link", "--home", str(cli_home)],
                                env={"FIVESAFES_ACTOR": None})
    assert result.exit_code == 2 and "linking a home needs --as USERNAME" in result.output


# -- audit keygen, anchor and verify --anchors ---------------------------------------------------
def test_audit_anchors_from_the_command_line(cli_home: Path, tmp_path: Path) -> None:
    from tests.test_audit_anchors import reseal_after

    owner = tmp_path / "owner"
    result = run("audit", "keygen", "--out", str(owner / "keys"))
    assert result.exit_code == 0, result.output
    assert "keep it out of the home" in result.output
    key, pub = owner / "keys" / "audit-signing.key", owner / "keys" / "audit-signing.pub"
    assert "PRIVATE" not in result.output
    result = run("audit", "anchor", "--home", str(cli_home), "--key", str(key),
                 "--out", str(owner / "anchors"))
    assert result.exit_code == 0, result.output
    assert "anchored the audit log" in result.output
    result = run("audit", "verify", "--home", str(cli_home), "--anchors", str(owner / "anchors"),
                 "--trust", str(pub))
    assert result.exit_code == 0, result.output
    assert "match 1 signed checkpoint(s); 1 newer entry is not anchored" in result.output
    result = run("audit", "verify", "--home", str(cli_home), "--anchors", str(owner / "anchors"))
    assert result.exit_code == 2 and "go together" in result.output
    deployment = open_home(cli_home)
    try:
        reseal_after(deployment, delete=4, reassign=5, to="someone:else")
    finally:
        deployment.close()
    assert run("audit", "verify", "--home", str(cli_home)).exit_code == 0  # resealed
    result = run("audit", "verify", "--home", str(cli_home), "--anchors", str(owner / "anchors"),
                 "--trust", str(pub))
    assert_user_error(result, 3, "FAILED verification against its anchors",
                      "rewritten at or before entry")
