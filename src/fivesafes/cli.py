"""The ``fivesafes`` command. Subcommands follow the walk from source extract to released output.

Commands parse their options, call one service function, and print what happened. A
:class:`~fivesafes.errors.FivesafesError` becomes a one-line message and a non-zero exit code.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from fivesafes import __version__, audit, audit_anchors
from fivesafes.auditing import read_log, verify_log
from fivesafes.cli_support import (
    actor_option,
    as_option,
    console,
    err_console,
    home_option,
    user_errors,
    with_home,
)
from fivesafes.errors import AuditTamperedError
from fivesafes.home import ACTOR_ENV, Deployment, init_home, keys_folder, local_operator
from fivesafes.listings import Column, print_listing
from fivesafes.store.db import REFUSED_ACTION


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fivesafes")
def main() -> None:
    """fivesafes: link records, de-identify them, and share them safely (the Five Safes)."""


# -- init ------------------------------------------------------------------------------------
@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--db-url", default=None, help="Metadata store URL (default: SQLite in the home).")
@click.option("--demo", is_flag=True,
              help="A demo home for synthetic data: --as is taken on trust, with no sign-in "
                   "(recorded for good; every command there says so). Never for real records.")
@user_errors
def init(directory: Path, db_url: str | None, demo: bool) -> None:
    """Create a new deployment home in DIRECTORY (refuses to overwrite one). No account exists
    yet, so the audit log records your operating-system login as the one who created it."""
    deployment = init_home(directory, by=local_operator(), db_url=db_url, demo=demo)
    try:
        console.print(f"Created {'demo ' if demo else ''}home "
                      f"[bold]{escape(str(deployment.root))}[/]")
        for zone, path in deployment.zones.items():
            console.print(f"  zone {zone:<9} {path}")
        console.print(f"  master key     {deployment.keys.folder / 'master.key'} (mode 0600)")
        console.print(f"  metadata store {_safe_url(deployment.settings.db_url)}")
        if demo:
            console.print("  sign-in        none: a demo home takes --as on trust (synthetic data "
                          "only)")
        else:
            console.print("  sign-in        fivesafes login USERNAME --home HOME before acting "
                          "as USERNAME")
    finally:
        deployment.close()


# -- login / logout ----------------------------------------------------------------------------
@main.command()
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts) "
                   "instead of a hidden prompt.")
@with_home
@user_errors
def login(deployment: Deployment, username: str, password_stdin: bool) -> None:
    """Sign USERNAME in on this home with its password, for [cli] session_minutes (8 hours
    unless set): commands may then act --as USERNAME. The session token is kept in a file only
    you can read (mode 0600, in FIVESAFES_TOKEN_DIR or ~/.config/fivesafes/tokens); it is
    never shown."""
    from datetime import timedelta

    from fivesafes.accounts import command_line
    from fivesafes.governance.commands.options import read_password

    password = read_password(password_stdin, confirm=False)
    account, path = command_line.login(deployment, username=username, password=password)
    until = deployment.clock() + timedelta(minutes=deployment.settings.cli_session_minutes)
    console.print(Text(f"signed in as {account.username} on {deployment.root} until "
                       f"{until:%Y-%m-%d %H:%M} UTC; session token in {path} (mode 0600)"),
                  soft_wrap=True)


@main.command()
@click.argument("username")
@with_home
@user_errors
def logout(deployment: Deployment, username: str) -> None:
    """End USERNAME's command-line session on this home and remove its token file."""
    from fivesafes.accounts import command_line

    if command_line.logout(deployment, username=username):
        console.print(Text(f"signed out {username} on {deployment.root}"), soft_wrap=True)
    else:
        console.print(Text(f"{username} was not signed in on {deployment.root}"),
                      soft_wrap=True)


def _safe_url(url: str) -> str:
    from fivesafes.store.db import describe_url

    return describe_url(url)


# -- db --------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Metadata store schema."""


@db.command("upgrade")
@home_option
@user_errors
def db_upgrade(home: Path) -> None:
    """Bring the metadata store's schema to this version of fivesafes."""
    from fivesafes.config import load_settings
    from fivesafes.keys import KeyRing
    from fivesafes.store import Store

    settings = load_settings(home)
    store = Store(settings.db_url, KeyRing(keys_folder(home)).audit_seal_key())
    before = store.current_revision()
    store.upgrade()
    console.print(f"metadata store schema: {before or 'empty'} -> {store.current_revision()}")
    store.dispose()


# -- audit -----------------------------------------------------------------------------------
@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.option("--anchors", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also check the log against the signed checkpoints in this folder "
                   "(written by 'audit anchor'); needs --trust.")
@click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The audit signing public key (audit-signing.pub) checkpoints must be "
                   "signed with.")
@actor_option
@with_home
@user_errors
def audit_verify(deployment: Deployment, anchors: Path | None, trust: Path | None,
                 actor: str) -> None:
    """Check that no audit entry was edited, deleted or reordered (exit 3 if one was).
    With --anchors, also check that every anchored entry is still there, unchanged: this
    catches a rewrite by someone holding the home's own keys. Needs the auditor or
    administrator role."""
    if (anchors is None) != (trust is None):
        raise click.UsageError("--anchors and --trust go together: the checkpoints, and the "
                               "public key they must be signed with")
    result = verify_log(deployment, by=actor)
    if not result.intact:
        raise AuditTamperedError(
            f"audit log FAILED verification at entry {result.first_bad}: {result.problem}"
        )
    if anchors is None or trust is None:
        console.print(f"audit log intact: {result.entries} entries, chain and sealed head "
                      "verified (not checked against anchors: give --anchors and --trust)")
        return
    check = audit_anchors.verify_anchors(deployment, by=actor, anchors=anchors,
                                         trusted_key=trust)
    if not check.intact:
        raise AuditTamperedError("audit log FAILED verification against its anchors: "
                                 + "; ".join(check.problems))
    hours = audit_anchors.age_of(check, deployment.clock())
    console.print(
        f"audit log intact: {result.entries} entries, chain and sealed head verified, and "
        f"entries 1..{check.anchored_seq} match {check.checkpoints} signed checkpoint(s); "
        f"{check.unanchored} newer entr{'y is' if check.unanchored == 1 else 'ies are'} not "
        f"anchored yet (newest checkpoint {hours:.1f} hours old)"
    )


@audit_group.command("keygen")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="A folder outside the home, held by the data owner or audit service.")
@user_errors
def audit_keygen(out: Path) -> None:
    """Make an audit signing key pair (Ed25519) for 'audit anchor'. Keep the private key out of
    the home; give the public key to whoever runs 'audit verify --anchors'."""
    private, public, fingerprint = audit_anchors.generate_signing_key(out)
    console.print(f"audit signing key {fingerprint}: private key {private} (readable by you "
                  f"only; keep it out of the home), public key {public}")


@audit_group.command("anchor")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The audit signing private key (audit-signing.key).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The anchors folder, outside the home, that the data owner keeps.")
@actor_option
@with_home
@user_errors
def audit_anchor(deployment: Deployment, key_path: Path, out: Path, actor: str) -> None:
    """Verify the log and write a signed checkpoint of its head into --out. Run it on a
    schedule (e.g. hourly from cron). Needs the auditor or administrator role."""
    written = audit_anchors.anchor(deployment, by=actor, key_path=key_path, out=out)
    console.print(f"anchored the audit log: {written}")


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date or time; use ISO form, e.g. 2026-01-31 or "
            "2026-01-31T09:30"
        ) from None
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment


@audit_group.command("show")
@click.option("--actor", default=None, help="Only entries by this actor.")
@click.option("--action", default=None, help="Only this action (end with * for a prefix).")
@click.option("--refusals", is_flag=True,
              help="Only refused attempts (security events: who, what, why refused).")
@click.option("--subject", default=None, help="Only this subject (end with * for a prefix).")
@click.option("--since", default=None, help="Only entries at or after this time (ISO, UTC).")
@click.option("--until", default=None, help="Only entries at or before this time (ISO, UTC).")
@click.option("--last", "limit", type=click.IntRange(min=1), default=None,
              help="Only the newest N matching entries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@as_option("reader", help=f"Who is reading: an auditor or administrator, signed in (or set "
                          f"{ACTOR_ENV}).")
@with_home
@user_errors
def audit_show(deployment: Deployment, actor: str, action: str | None, refusals: bool,
               subject: str | None, since: str | None, until: str | None,
               limit: int | None, as_json: bool, reader: str) -> None:
    """List audit entries, oldest first. Needs the auditor or administrator role."""
    if refusals:
        if action is not None:
            raise click.UsageError("--refusals is the action security.refused: give one of "
                                   "--refusals or --action, not both")
        action = REFUSED_ACTION
    flt = audit.EntryFilter(actor=actor, action=action, subject=subject,
                            since=_parse_time(since), until=_parse_time(until), limit=limit)
    entries = read_log(deployment, by=reader, entries=flt)
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    print_listing(entries, AUDIT_COLUMNS)
    console.print(f"{len(entries)} entries")


AUDIT_COLUMNS = (
    Column("seq", whole=True), Column("at", "at (UTC)", whole=True,
                                      show=lambda e: e["at"][:19].replace("T", " ")),
    Column("actor", whole=True), Column("action", whole=True), Column("subject", whole=True),
    Column("details", show=lambda e: json.dumps(e["details"], ensure_ascii=False)),
)


# -- synth -----------------------------------------------------------------------------------
@main.command()
@click.option("--people", type=click.IntRange(min=1), required=True,
              help="How many synthetic people to create (about 4 records each).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="New folder for the extracts, contracts and ground truth.")
@click.option("--seed", type=int, default=None,
              help="Random seed (default: the variant's own, 1 for default); the same seed "
                   "gives byte-identical files.")
@click.option("--variant", default="default", show_default=True,
              help="Error model: default, or heldback (a second one for measuring linkage; "
                   "never tune on it).")
@click.option("--partner", is_flag=True,
              help="Also write a partner department's extract (education records of the same "
                   "people) under OUT/partner/, for 'fivesafes partner prepare'.")
@user_errors
def synth(people: int, out: Path, seed: int | None, variant: str, partner: bool) -> None:
    """Write synthetic court, prison and probation extracts with their contracts and truth."""
    from fivesafes.progress import progress_bars
    from fivesafes.synth import generate

    with progress_bars(console, show_counts=True) as update:
        summary = generate(people=people, out=out, seed=seed, on_progress=update,
                           variant=variant, partner=partner)
    table = Table("source", "records", "extract", "contract")
    for source, count in summary.records_per_source.items():
        table.add_row(source, f"{count:,}", str(summary.paths.extracts[source]),
                      str(summary.paths.contracts[source]))
    console.print(table)
    console.print(f"{summary.people:,} people, {summary.total_records:,} records in "
                  f"{summary.seconds:.1f} s; ground truth in {summary.paths.truth}")
    if summary.paths.partner_contract:
        console.print(f"partner department (education): {summary.partner_records:,} records; "
                      f"contract {summary.paths.partner_contract}, truth "
                      f"{summary.paths.partner_truth}")


# -- ingest ----------------------------------------------------------------------------------
@main.command()
@click.argument("contracts", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--allow-empty", is_flag=True,
              help="Ingest an extract with no data rows (refused otherwise: the next link would "
                   "drop every record of that source).")
@click.option("--accept-shrink", is_flag=True,
              help="Ingest an extract much shorter than the source's last ingest (more than "
                   "ingest.shrink_share fewer rows; refused otherwise).")
@actor_option
@with_home
@user_errors
def ingest(deployment: Deployment, contracts: tuple[Path, ...], as_json: bool,
           allow_empty: bool, accept_shrink: bool, actor: str) -> None:
    """Validate source extracts against their CONTRACTS and split them into the identifier and
    attribute stores. All sources are ingested together, or none is."""
    from fivesafes.progress import progress_bars
    from fivesafes.sources.contract import load_all
    from fivesafes.sources.ingest import ingest as run_ingest
    from fivesafes.sources.ingest import quarantine_summary, summary_json

    loaded = load_all(list(contracts))
    with progress_bars(err_console if as_json else console) as update:
        result = run_ingest(deployment, loaded, by=actor, on_progress=update,
                            allow_empty=allow_empty, accept_shrink=accept_shrink)
    if as_json:
        click.echo(summary_json(result))
        return
    table = Table("source", "owner", "read", "accepted", "quarantined",
                  title=f"{result.label}: read = accepted + quarantined")
    for s in result.sources:
        table.add_row(s.source, s.owner, f"{s.read:,}", f"{s.accepted:,}", f"{s.quarantined:,}")
    table.add_row("all", "", f"{result.read:,}", f"{result.accepted:,}",
                  f"{result.quarantined:,}", style="bold")
    console.print(table)
    for s in result.sources:
        for line in quarantine_summary(s):
            console.print(Text(line))
    for notice in result.notices:
        console.print(Text(f"  confirmed: {notice}"))
    for s in result.sources:
        if s.ignored_columns:
            console.print(f"  {s.source}: columns not in the contract were not ingested: "
                          f"{', '.join(s.ignored_columns)}")
    if result.warnings:
        console.print(f"{result.warnings:,} accepted record(s) have an identifier value linkage "
                      "cannot read; they are kept and linked on their other identifiers:")
        for s in result.sources:
            for reason, count in s.warning_reasons.items():
                console.print(Text(f"  {s.source}: {reason} ({count:,})"))
    d = deployment
    console.print(f"identifier store (encrypted): {d.identifiers / result.label}")
    console.print(f"attribute store:              {d.attributes / result.label}")
    console.print(f"quarantined rows (and identifier warnings): {d.quarantine / result.label}")
    console.print(f"took {result.seconds:.1f} s")


# -- demo ------------------------------------------------------------------------------------
@main.group("demo")
def demo_group() -> None:
    """Steps of `make demo` that need many commands, run as one (synthetic data only)."""


@demo_group.command("link")
@actor_option
@with_home
@user_errors
def demo_link(deployment: Deployment, actor: str) -> None:
    """Link what was ingested; print persons found, links per source pair, the report's path."""
    from fivesafes.demo.link import run_demo

    for line in run_demo(deployment, by=actor):
        console.print(Text(line))


@demo_group.command("publish")
@click.option("--link", "link_label", default=None, metavar="LABEL",
              help="The link run to publish (default: the newest).")
@actor_option
@with_home
@user_errors
def demo_publish(deployment: Deployment, link_label: str | None, actor: str) -> None:
    """Publish a link run, show the catalogue, write the data dictionary, destroy identifiers."""
    from fivesafes.catalogue.persons import link_run
    from fivesafes.demo.publish import run_demo

    label = link_label or link_run(deployment, None).label
    for line in run_demo(deployment, label, by=actor):
        console.print(Text(line))


@demo_group.command("governance")
@with_home
@user_errors
def demo_governance(deployment: Deployment) -> None:
    """A researcher applies for a few fields, the routed panels approve, the register lists it."""
    from fivesafes.demo.governance import run_demo

    for line in run_demo(deployment):
        console.print(Text(line))


@demo_group.command("sign-in-accounts")
@with_home
@user_errors
def demo_sign_in_accounts(deployment: Deployment) -> None:
    """Give the demo home's accounts one fresh password for the web application, and show it
    (demo home only; the administrator's stays secret)."""
    from fivesafes.demo.web import sign_in_accounts

    password, shown = sign_in_accounts(deployment)
    table = Table("username", "name", "roles", title="Demo accounts for the web application")
    for account in shown:
        table.add_row(account.username, account.full_name, ", ".join(account.roles))
    console.print(table)
    console.print(Text(f"password for each (demo home only; a new one every time): {password}"))


def _register_stage_commands() -> None:
    """Commands that live with their stage of the walk."""
    from fivesafes.catalogue.cli import register_commands as catalogue
    from fivesafes.extracts.commands import register_commands as extracts
    from fivesafes.governance.cli import register_commands as governance
    from fivesafes.linkage.cli import register_commands as linkage
    from fivesafes.outputs.commands import register_commands as outputs
    from fivesafes.partner.commands import register_commands as partner
    from fivesafes.retention.commands import register_commands as retention
    from fivesafes.web.commands import register_commands as web
    from fivesafes.workspace.commands import register_commands as workspace

    linkage(main)
    partner(main)
    catalogue(main)
    governance(main)
    extracts(main)
    retention(main)
    workspace(main)
    outputs(main)
    web(main)


_register_stage_commands()


def run() -> None:  # pragma: no cover - console script shim
    main()
