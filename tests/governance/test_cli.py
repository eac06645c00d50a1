"""The governance commands, registered on a fresh click group, against a home on SQLite and
PostgreSQL: a whole walk, refusals with their exit codes, and no password ever printed."""

from __future__ import annotations

import json
from datetime import date, timedelta

import click
import pytest
import tomli_w
from click.testing import CliRunner, Result

from fivesafes import audit, cli
from fivesafes.governance.cli import register_commands

from .conftest import PASSWORD, application_form

TODAY = date.today()


@pytest.fixture
def run(home, monkeypatch, example_commands):
    monkeypatch.delenv("FIVESAFES_ACTOR", raising=False)
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.err_console, "width", 250)
    group = click.Group()
    register_commands(group)
    assert sorted(group.commands) == ["admin", "agreement", "application", "panel", "people",
                                      "project", "register", "risk"]

    def invoke(*args: str, stdin: str | None = None, code: int = 0) -> Result:
        result = CliRunner().invoke(group, [*args, "--home", str(home.root)], input=stdin,
                                    env={"FIVESAFES_HOME": None, "COLUMNS": "250"})
        assert result.exit_code == code, (args, result.output, result.exception)
        assert "Traceback" not in result.output
        assert PASSWORD not in result.output
        return result

    return invoke


def _write(path, data) -> str:
    path.write_text(tomli_w.dumps(data))
    return str(path)


def test_a_whole_walk_through_the_command_line(run, home, tmp_path):
    pw = PASSWORD + "\n"
    run("admin", "create", "admin", "--name", "Ada", "--email", "a@x.org", "--password-stdin",
        stdin=pw)
    assert "already exists" in run("admin", "create", "eve", "--name", "E", "--email",
                                   "e@x.org", "--password-stdin", stdin=pw, code=4).output
    run("people", "add", "rita", "--name", "Rita R", "--email", "r@x.org", "--role",
        "researcher", "--password-stdin", "--as", "admin", stdin=pw)
    run("people", "add", "rev", "--name", "Rev", "--email", "v@x.org", "--panel", "hmcts_dap",
        "--password-stdin", "--as", "admin", stdin=pw)
    run("people", "add", "rap", "--name", "Rap", "--email", "p@x.org", "--password-stdin",
        "--as", "admin", stdin=pw)
    run("people", "grant", "rap", "panel_member", "--panel", "rap", "--as", "admin")
    run("people", "add", "lo", "--name", "Lo", "--email", "l@x.org", "--role",
        "linkage_officer", "--password-stdin", "--as", "admin", stdin=pw)
    assert "NOT eligible" in run("people", "show", "rita", "--as", "rita").output
    iso = lambda days: (TODAY + timedelta(days=days)).isoformat()  # noqa: E731
    run("people", "accredit", "rita", "--number", "A1", "--body", "UKSA", "--granted", iso(-10),
        "--expires", iso(700), "--as", "admin")
    run("people", "train", "rita", "--course", "SRT", "--passed", iso(-5), "--expires",
        iso(700), "--as", "admin")
    assert "eligible today" in run("people", "show", "rita", "--as", "admin").output

    project = {"title": "Bail decisions [2020-2024]", "lay_summary": "S", "public_benefit": "B",
               "research_questions": ["Q?"], "lead": "rita", "organisation": "Uni",
               "start": TODAY, "end": TODAY + timedelta(days=600)}
    out = run("project", "create", _write(tmp_path / "p.toml", project), "--as", "rita").output
    assert "project P-0001 created" in out
    assert "Bail decisions [2020-2024]" in run("project", "show", "P-0001", "--as",
                                               "rita").output
    form = application_form("P-0001", {"magistrates": ["sex"]})
    form["access"] = {"start": TODAY + timedelta(days=1), "end": TODAY + timedelta(days=300)}
    bad = dict(form, ethics_reference="", colour="red")
    failed = run("application", "import", _write(tmp_path / "bad.toml", bad), "--as", "rita",
                 code=1).output
    assert "has 2 problems" in failed and "colour: unknown field" in failed
    assert "ethics_reference: is required" in failed
    run("application", "import", _write(tmp_path / "a.toml", form), "--as", "rita")
    assert "it is now submitted" in run("application", "submit", "A-0001", "--as", "rita").output
    run("application", "start-review", "A-0001", "--as", "admin")
    refused = run("panel", "approve", "A-0001", "--as", "rita", code=4).output
    assert "rita may not approve A-0001" in refused
    assert "is now approved" in run("panel", "approve", "A-0001", "--condition", "No linking.",
                                    "--as", "rev").output
    run("panel", "accredit", "A-0001", "--rap-reference", "RAP-7", "--expires", iso(500),
        "--as", "rap")
    dsa = {"reference": "DSA-9", "kind": "dsa", "title": "DSA", "parties": ["MoJ", "Uni"],
           "datasets": ["magistrates"], "permitted_uses": ["P-0001"], "legal_basis": "DEA",
           "protections": ["secure setting"], "starts": TODAY, "ends": TODAY + timedelta(400),
           "review": TODAY + timedelta(200)}
    assert "no current data sharing agreement" in run("application", "provision", "A-0001",
                                                      "--as", "lo", code=4).output
    run("agreement", "add", _write(tmp_path / "dsa.toml", dsa), "--as", "admin")
    run("agreement", "link", "DSA-9", "A-0001", "--as", "admin")
    assert "A-0001" in run("agreement", "list", "--as", "admin").output
    assert "is now provisioned" in run("application", "provision", "A-0001", "--as",
                                       "lo").output
    shown = run("application", "show", "A-0001", "--as", "rita").output
    assert "condition: No linking." in shown and "route: rap (accreditation) approved" in shown
    listed = run("application", "list", "--state", "provisioned", "--as", "admin").output
    assert "Bail decisions [2020-2024]" in listed
    assert "hmcts_dap" in run("panel", "list").output
    published = run("register", "export", "--format", "json")
    assert json.loads(published.stdout)["projects"][0]["title"] == "Bail decisions [2020-2024]"
    csv_out = run("register", "export", "--format", "csv")
    assert "No approved project is left out" in csv_out.stderr
    run("register", "export", "--format", "html", "--output", str(tmp_path / "r.html"))
    assert "Bail decisions [2020-2024]" in (tmp_path / "r.html").read_text()
    assert "0 suspensions" in run("admin", "enforce-expiries").output
    with home.store.reading() as session:
        assert audit.verify(session).intact
        logged = json.dumps(audit.as_dicts(audit.query(session)))
    assert PASSWORD not in logged


def test_acting_needs_an_account_and_weak_passwords_are_refused(run):
    run("admin", "create", "admin", "--name", "Ada", "--email", "a@x.org", "--password-stdin",
        stdin="short\n", code=1)
    run("admin", "create", "admin", "--name", "Ada", "--email", "a@x.org", "--password-stdin",
        stdin=PASSWORD + "\n")
    assert "Missing option '--as'" in run("people", "list", code=2).output
    assert "'ghost' is not an active fivesafes account" in run("people", "list", "--as",
                                                               "ghost", code=4).output
    assert "admin" in run("people", "list", "--as", "admin").output
    run("people", "add", "bob", "--name", "Bob", "--email", "b@x.org", "--as", "admin",
        stdin=f"{PASSWORD}\n{PASSWORD}\n")  # typed twice at the hidden prompt
    new = "a brand new passphrase"
    run("people", "password", "bob", "--password-stdin", "--as", "bob",
        stdin=f"{PASSWORD}\n{new}\n")
    run("people", "disable", "bob", "--reason", "left", "--as", "admin")
    run("people", "revoke", "admin", "administrator", "--reason", "x", "--as", "admin", code=4)


def test_people_add_makes_a_panel_member_as_its_help_says(run, home):
    from fivesafes import accounts

    pw = PASSWORD + "\n"
    run("admin", "create", "admin", "--name", "Ada", "--email", "a@x.org", "--password-stdin",
        stdin=pw)
    helped = run("people", "add", "--help").output
    assert "--role" in helped and "--panel KEY" in helped
    run("people", "add", "pm", "--name", "Pam", "--email", "p@x.org", "--role", "panel_member",
        "--panel", "hmcts_dap", "--password-stdin", "--as", "admin", stdin=pw)
    run("people", "add", "two", "--name", "Two", "--email", "t@x.org", "--role", "researcher",
        "--role", "panel_member", "--panel", "rap", "--panel", "dag", "--password-stdin",
        "--as", "admin", stdin=pw)
    run("people", "add", "only", "--name", "Only", "--email", "o@x.org", "--panel", "rap",
        "--password-stdin", "--as", "admin", stdin=pw)
    refused = run("people", "add", "none", "--name", "None", "--email", "n@x.org", "--role",
                  "panel_member", "--password-stdin", "--as", "admin", stdin=pw, code=1).output
    assert "panel: panel_member names its panel (--panel KEY)" in refused
    unknown = run("people", "add", "ghost", "--name", "G", "--email", "g@x.org", "--role",
                  "panel_member", "--panel", "no_such_panel", "--password-stdin", "--as",
                  "admin", stdin=pw, code=1).output
    assert "no_such_panel" in unknown
    roles = {a.username: a.roles for a in accounts.list_accounts(home, by="admin")}
    assert roles["pm"] == ("panel_member:hmcts_dap",)
    assert sorted(roles["two"]) == ["panel_member:dag", "panel_member:rap", "researcher"]
    assert roles["only"] == ("panel_member:rap",)
    assert "none" not in roles and "ghost" not in roles
