"""The commands of the workspace: ``workspace query``, ``workspace shell``, ``workspace alerts``
and ``workspace revoke`` (added to ``fivesafes`` by :func:`register_commands`)."""

from __future__ import annotations

import csv
import io
import json

import click

from fivesafes.cli_support import actor_option, console, err_console, user_errors, with_home
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment
from fivesafes.listings import Column, listing_table, print_listing
from fivesafes.workspace.service import (
    Outcome,
    Workspace,
    open_workspace,
    revoke_access,
    workspace_alerts,
)

SHELL_HELP = """.tables            the tables of your extract and your scratch tables
.schema TABLE      the columns of TABLE
.help              this help
.quit              end the session (scratch tables end with it)
Anything else is one SQL statement (end it with ; to run it across several lines)."""


def _say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True)


def _show(outcome: Outcome, fmt: str) -> None:
    table = outcome.result.table
    if outcome.statement.changes_scratch:
        _say(f"scratch.{outcome.statement.target}: "
             f"{'made' if outcome.statement.kind == 'create' else 'dropped'}")
    elif fmt == "json":
        click.echo(json.dumps(table.to_pylist(), indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(table.column_names)
        for row in table.to_pylist():
            writer.writerow(row.values())
        click.echo(out.getvalue(), nl=False)
    else:
        columns = [Column(str(i), name) for i, name in enumerate(table.column_names)]
        rows = [{str(i): "" if v is None else str(v) for i, v in enumerate(row)}
                for row in zip(*(c.to_pylist() for c in table.columns), strict=True)]
        console.print(listing_table(rows, columns, None, console.width))
    if not outcome.statement.changes_scratch:
        more = " (more rows not shown: aggregate, or raise [workspace] max_rows)" \
            if outcome.result.truncated else ""
        err_console.print(f"{outcome.result.rows:,} row(s) in {outcome.result.seconds:.3f} s"
                          f"{more}", markup=False, highlight=False)
    for alert in outcome.alerts:
        err_console.print(f"monitor ({alert.severity}): {alert.explanation}", markup=False,
                          highlight=False)
    if outcome.suspended:
        err_console.print("your access to this project is now suspended: an administrator "
                          "reviews the alerts", markup=False, highlight=False)


@click.group("workspace")
def workspace_group() -> None:
    """The research workspace: query your project's extract, inside the setting."""


@workspace_group.command("query")
@click.argument("project")
@click.argument("sql")
@click.option("--json", "fmt", flag_value="json", help="Print the rows as JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="Print the rows as CSV.")
@actor_option
@with_home
@user_errors
def workspace_query(deployment: Deployment, project: str, sql: str, fmt: str | None,
                    actor: str) -> None:
    """Run one SQL statement over PROJECT's extract (P-nnnn, or its application A-nnnn):
    checked, run in the sandbox, audited; at most [workspace] max_rows rows are shown."""
    with open_workspace(deployment, by=actor, project=project) as workspace:
        _show(workspace.run(sql), fmt or "table")


def _dot_command(workspace: Workspace, line: str) -> bool:
    """Run a shell command (``.tables`` and the like); False on ``.quit``."""
    word, _, rest = line.partition(" ")
    if word in (".quit", ".exit"):
        return False
    if word == ".tables":
        for name in workspace.tables():
            _say(name)
    elif word == ".schema" and rest.strip():
        for column, kind in workspace.columns(rest.strip()):
            _say(f"  {column} {kind}")
    elif word == ".help":
        _say(SHELL_HELP)
    else:
        _say(f"unknown command {word}; .help lists them")
    return True


def _read_statement(prompt: str) -> str | None:
    lines: list[str] = []
    while True:
        try:
            line = input(prompt if not lines else "   ...> ")
        except EOFError:
            return "\n".join(lines) if lines else None
        if not lines and line.strip().startswith("."):
            return line.strip()
        lines.append(line)
        text = "\n".join(lines).strip()
        if not text or text.endswith(";") or not click.get_text_stream("stdin").isatty():
            return text


@workspace_group.command("shell")
@click.argument("project")
@actor_option
@with_home
@user_errors
def workspace_shell(deployment: Deployment, project: str, actor: str) -> None:
    """An interactive console over PROJECT's extract, with history (this session only)."""
    try:
        import readline  # noqa: F401 - line editing and history for input()
    except ImportError:  # pragma: no cover - not on every platform
        pass
    with open_workspace(deployment, by=actor, project=project) as workspace:
        _say(f"workspace of {workspace.application} ({workspace.project}), build "
             f"{workspace.build}: tables {', '.join(workspace.tables())}. .help for help.")
        while True:
            statement = _read_statement(f"{workspace.project}> ")
            if statement is None:
                break
            if not statement:
                continue
            try:
                if statement.startswith("."):
                    if not _dot_command(workspace, statement):
                        break
                    continue
                _show(workspace.run(statement), "table")
            except FivesafesError as exc:
                err_console.print(f"error: {exc}", markup=False, highlight=False)


ALERT_COLUMNS = (Column("seq", "audit", whole=True),
                 Column("at", whole=True, show=lambda a: a["at"][:19]),
                 Column("project", whole=True), Column("member", whole=True),
                 Column("kind", whole=True), Column("severity", whole=True),
                 Column("explanation"), Column("sql"))


@workspace_group.command("alerts")
@click.option("--project", default=None, help="Only this project's alerts (P-nnnn).")
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
@actor_option
@with_home
@user_errors
def workspace_alert_list(deployment: Deployment, project: str | None, as_json: bool,
                         actor: str) -> None:
    """What the workspace monitor flagged (administrators and auditors)."""
    alerts = workspace_alerts(deployment, by=actor, project=project)
    if as_json:
        click.echo(json.dumps(alerts, indent=2))
        return
    print_listing(alerts, ALERT_COLUMNS, empty="no workspace alerts")


@workspace_group.command("revoke")
@click.argument("project")
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit log and the researcher.")
@actor_option
@with_home
@user_errors
def workspace_revoke(deployment: Deployment, project: str, username: str, reason: str,
                     actor: str) -> None:
    """Suspend USERNAME's access to PROJECT at once (administrator); `project reinstate` gives
    it back."""
    revoke_access(deployment, by=actor, project=project, username=username, reason=reason)
    _say(f"{username}'s access to {project} is suspended")


def register_commands(main: click.Group) -> None:
    main.add_command(workspace_group)
