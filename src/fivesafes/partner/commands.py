"""The ``fivesafes partner`` commands.

On the partner department's own machine (no home): ``partner keygen`` (its keys, once) and
``partner prepare`` (its two packages). In the home: ``partner add`` / ``kit`` / ``list`` /
``retire`` (administrators register a partner and give it its kit) and ``partner receive`` (a
linkage officer takes in a batch of packages).
"""

from __future__ import annotations

from pathlib import Path

import click

from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, print_json, print_listing
from fivesafes.partner import agreement, kit, receive, registry
from fivesafes.progress import progress_bars
from fivesafes.sources.contract import load_contracts


def _say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True)


@click.group("partner")
def partner_group() -> None:
    """Linking with another department: keys, kits, encoded packages."""


@partner_group.command("keygen")
@click.option("--partner", "name", required=True, help="Your department's partner name, e.g. "
              "education (as the home will register it).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Your own folder for the key file.")
@user_errors
def partner_keygen(name: str, out: Path) -> None:
    """What a partner department runs once on its own machine: its signing and key-agreement
    keys (kept by it) and the public file to give the home."""
    private, public = agreement.generate_keys(name, out)
    _say(f"key file {private} (readable by you only; keep it, never send it)")
    _say(f"public file {public}: give it to the home's administrator")


@partner_group.command("add")
@click.argument("name")
@click.option("--organisation", required=True, help="The department, e.g. DfE.")
@click.option("--public", "public_file", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The public file the partner made with 'partner keygen'.")
@click.option("--kit-out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Where to write the kit to give the partner.")
@actor_option
@with_home
@user_errors
def partner_add(deployment: Deployment, name: str, organisation: str, public_file: Path,
                kit_out: Path, actor: str) -> None:
    """Register partner department NAME and write its kit (administrator)."""
    view, made = registry.add_partner(deployment, by=actor, name=name,
                                      organisation=organisation,
                                      public=agreement.read_public(public_file))
    path = agreement.write_kit(made, kit_out)
    _say(f"partner {view.name} ({view.organisation}) registered; key check {view.key_check}")
    _say(f"kit {path}: give it to the partner (it holds no secret); both sides should see key "
         f"check {view.key_check}")


@partner_group.command("kit")
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Where to write the kit.")
@actor_option
@with_home
@user_errors
def partner_kit(deployment: Deployment, name: str, out: Path, actor: str) -> None:
    """Write partner NAME's kit again (administrator or linkage officer)."""
    path = agreement.write_kit(registry.partner_kit(deployment, by=actor, name=name), out)
    _say(f"kit {path}")


@partner_group.command("retire")
@click.argument("name")
@click.option("--reason", required=True, help="Why no more packages are received from it.")
@actor_option
@with_home
@user_errors
def partner_retire(deployment: Deployment, name: str, reason: str, actor: str) -> None:
    """Retire partner NAME: its packages are refused and the home's keys for it shredded
    (administrator)."""
    registry.retire_partner(deployment, by=actor, name=name, reason=reason)
    _say(f"partner {name} retired; the home's keys for it are shredded")


PARTNER_COLUMNS = (Column("name", whole=True), Column("organisation"),
                   Column("status", whole=True), Column("key_check", "key check", whole=True),
                   Column("packages"), Column("registered_at", "registered"))


@partner_group.command("list")
@json_option
@actor_option
@with_home
@user_errors
def partner_list(deployment: Deployment, as_json: bool, actor: str) -> None:
    """The partner departments (linkage officers, administrators, auditors)."""
    rows = [p.as_dict() for p in registry.list_partners(deployment, by=actor)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, PARTNER_COLUMNS, empty="no partner department is registered")


@partner_group.command("prepare")
@click.option("--contract", "contract_path", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="Your extract's source contract (TOML).")
@click.option("--key", "key_file", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="Your key file from 'partner keygen'.")
@click.option("--kit", "kit_file", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The kit the home gave you.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Where to write the two packages.")
@click.option("--source", default=None, help="The source to prepare, when the contract file "
              "declares several.")
@user_errors
def partner_prepare(contract_path: Path, key_file: Path, kit_file: Path, out: Path,
                    source: str | None) -> None:
    """On the partner's machine: read the extract through its contract, standardise and encode
    the identifiers, and write the identifier and attribute packages, each encrypted to its
    recipient and signed."""
    contracts = load_contracts(contract_path)
    if source:
        contracts = [c for c in contracts if c.name == source]
    if len(contracts) != 1:
        names = ", ".join(c.name for c in load_contracts(contract_path))
        raise click.UsageError(f"{contract_path} declares {names or 'no source'}: name one "
                               "with --source")
    with progress_bars(console) as on_progress:
        result = kit.prepare(contracts[0], agreement.load_keys(key_file),
                             agreement.read_kit(kit_file), out, on_progress=on_progress)
    _say(f"{result.source}: {result.read:,} rows read, {result.sent:,} records in batch "
         f"{result.batch}, {result.quarantined:,} left out")
    for reason, count in result.reasons.items():
        _say(f"  left out: {reason} ({count:,})")
    _say(f"identifier package {result.identifiers} (for the home's linkage zone)")
    _say(f"attribute package {result.attributes} (for the home's research-ready side)")
    _say(f"rows left out, for you to fix: {result.quarantine} (it stays here)")


@partner_group.command("receive")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--partner", "name", required=True, help="The registered partner that sent them.")
@actor_option
@with_home
@user_errors
def partner_receive(deployment: Deployment, packages: tuple[Path, ...], name: str,
                    actor: str) -> None:
    """Receive one batch of a partner's packages (its identifier and attribute package) into
    the linkage zone (linkage officer); the next link run links them."""
    result = receive.receive(deployment, by=actor, partner=name, folders=list(packages))
    _say(f"{result.label}: {result.rows:,} records of {result.source} received from "
         f"{result.partner} in {result.seconds:.1f} s")
    for kind, package_id in sorted(result.packages.items()):
        _say(f"  {kind} package {package_id}")


def register_commands(main: click.Group) -> None:
    main.add_command(partner_group)
