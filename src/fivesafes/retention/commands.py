"""The commands of retention: ``identifiers status``, ``identifiers destroy`` and ``retention
enforce`` (added to ``fivesafes`` by :func:`register_commands`).
"""

from __future__ import annotations

import json

import click
from rich.text import Text

from fivesafes.catalogue.destruction import destroy_identifiers
from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.home import Deployment
from fivesafes.listings import Column, print_listing
from fivesafes.retention.service import (
    enforce,
    identifier_status,
    planned,
)


def _say(line: str) -> None:
    console.print(Text(line))


# -- identifiers -----------------------------------------------------------------------------
@click.group("identifiers")
def identifiers_group() -> None:
    """Identifier stores: which are held, and destroying them."""


IDENTIFIER_COLUMNS = (
    Column("ingest", whole=True), Column("status", "identifiers", whole=True),
    Column("linked_in", "linked in", show=lambda s: ", ".join(s["linked_in"]) or "not linked yet"),
    Column("destroy_after", "destroyed automatically after", whole=True),
    Column("destroyed_at", "destroyed", whole=True), Column("destroyed_by", "by", whole=True),
    Column("certificate_seq", "certificate",
           show=lambda s: f"audit entry {s['certificate_seq']}" if s["certificate_seq"] else ""),
)


@identifiers_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@actor_option
@with_home
@user_errors
def identifiers_status(deployment: Deployment, as_json: bool, actor: str) -> None:
    """Each ingest's identifier store: held or destroyed, and when kept ones are destroyed."""
    statuses = identifier_status(deployment, by=actor)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in statuses], indent=2))
        return
    print_listing([s.as_dict() for s in statuses], IDENTIFIER_COLUMNS)


@identifiers_group.command("destroy")
@click.argument("ingest")
@click.option("--reason", required=True, help="Why, for the deletion certificate.")
@actor_option
@with_home
@user_errors
def identifiers_destroy(deployment: Deployment, ingest: str, reason: str,
                        actor: str) -> None:
    """Destroy the identifiers of INGEST (kept for a quality review): shred its data key,
    remove its files and quarantined rows, replace the reports that show them by their versions
    without identifiers, and record a deletion certificate. Needs a linkage officer."""
    cert = destroy_identifiers(deployment, ingest, by=actor, reason=reason)
    for line in cert.summary_lines():
        _say(line)


# -- retention -------------------------------------------------------------------------------
@click.group("retention")
def retention_group() -> None:
    """The retention schedule."""


@retention_group.command("enforce")
@click.option("--dry-run", is_flag=True, help="Only list what is due; change nothing.")
@with_home
@user_errors
def retention_enforce(deployment: Deployment, dry_run: bool) -> None:
    """Destroy identifiers kept past their deadline and project extracts whose access window
    closed, and remove superseded research-ready versions past theirs (run daily; acts as
    system:retention)."""
    if dry_run:
        for line in planned(deployment).lines():
            _say(line)
        return
    report = enforce(deployment)
    for cert in (*report.destroyed, *report.destroyed_extracts):
        for line in cert.summary_lines():
            _say(line)
    for name in report.removed_versions:
        _say(f"removed {name}")
    _say(f"{len(report.destroyed)} identifier store(s) destroyed, "
         f"{len(report.destroyed_extracts)} extract(s) destroyed, "
         f"{len(report.removed_versions)} version(s) removed")




def register_commands(main: click.Group) -> None:
    """Add ``identifiers`` and ``retention`` to ``main``."""
    main.add_command(identifiers_group)
    main.add_command(retention_group)
