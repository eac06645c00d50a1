"""The commands of extracts: ``extract build``, ``extract manifest``, ``extract destroy``,
``extract export`` / ``verify`` / ``sender-key`` (packages for an accredited processor),
``recipient add`` / ``list`` / ``retire`` / ``keygen``, and ``application provision``, which builds
the extract before it gives the team access (added to ``fivesafes`` by :func:`register_commands`,
after governance's commands).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import click

from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.extracts import export, recipients
from fivesafes.extracts.expiry import destroy_extract
from fivesafes.extracts.service import (
    ExtractResult,
    build_extract,
    extract_manifest,
    provision_with_extract,
)
from fivesafes.extracts.views import manifest_lines
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, print_json, print_listing


def _say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True)


def _built(result: ExtractResult) -> None:
    _say(f"extract of {result.application} built: build {result.build}, {result.rows:,} rows, "
         f"{result.persons:,} persons, in {result.seconds:.1f} s"
         + (f" (build {result.superseded} superseded and removed)" if result.superseded else ""))
    _say(f"  folder {result.folder}; manifest sha256 {result.manifest_sha256}")


@click.group("extract")
def extract_group() -> None:
    """Project extracts: build, read the manifest, destroy, export to a recipient, verify."""


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


@extract_group.command("export")
@click.argument("reference")
@click.option("--recipient", required=True, help="The registered export recipient, e.g. ons-srs.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write the package folder into.")
@actor_option
@with_home
@user_errors
def extract_export(deployment: Deployment, reference: str, recipient: str, out: Path,
                   actor: str) -> None:
    """Write REFERENCE's current extract as a package encrypted to RECIPIENT's public key, with
    a signed description (linkage officer or administrator; needs a current data sharing
    agreement naming the recipient and covering the datasets)."""
    result = export.export_extract(deployment, by=actor, reference=reference,
                                   recipient=recipient, out=out)
    _say(f"exported {result.application} build {result.build} for {result.recipient}: "
         f"{result.folder}")
    for f in result.files:
        _say(f"  {f['name']}: {f['bytes']:,} bytes, sha256 {f['sha256']}")
    _say(f"  payload sha256 {result.payload_sha256}; signed by sender key "
         f"{result.sender_fingerprint}")


@extract_group.command("verify")
@click.argument("package", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--sender-key", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The data owner's export signing public key (from 'extract sender-key'), "
                   "obtained from them directly, not from the package.")
@click.option("--identity", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Your age identity (recipient.agekey): also decrypt and check every file.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="With --identity: write the checked files into this new folder.")
@user_errors
def extract_verify(package: Path, sender_key: Path, identity: Path | None,
                   out: Path | None) -> None:
    """Check an export package as its recipient: the signature of its description, the
    payload's digest and, with --identity, every file inside (exit 3 if anything fails)."""
    check = export.verify_package(package, sender_key=sender_key, identity=identity, out=out)
    d = check.description
    _say(f"package {package.name}: signed by sender key {check.sender}; {d['application']} "
         f"build {d['build']} for {d['recipient']} ({d['organisation']}) under "
         f"{d['agreement']}, exported {d['exported_at']} by {d['exported_by']}")
    if check.opened:
        _say(f"  decrypted; all {len(d['files'])} files match their signed digests")
    else:
        _say("  payload digest matches (give --identity to decrypt and check every file)")
    for path in check.written:
        _say(f"  wrote {path}")


@extract_group.command("sender-key")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the public key to this file (default: print it).")
@actor_option
@with_home
@user_errors
def extract_sender_key(deployment: Deployment, out: Path | None, actor: str) -> None:
    """The home's export signing public key, to give each recipient once (with its
    fingerprint, read out over another channel)."""
    pem, fingerprint = export.sender_public_key(deployment, by=actor)
    if out is None:
        click.echo(pem.decode(), nl=False)
    else:
        out.write_bytes(pem)
        _say(f"wrote {out}")
    _say(f"fingerprint {fingerprint}")


@click.group("recipient")
def recipient_group() -> None:
    """Accredited processors that extracts may be exported to."""


@recipient_group.command("add")
@click.argument("name")
@click.option("--organisation", required=True,
              help="As named among the agreement's parties.")
@click.option("--public-key", required=True, help="The recipient's age public key (age1...).")
@click.option("--agreement", required=True,
              help="The data sharing agreement that names the organisation.")
@actor_option
@with_home
@user_errors
def recipient_add(deployment: Deployment, name: str, organisation: str, public_key: str,
                  agreement: str, actor: str) -> None:
    """Register export recipient NAME (administrator)."""
    view = recipients.add_recipient(deployment, by=actor, name=name, organisation=organisation,
                                    public_key=public_key, agreement=agreement)
    _say(f"export recipient {view.name} ({view.organisation}) registered under "
         f"{view.agreement}")


@recipient_group.command("retire")
@click.argument("name")
@click.option("--reason", required=True, help="Why no more packages go to it.")
@actor_option
@with_home
@user_errors
def recipient_retire(deployment: Deployment, name: str, reason: str, actor: str) -> None:
    """Retire export recipient NAME: nothing more is exported to it (administrator)."""
    recipients.retire_recipient(deployment, by=actor, name=name, reason=reason)
    _say(f"export recipient {name} retired")


RECIPIENT_COLUMNS = (Column("name", whole=True), Column("organisation"),
                     Column("agreement", whole=True), Column("status", whole=True),
                     Column("public_key", "public key", whole=True))


@recipient_group.command("list")
@json_option
@actor_option
@with_home
@user_errors
def recipient_list(deployment: Deployment, as_json: bool, actor: str) -> None:
    """The export recipients (linkage officers, administrators, auditors)."""
    rows = [r.as_dict() for r in recipients.list_recipients(deployment, by=actor)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, RECIPIENT_COLUMNS, empty="no export recipient is registered")


@recipient_group.command("keygen")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The recipient's own folder for its age identity.")
@user_errors
def recipient_keygen(out: Path) -> None:
    """What a recipient runs once: an age identity (kept by the recipient) and the public key
    to give the data owner."""
    path, public = export.generate_recipient_identity(out)
    _say(f"age identity {path} (readable by you only; keep it); public key {public}")


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
    main.add_command(recipient_group)
    application = main.commands.get("application")
    if isinstance(application, click.Group):
        # a copy: governance's own group (and whoever else registered it) is left as it is
        combined = copy.copy(application)
        combined.commands = {**application.commands, "provision": application_provision}
        main.add_command(combined, "application")
