"""The commands of extracts: ``extract build``, ``extract manifest``, ``extract destroy``, and
``application provision``, which builds the extract before it gives the team access (added to
``fivesafes`` by :func:`register_commands`, after governance's commands).
"""

from __future__ import annotations

import copy
import json

import click

from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.extracts.expiry import destroy_extract
from fivesafes.extracts.service import (
    ExtractResult,
    build_extract,
    extract_manifest,
    provision_with_extract,
)
from fivesafes.home import Deployment


def _say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True)


def manifest_lines(content: dict) -> list[str]:
    """A manifest in a few lines: coverage, then each dataset with its columns and counts."""
    coverage = content.get("coverage", {})
    lines = [f"extract of {content['application']} for {content['project']}, build "
             f"{content['build']}, built {content['built_at'][:19]} by {content['built_by']}",
             f"  coverage: {coverage.get('from')} to {coverage.get('to')}"]
    for d in content["datasets"]:
        columns = ", ".join(c["name"] + (" (pseudonym)" if c["pseudonym"] else "")
                            for c in d["columns"])
        lines.append(f"  {d['name']} (research-ready {d['research_ready']['version']}): "
                     f"{d['rows']:,} rows, {d['persons']:,} persons; columns {columns}")
        if d.get("excluded_because"):
            lines.append(f"    no rows: {d['excluded_because']}")
    lines.append(f"  persons in the extract: {content['persons']:,}")
    if "manifest_sha256" in content:
        lines.append(f"  manifest sha256 {content['manifest_sha256']}")
    return lines


def _built(result: ExtractResult) -> None:
    _say(f"extract of {result.application} built: build {result.build}, {result.rows:,} rows, "
         f"{result.persons:,} persons, in {result.seconds:.1f} s"
         + (f" (build {result.superseded} superseded and removed)" if result.superseded else ""))
    _say(f"  folder {result.folder}; manifest sha256 {result.manifest_sha256}")


@click.group("extract")
def extract_group() -> None:
    """Project extracts: build, read the manifest, destroy."""


@extract_group.command("build")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def extract_build(deployment: Deployment, reference: str, actor: str) -> None:
    """Build (or rebuild, after an amendment or a new research-ready version) the extract of
    accredited or provisioned REFERENCE (linkage officer)."""
    _built(build_extract(deployment, by=actor, reference=reference))


@extract_group.command("manifest")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print the whole manifest as JSON.")
@actor_option
@with_home
@user_errors
def extract_show_manifest(deployment: Deployment, reference: str, as_json: bool,
                          actor: str) -> None:
    """The manifest of REFERENCE's current extract: what is in it, counts and checksums."""
    content = extract_manifest(deployment, by=actor, reference=reference)
    if as_json:
        click.echo(json.dumps(content, indent=2, sort_keys=True))
        return
    for line in manifest_lines(content):
        _say(line)


@extract_group.command("destroy")
@click.argument("reference")
@click.option("--reason", required=True, help="Why, for the deletion certificate.")
@actor_option
@with_home
@user_errors
def extract_destroy(deployment: Deployment, reference: str, reason: str, actor: str) -> None:
    """Destroy REFERENCE's extract now (key shredded, files removed, certificate in the audit
    log); a linkage officer or an administrator. Retention does it when the window closes."""
    for line in destroy_extract(deployment, by=actor, reference=reference,
                                reason=reason).summary_lines():
        _say(line)


@click.command("provision")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def application_provision(deployment: Deployment, reference: str, actor: str) -> None:
    """Build accredited REFERENCE's extract and give its team access (linkage officer; needs a
    current data sharing agreement)."""
    result, team = provision_with_extract(deployment, by=actor, reference=reference)
    _built(result)
    _say(f"{reference}: provisioned for {', '.join(team)}")


def register_commands(main: click.Group) -> None:
    """Add ``extract`` to ``main``, and make ``application provision`` build the extract."""
    main.add_command(extract_group)
    application = main.commands.get("application")
    if isinstance(application, click.Group):
        # a copy: governance's own group (and whoever else registered it) is left as it is
        combined = copy.copy(application)
        combined.commands = {**application.commands, "provision": application_provision}
        main.add_command(combined, "application")
