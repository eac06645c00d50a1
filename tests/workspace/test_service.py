"""The workspace on a published home (SQLite and PostgreSQL): a session over the project's own
extract, every query audited, access checked before every statement, the monitor's alerts, the
automatic suspension and an administrator's revocation, the commands and the Python API."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import fivesafes.workspace
from fivesafes import audit
from fivesafes.cli import main
from fivesafes.errors import PermissionDenied
from fivesafes.governance import projects
from fivesafes.workspace import open_workspace, revoke_access, workspace_alerts
from fivesafes.workspace.guard import StatementNotUnderstood, StatementRefused
from tests.conftest import without_demo_notice
from tests.extracts.conftest import ADMIN
from tests.workspace.conftest import Project


def _entries(project: Project, action: str) -> list[dict]:
    with project.walk.home.store.reading() as session:
        return [{**json.loads(e.details), "actor": e.actor} for e in audit.query(
            session, audit.EntryFilter(action=action, subject=f"application:{project.application}"))]


def test_a_session_holds_the_extract_and_each_query_is_audited(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.team[1], project=project.project) as ws:
        assert ws.tables() == ["magistrates", "prison"]
        by_outcome = ws.query("SELECT outcome, count(*) AS n FROM magistrates GROUP BY outcome "
                              "ORDER BY outcome")
        assert list(by_outcome.columns) == ["outcome", "n"] and by_outcome["n"].sum() > 0
        ws.run("CREATE TABLE scratch.young AS SELECT * FROM magistrates "
               "WHERE age_at_hearing_band = '18-20'")
        assert "scratch.young" in ws.tables()
        assert ws.arrow("SELECT count(*) FROM scratch.young").num_rows == 1
    opened, queries = _entries(project, "workspace.opened"), _entries(project, "workspace.query")
    assert opened[-1]["actor"] == project.team[1] and opened[-1]["project"] == project.project
    assert [q["outcome"] for q in queries[-3:]] == ["ok", "ok", "ok"]
    first = queries[-3]
    assert first["sql"].startswith("SELECT outcome") and first["rows"] == len(by_outcome)
    assert first["seconds"] >= 0 and first["tables"] == ["magistrates"]
    assert not list(home.root.rglob("*.duckdb"))  # scratch stays in memory


def test_the_application_reference_opens_it_too(project: Project) -> None:
    with open_workspace(project.walk.home, by=project.lead, project=project.application) as ws:
        assert ws.project == project.project


def test_only_the_team_inside_the_window(project: Project) -> None:
    home, walk = project.walk.home, project.walk
    stranger = walk.team(1)[0]
    with pytest.raises(PermissionDenied, match="not on"):
        open_workspace(home, by=stranger, project=project.project)
    walk.clock.now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    with pytest.raises(PermissionDenied, match="outside the access window"):
        open_workspace(home, by=project.lead, project=project.project)


def test_access_is_checked_before_every_statement(project: Project) -> None:
    home = project.walk.home
    with open_workspace(home, by=project.team[1], project=project.project) as ws:
        ws.run("SELECT 1")
        revoke_access(home, by=ADMIN, project=project.project, username=project.team[1],
                      reason="shared their screen")
        with pytest.raises(PermissionDenied, match="suspended: revoked: shared their screen"):
            ws.run("SELECT count(*) FROM magistrates")
    projects.reinstate_member(home, by=ADMIN, project=project.project,
                              username=project.team[1], reason="spoken to")
    with open_workspace(home, by=project.team[1], project=project.project) as ws:
        ws.run("SELECT 1")


def test_only_an_administrator_revokes(project: Project) -> None:
    with pytest.raises(PermissionDenied, match="administrator"):
        revoke_access(project.walk.home, by=project.lead, project=project.project,
                      username=project.team[1], reason="no")


def test_a_typo_is_said_and_audited_but_is_no_security_event(project: Project) -> None:
    with open_workspace(project.walk.home, by=project.lead, project=project.project) as ws:
        with pytest.raises(StatementNotUnderstood, match="could not read the statement"):
            ws.run("SELEC count(*) FROM magistrates")
    assert _entries(project, "workspace.query")[-1]["outcome"] == "not understood"
    assert not _entries(project, "workspace.refused")


def test_look_ups_and_differencing_are_violations_that_suspend(project: Project) -> None:
    home, member = project.walk.home, project.team[1]
    with open_workspace(home, by=member, project=project.project) as ws:
        person = ws.query("SELECT person_id FROM magistrates LIMIT 1")["person_id"][0]
        looked_up = ws.run(f"SELECT * FROM magistrates WHERE person_id = '{person}'")
        assert [a.kind for a in looked_up.alerts] == ["pseudonym_filter"]
        everyone = ws.run("SELECT outcome, count(*) AS n FROM magistrates GROUP BY outcome")
        assert not [a for a in everyone.alerts if a.kind == "differencing"]
        all_but_one = ws.run("SELECT outcome, count(*) AS n FROM magistrates "
                             f"WHERE person_id <> '{person}' GROUP BY outcome")
        assert {"pseudonym_filter", "differencing"} <= {a.kind for a in all_but_one.alerts}
        assert all_but_one.suspended  # the third violation, with the default limit of 3
        with pytest.raises(PermissionDenied, match="workspace monitoring violations"):
            ws.run("SELECT 1")
    kinds = [a["kind"] for a in workspace_alerts(home, by=ADMIN, project=project.project)
             if a["member"] == member]
    assert kinds[0] == "pseudonym_filter" and "differencing" in kinds
    with home.store.reading() as session:
        last = audit.query(session, audit.EntryFilter(action="governance.access.suspend"))[-1]
    assert last.actor == "system:workspace-monitor" and member in last.details


def test_repeated_refusals_are_a_violation(project: Project,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    home, member = project.walk.home, project.team[1]
    monkeypatch.setattr(home, "settings", replace(home.settings, workspace_suspend_after=1))
    with open_workspace(home, by=member, project=project.project) as ws:
        for _ in range(2):
            with pytest.raises(StatementRefused):
                ws.run("SELECT * FROM read_csv('/etc/passwd')")
        ws.run("SELECT 1")  # two refusals are notices only
        with pytest.raises(StatementRefused):
            ws.run("INSTALL httpfs")
        with pytest.raises(PermissionDenied, match="3 refused statements within the hour"):
            ws.run("SELECT 1")
    kinds = [a["kind"] for a in workspace_alerts(home, by=ADMIN, project=project.project)]
    assert kinds == ["refused", "refused", "refused", "repeated_refusals"]


def test_small_groups_are_a_notice(project: Project) -> None:
    with open_workspace(project.walk.home, by=project.lead, project=project.project) as ws:
        out = ws.run("SELECT offence_group, age_at_hearing_band, hearing_date_year, "
                     "count(*) AS n FROM magistrates GROUP BY ALL")
    small = [a for a in out.alerts if a.kind == "small_groups"]
    assert small and small[0].severity == "notice" and not out.suspended


def test_alerts_are_for_administrators_and_auditors(project: Project) -> None:
    with pytest.raises(PermissionDenied):
        workspace_alerts(project.walk.home, by=project.lead)


def test_the_commands(project: Project) -> None:
    home = project.walk.home
    runner = CliRunner()
    base = ["--home", str(home.root), "--as", project.lead]
    table = runner.invoke(main, ["workspace", "query", project.project,
                                 "SELECT outcome, count(*) AS n FROM magistrates GROUP BY 1",
                                 *base])
    assert table.exit_code == 0, table.output
    assert "outcome" in table.output and "row(s) in" in table.output
    as_csv = runner.invoke(main, ["workspace", "query", project.project, "--csv",
                                  "SELECT 1 AS one", *base])
    assert as_csv.stdout.splitlines()[:2] == ["one", "1"]
    as_json = runner.invoke(main, ["workspace", "query", project.project, "--json",
                                   "SELECT 1 AS one", *base])
    assert json.loads(as_json.stdout) == [{"one": 1}]
    refused = runner.invoke(main, ["workspace", "query", project.project,
                                   "COPY magistrates TO '/tmp/x.csv'", *base])
    assert refused.exit_code == 4
    assert "copying data to or from files is not allowed" in refused.output
    assert len(without_demo_notice(refused.output).strip().splitlines()) == 1
    shell = runner.invoke(main, ["workspace", "shell", project.project, *base], input=(
        ".tables\n.schema prison\nSELECT count(*) AS n FROM prison;\nPRAGMA version;\n.quit\n"))
    assert shell.exit_code == 0, shell.output
    assert "magistrates" in shell.output and "RECEPTION_DATE_year" in shell.output
    assert "PRAGMA statements" in shell.output
    alerts = runner.invoke(main, ["workspace", "alerts", "--home", str(home.root),
                                  "--as", ADMIN, "--project", project.project])
    assert alerts.exit_code == 0 and "refused" in alerts.output


def test_the_python_api(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    home = project.walk.home
    monkeypatch.setenv("FIVESAFES_HOME", str(home.root))
    monkeypatch.setattr("fivesafes.workspace.open_home", lambda root: home)
    monkeypatch.setattr(type(home), "close", lambda self: None)
    with fivesafes.workspace.open(project.project, by=project.lead) as ws:
        frame = ws.query("SELECT count(*) AS n FROM magistrates")
    assert int(frame["n"][0]) > 0
