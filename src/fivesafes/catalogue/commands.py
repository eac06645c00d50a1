"""The commands of publishing: ``publish``, ``catalogue`` and ``lookups`` (registered by
:func:`fivesafes.catalogue.cli.register_commands`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from fivesafes.catalogue.views import (
    CATALOGUE_COLUMNS,
    CATALOGUE_TITLE,
    catalogue_rows,
    publish_lines,
)
from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, print_json, print_listing


def _say(line: str) -> None:
    console.print(Text(line))


# -- publish ---------------------------------------------------------------------------------
@click.command("publish")
@click.option("--link", "link_label", default=None, metavar="LABEL",
              help="The link run to publish (default: the newest).")
@click.option("--keep-identifiers", is_flag=True,
              help="Keep the run's identifiers for a quality review (destroy them later with "
                   "'fivesafes identifiers destroy'; the retention schedule does otherwise).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@actor_option
@with_home
@user_errors
def publish_command(deployment: Deployment, link_label: str | None, keep_identifiers: bool,
                    as_json: bool, actor: str) -> None:
    """Publish research-ready datasets from a link run: person ids stable across refreshes,
    operational ids replaced, every column checked by the release gate. Publishing accepts the
    run: its identifiers are destroyed (with a deletion certificate) unless kept. Needs a
    linkage officer. Exit 5 if the gate finds identifiers (nothing is published then)."""
    from fivesafes.catalogue.publish import publish

    result = publish(deployment, by=actor, link_label=link_label,
                     keep_identifiers=keep_identifiers)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    for line in publish_lines(result):
        _say(line)


# -- catalogue -------------------------------------------------------------------------------
@click.command("catalogue")
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalogue as JSON.")
@click.option("--all", "all_versions", is_flag=True,
              help="Also list superseded and removed versions.")
@click.option("--dictionary", type=click.Path(path_type=Path, file_okay=False), default=None,
              metavar="DIR",
              help="Write the data dictionary (data-dictionary.html and .csv) into DIR.")
@with_home
@user_errors
def catalogue_command(deployment: Deployment, as_json: bool, all_versions: bool,
                      dictionary: Path | None) -> None:
    """List the research-ready datasets: versions (which is current), coverage, owner, rows
    and people; optionally write the data dictionary a researcher reads before applying."""
    from fivesafes.catalogue.dictionary import write_dictionary
    from fivesafes.catalogue.listing import as_json as catalogue_json
    from fivesafes.catalogue.listing import read_catalogue

    entries = read_catalogue(deployment)
    if dictionary is not None:
        html_path, csv_path = write_dictionary(entries, dictionary, all_versions=all_versions)
    if as_json:
        click.echo(json.dumps(catalogue_json(entries), indent=2, ensure_ascii=False))
        return
    print_listing(catalogue_rows(entries, all_versions), CATALOGUE_COLUMNS,
                  title=CATALOGUE_TITLE)
    if dictionary is not None:
        _say(f"data dictionary: {html_path} and {csv_path}")


# -- lookups ---------------------------------------------------------------------------------
@click.group("lookups")
def lookups_group() -> None:
    """Reference lookups that give coarser levels of a field (offence -> group -> category)."""


@lookups_group.command("add")
@click.argument("name")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", required=True, help="Column of the CSV holding the attribute's values.")
@click.option("--levels", required=True,
              help="Coarser columns of the CSV, finest first, comma-separated.")
@click.option("--applies-to", "applies_to", multiple=True, metavar="SOURCE.COLUMN",
              help="An attribute the lookup applies to (repeatable); attributes named like "
                   "--key always do.")
@actor_option
@with_home
@user_errors
def lookups_add(deployment: Deployment, name: str, csv_file: Path, key: str, levels: str,
                applies_to: tuple[str, ...], actor: str) -> None:
    """Register (or replace) reference lookup NAME from CSV_FILE. Needs a linkage officer or
    an administrator."""
    from fivesafes.catalogue.lookups import register_lookup

    lookup = register_lookup(deployment, name, csv_file, key=key, levels=levels.split(","),
                             applies_to=list(applies_to), by=actor)
    _say(f"lookup {lookup.name}: {len(lookup.rows):,} rows, {lookup.key_column} -> "
         f"{' -> '.join(lookup.levels)}; applies to {lookup.key_column} attributes"
         + (f" and {', '.join(lookup.applies_to)}" if lookup.applies_to else ""))


LOOKUP_COLUMNS = (Column("name", whole=True), Column("key_column", "key", whole=True),
                  Column("levels", show=lambda lk: " -> ".join(lk["levels"])),
                  Column("applies_to"), Column("rows", show=lambda lk: f"{lk['rows']:,}"))


@lookups_group.command("list")
@json_option
@with_home
@user_errors
def lookups_list(deployment: Deployment, as_json: bool) -> None:
    """List the registered reference lookups."""
    from fivesafes.catalogue.lookups import all_lookups

    rows = [{"name": lk.name, "key_column": lk.key_column, "levels": list(lk.levels),
             "applies_to": list(lk.applies_to), "rows": len(lk.rows)}
            for lk in all_lookups(deployment)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, LOOKUP_COLUMNS)


COMMANDS = (publish_command, catalogue_command, lookups_group)
