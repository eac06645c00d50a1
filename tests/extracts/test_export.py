"""Export packages for an accredited processor: encrypted to the recipient's registered age key,
with a description signed by the home; refused unless a current data sharing agreement names the
recipient and covers the application; verified by the recipient, who finds any tampering.
SQLite and PostgreSQL (the module's published homes)."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from tests.extracts.conftest import ADMIN, OFFICER, Walk

from fivesafes.cli import main
from fivesafes.errors import InvalidForm, NotFound, PermissionDenied
from fivesafes.extracts import read_extract
from fivesafes.extracts.export import (
    PackageRefused,
    export_extract,
    generate_recipient_identity,
    sender_public_key,
    verify_package,
)
from fivesafes.extracts.recipients import add_recipient, list_recipients, retire_recipient
from fivesafes.extracts.service import provision_with_extract
from fivesafes.governance import agreements
from fivesafes.store.models import AuditEntry

WANTED = {"magistrates": [("outcome", "outcome"), ("offence_code", "offence_group")]}
ONS = "Office for National Statistics"


class Recipient:
    def __init__(self, folder: Path, name: str) -> None:
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.identity, self.public = generate_recipient_identity(folder / self.name)


def _agreement(walk: Walk, *, parties: list[str], datasets: list[str] | None = None,
               ends: date = date(2028, 12, 31)) -> str:
    reference = f"DSA-SRS-{uuid.uuid4().hex[:8]}"
    return agreements.record_agreement(walk.home, by=ADMIN, form={
        "reference": reference, "kind": "dsa", "title": "Sharing with the SRS",
        "parties": parties, "datasets": datasets or ["magistrates"],
        "permitted_uses": ["approved projects"], "legal_basis": "DEA 2017 s.64",
        "protections": ["accredited processor"], "starts": date(2026, 1, 1), "ends": ends,
        "review": date(2027, 1, 1)})


def _exportable(walk: Walk, tmp_path: Path) -> tuple[str, Recipient, str, list[str]]:
    """A provisioned application with its extract, a recipient its DSA names, and its team."""
    team = walk.team(2)
    reference = walk.accredited(team, WANTED)
    dsa = _agreement(walk, parties=["Ministry of Justice", ONS])
    agreements.link_agreement(walk.home, by=ADMIN, agreement=dsa, application=reference)
    provision_with_extract(walk.home, by=OFFICER, reference=reference)
    recipient = Recipient(tmp_path, "ons-srs")
    add_recipient(walk.home, by=ADMIN, name=recipient.name, organisation=ONS,
                  public_key=recipient.public, agreement=dsa)
    return reference, recipient, dsa, team


def _sender(walk: Walk, tmp_path: Path) -> Path:
    path = tmp_path / "sender.pub"
    path.write_bytes(sender_public_key(walk.home, by=OFFICER)[0])
    return path


def test_a_package_round_trips_to_its_recipient(walk: Walk, tmp_path: Path) -> None:
    reference, recipient, dsa, team = _exportable(walk, tmp_path)
    result = export_extract(walk.home, by=OFFICER, reference=reference,
                            recipient=recipient.name, out=tmp_path / "outbox")
    assert sorted(p.name for p in result.folder.iterdir()) == [
        "package.json", "package.sig", "payload.age", "sender.pub"]
    names = {f["name"] for f in result.files}
    assert {"magistrates.parquet", "manifest.json"} <= names
    check = verify_package(result.folder, sender_key=_sender(walk, tmp_path),
                           identity=recipient.identity, out=tmp_path / "unpacked")
    assert check.opened and check.description["agreement"] == dsa
    assert {p.name for p in check.written} == names
    walk.in_window()
    team_view = read_extract(walk.home, by=team[0], reference=reference, dataset="magistrates")
    exported = pq.read_table(tmp_path / "unpacked" / "magistrates.parquet")
    assert exported.num_rows > 0 and "person_id" in exported.column_names
    assert exported.equals(team_view)
    # the clear text is nowhere in the package: a pseudonym and the rows are encrypted
    some_person = str(exported.column("person_id")[0])
    for path in result.folder.iterdir():
        assert some_person.encode() not in path.read_bytes(), path.name
    with walk.home.store.reading() as session:
        entry = session.execute(select(AuditEntry).where(
            AuditEntry.action == "extract.exported",
            AuditEntry.subject == f"application:{reference}")).scalar_one()
    details = json.loads(entry.details)
    assert details["recipient"] == recipient.name and details["agreement"] == dsa
    assert details["payload_sha256"] == result.payload_sha256


def test_export_is_refused_without_a_covering_agreement_and_the_refusal_audited(
        walk: Walk, tmp_path: Path) -> None:
    reference, recipient, dsa, _ = _exportable(walk, tmp_path)
    out = tmp_path / "outbox"
    # a researcher may not export
    team = walk.team(1)
    with pytest.raises(PermissionDenied, match="export an extract"):
        export_extract(walk.home, by=team[0], reference=reference, recipient=recipient.name,
                       out=out)
    # a recipient whose DSA is not linked to this application
    other_dsa = _agreement(walk, parties=[ONS])
    stranger = Recipient(tmp_path, "stranger")
    add_recipient(walk.home, by=ADMIN, name=stranger.name, organisation=ONS,
                  public_key=stranger.public, agreement=other_dsa)
    with pytest.raises(PermissionDenied, match="does not cover A-"):
        export_extract(walk.home, by=OFFICER, reference=reference, recipient=stranger.name,
                       out=out)
    # a terminated agreement
    agreements.terminate_agreement(walk.home, by=ADMIN, agreement=dsa, reason="Ended early.")
    with pytest.raises(PermissionDenied, match="was terminated"):
        export_extract(walk.home, by=OFFICER, reference=reference, recipient=recipient.name,
                       out=out)
    # a retired recipient, and one that does not exist
    retire_recipient(walk.home, by=ADMIN, name=recipient.name, reason="Contract ended.")
    with pytest.raises(PermissionDenied, match="was retired"):
        export_extract(walk.home, by=OFFICER, reference=reference, recipient=recipient.name,
                       out=out)
    with pytest.raises(NotFound, match="no export recipient 'nobody'"):
        export_extract(walk.home, by=OFFICER, reference=reference, recipient="nobody",
                       out=out)
    assert not out.exists() or not any(out.iterdir())
    with walk.home.store.reading() as session:
        refused = [json.loads(d)["refused"] for d in session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "security.refused")
        ).scalars()]
    assert any("was retired" in r for r in refused)
    assert any("was terminated" in r for r in refused)


def test_registering_a_recipient_lists_every_problem_at_once(walk: Walk, tmp_path: Path) -> None:
    dsa = _agreement(walk, parties=["Ministry of Justice"])
    with pytest.raises(InvalidForm) as caught:
        add_recipient(walk.home, by=ADMIN, name="bad name!", organisation=ONS,
                      public_key="ssh-rsa AAAA", agreement=dsa)
    paths = [p.path for p in caught.value.problems]
    assert paths == ["name", "public key", "organisation"]
    with pytest.raises(PermissionDenied, match="register an export recipient"):
        add_recipient(walk.home, by=OFFICER, name="x", organisation=ONS,
                      public_key=Recipient(tmp_path, "x").public, agreement=dsa)
    assert all(r.name != "x" for r in list_recipients(walk.home, by=OFFICER))


def test_the_recipient_finds_any_tampering(walk: Walk, tmp_path: Path) -> None:
    reference, recipient, _, _ = _exportable(walk, tmp_path)
    sender = _sender(walk, tmp_path)
    package = export_extract(walk.home, by=OFFICER, reference=reference,
                             recipient=recipient.name, out=tmp_path / "outbox").folder
    payload, description = package / "payload.age", package / "package.json"
    original_payload, original_description = payload.read_bytes(), description.read_bytes()

    payload.write_bytes(original_payload[:-1] + bytes([original_payload[-1] ^ 1]))
    with pytest.raises(PackageRefused, match="not the payload that was signed"):
        verify_package(package, sender_key=sender)
    payload.write_bytes(original_payload)

    edited = json.loads(original_description)
    edited["recipient"] = "someone-else"
    description.write_text(json.dumps(edited, sort_keys=True, indent=2) + "\n")
    with pytest.raises(PackageRefused, match="not signed by the sender key"):
        verify_package(package, sender_key=sender)
    description.write_bytes(original_description)

    # the package's own sender.pub is not trusted: a forger would ship their own
    forger = tmp_path / "forger.pub"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    forger.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(PackageRefused, match="not signed by the sender key"):
        verify_package(package, sender_key=forger)

    other = Recipient(tmp_path, "other")
    with pytest.raises(PackageRefused, match="not encrypted to the identity"):
        verify_package(package, sender_key=sender, identity=other.identity)
    (package / "package.sig").unlink()
    with pytest.raises(PackageRefused, match="package.sig is missing"):
        verify_package(package, sender_key=sender)


def test_export_and_verify_from_the_command_line(walk: Walk, tmp_path: Path) -> None:
    reference, recipient, _, _ = _exportable(walk, tmp_path)
    home = str(walk.home.root)
    env = {"FIVESAFES_ACTOR": None, "FIVESAFES_HOME": None, "COLUMNS": "200"}
    runner = CliRunner()
    result = runner.invoke(main, ["extract", "sender-key", "--home", home, "--as", OFFICER,
                                  "--out", str(tmp_path / "sender.pub")], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["extract", "export", reference, "--recipient", recipient.name,
                                  "--out", str(tmp_path / "outbox"), "--home", home,
                                  "--as", OFFICER], env=env)
    assert result.exit_code == 0, result.output
    (package,) = (tmp_path / "outbox").iterdir()
    result = runner.invoke(main, ["extract", "verify", str(package), "--sender-key",
                                  str(tmp_path / "sender.pub"), "--identity",
                                  str(recipient.identity)], env=env)
    assert result.exit_code == 0, result.output
    assert "files match their signed digests" in result.output
    result = runner.invoke(main, ["recipient", "list", "--json", "--home", home,
                                  "--as", ADMIN], env=env)
    assert result.exit_code == 0 and recipient.name in result.stdout
    assert json.load(io.StringIO(result.stdout))
    (package / "payload.age").write_bytes(b"not age")
    result = runner.invoke(main, ["extract", "verify", str(package), "--sender-key",
                                  str(tmp_path / "sender.pub")], env=env)
    assert result.exit_code == 3 and "not the payload that was signed" in result.output
