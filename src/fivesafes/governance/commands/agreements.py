"""``fivesafes agreement`` (DSAs and DPIAs) and ``fivesafes register`` (the public register)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from fivesafes.cli_support import actor_option, err_console, user_errors, with_home
from fivesafes.governance import agreements
from fivesafes.governance import register as public
from fivesafes.governance.commands.options import reason_option, say
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, print_json, print_listing

FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.group()
def agreement() -> None:
    """Data Sharing Agreements and DPIAs, and the shares they cover."""


@agreement.command("add")
@click.argument("file", type=FILE)
@actor_option
@with_home
@user_errors
def agreement_add(deployment: Deployment, file: Path, actor: str) -> None:
    """Record a DSA or DPIA from a TOML or JSON FILE (administrator)."""
    reference = agreements.import_agreement(deployment, by=actor, path=file)
    say(f"agreement {reference} recorded")


@agreement.command("link")
@click.argument("reference")
@click.argument("application")
@actor_option
@with_home
@user_errors
def agreement_link(deployment: Deployment, reference: str, application: str, actor: str
                   ) -> None:
    """Record that agreement REFERENCE covers APPLICATION's share."""
    agreements.link_agreement(deployment, by=actor, agreement=reference,
                              application=application)
    say(f"{reference} now covers {application}")


@agreement.command("terminate")
@click.argument("reference")
@reason_option
@actor_option
@with_home
@user_errors
def agreement_terminate(deployment: Deployment, reference: str, reason: str, actor: str) -> None:
    """End agreement REFERENCE early; shares it covered are refused from now on."""
    agreements.terminate_agreement(deployment, by=actor, agreement=reference, reason=reason)
    say(f"agreement {reference} terminated")


AGREEMENT_COLUMNS = (
    Column("reference", whole=True), Column("kind", whole=True), Column("title"),
    Column("datasets"), Column("starts", "in force", show=lambda a: f"{a['starts']} to {a['ends']}"),
    Column("status", show=lambda a: a["status"] + (" (review overdue)" if a["review_overdue"]
                                                   else "")),
    Column("applications", "covers"),
)


@agreement.command("list")
@json_option
@actor_option
@with_home
@user_errors
def agreement_list(deployment: Deployment, as_json: bool, actor: str) -> None:
    """List agreements, what they cover and whether a review is overdue."""
    rows = [asdict(a) for a in agreements.list_agreements(deployment, by=actor)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, AGREEMENT_COLUMNS)


@click.group()
def register() -> None:
    """The public register of approved projects."""


@register.command("export")
@click.option("--format", "fmt", type=click.Choice(public.FORMATS), default="csv",
              show_default=True, help="Output format.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@with_home
@user_errors
def register_export(deployment: Deployment, fmt: public.Format, output: Path | None) -> None:
    """Export the public register: approved projects, leaving out (and counting) those on
    sensitive topics."""
    published = public.public_register(deployment)
    text = public.render(published, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"register written to {output}", markup=False)
    if fmt == "csv":
        err_console.print(public.withheld_note(published), markup=False)
