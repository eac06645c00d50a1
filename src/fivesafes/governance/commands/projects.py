"""``fivesafes project``: projects and their teams (safe projects)."""

from __future__ import annotations

from pathlib import Path

import click

from fivesafes.cli_support import actor_option, user_errors, with_home
from fivesafes.governance import projects
from fivesafes.governance.commands.options import reason_option, say
from fivesafes.home import Deployment

FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.group()
def project() -> None:
    """Research projects and their teams."""


@project.command("create")
@click.argument("file", type=FILE)
@actor_option
@with_home
@user_errors
def project_create(deployment: Deployment, file: Path, actor: str) -> None:
    """Create a project from a TOML or JSON FILE (see docs/governance.md for its fields)."""
    reference = projects.import_project(deployment, by=actor, path=file)
    say(f"project {reference} created")


@project.command("add-member")
@click.argument("reference")
@click.argument("username")
@actor_option
@with_home
@user_errors
def project_add_member(deployment: Deployment, reference: str, username: str, actor: str
                       ) -> None:
    """Add researcher USERNAME to project REFERENCE's team (they must be eligible)."""
    projects.add_member(deployment, by=actor, project=reference, username=username)
    say(f"{username} added to {reference}")


@project.command("remove-member")
@click.argument("reference")
@click.argument("username")
@reason_option
@actor_option
@with_home
@user_errors
def project_remove_member(deployment: Deployment, reference: str, username: str, reason: str,
                          actor: str) -> None:
    """Remove USERNAME from project REFERENCE's team."""
    projects.remove_member(deployment, by=actor, project=reference, username=username,
                           reason=reason)
    say(f"{username} removed from {reference}")


@project.command("reinstate")
@click.argument("reference")
@click.argument("username")
@reason_option
@actor_option
@with_home
@user_errors
def project_reinstate(deployment: Deployment, reference: str, username: str, reason: str,
                      actor: str) -> None:
    """Reinstate a suspended member whose accreditation and training are current again."""
    projects.reinstate_member(deployment, by=actor, project=reference, username=username,
                              reason=reason)
    say(f"{username}'s access to {reference} reinstated")


@project.command("show")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def project_show(deployment: Deployment, reference: str, actor: str) -> None:
    """Show project REFERENCE and its team."""
    p = projects.project_view(deployment, by=actor, project=reference)
    say(f"{p.reference}: {p.title}")
    say(f"  lead {p.lead}, {p.organisation}; funder {p.funder or 'none'}; {p.start} to {p.end}"
        + ("; SENSITIVE TOPIC" if p.sensitive_topic else ""))
    say(f"  accreditation: {p.rap_reference} until {p.rap_expires_on}" if p.rap_reference
        else "  accreditation: none yet")
    say(f"  lay summary: {p.lay_summary}")
    say(f"  public benefit: {p.public_benefit}")
    for q in p.research_questions:
        say(f"  question: {q}")
    for m in p.team:
        say(f"  team: {m.username} ({m.full_name}), {m.role}, {m.status}"
            + (f": {m.status_reason}" if m.status_reason else ""))
