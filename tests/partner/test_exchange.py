"""A partner's packages from its kit to the home, on SQLite and PostgreSQL: keys agreed without
sending the secret, two separate packages, received as an ingest run; every bad package refused
(wrong recipient, tampered, mixed, replayed, wrong key, someone else's) and audited, nothing kept."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from sqlalchemy import select

from fivesafes.errors import InvalidForm, PermissionDenied
from fivesafes.partner import agreement, kit, registry
from fivesafes.partner.agreement import PartnerKeyError, agreed_secret, agreement_public
from fivesafes.partner.encoding import encoded_columns
from fivesafes.partner.models import Partner, PartnerPackage
from fivesafes.partner.packages import (
    ATTRIBUTES,
    IDENTIFIERS,
    MANIFEST,
    PAYLOAD,
    PartnerPackageRefused,
    write_package,
)
from fivesafes.partner.receive import receive
from fivesafes.sources.identifier_store import read_identifiers
from fivesafes.store.models import AuditEntry, IngestedSource, IngestRun
from tests.partner.conftest import PARTNER, Exchange


def _secret(exchange: Exchange) -> bytes:
    with exchange.home.store.reading() as session:
        name = session.execute(select(Partner.linkage_secret)).scalar_one()
    return exchange.home.keys.load_key(name)


def _refusals(exchange: Exchange) -> list[str]:
    with exchange.home.store.reading() as session:
        return [json.loads(d)["refused"] for d in session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "security.refused")).scalars()]


def _nothing_received(exchange: Exchange) -> None:
    with exchange.home.store.reading() as session:
        assert session.execute(select(IngestRun)).first() is None
        assert session.execute(select(PartnerPackage)).first() is None
    assert not any((exchange.home.linkage / "identifiers").glob("*/*"))


def _receive(exchange: Exchange, *folders: Path):
    return receive(exchange.home, by=exchange.staff.officer, partner=PARTNER,
                   folders=list(folders))


def test_both_sides_derive_the_secret_and_nothing_written_holds_it(exchange: Exchange) -> None:
    secret = _secret(exchange)
    assert agreed_secret(exchange.keys.agreement, agreement_public(exchange.kit.home_agreement),
                         PARTNER) == secret
    result = exchange.prepare()
    written = [json.dumps(exchange.kit.as_json())]
    written += [(f / MANIFEST).read_text() for f in (result.identifiers, result.attributes)]
    for text in written:
        assert secret.hex() not in text and base64.b64encode(secret).decode() not in text
    with exchange.home.store.reading() as session:
        details = " ".join(session.execute(select(AuditEntry.details)).scalars())
    assert secret.hex() not in details and base64.b64encode(secret).decode() not in details


def test_prepare_writes_an_identifier_and_an_attribute_package(exchange: Exchange) -> None:
    result = exchange.prepare()
    assert result.sent == result.read - result.quarantined > 0
    ids = json.loads((result.identifiers / MANIFEST).read_text())
    attrs = json.loads((result.attributes / MANIFEST).read_text())
    assert ids["kind"] == IDENTIFIERS and attrs["kind"] == ATTRIBUTES
    assert ids["columns"] == ["record_id", *encoded_columns(exchange.kit.encoding)]
    assert ids["batch"] == attrs["batch"] == result.batch and ids["rows"] == result.sent
    assert "forename_bf" not in attrs["columns"] and "given_name" not in attrs["columns"]
    assert [a["column"] for a in attrs["contract"]["attributes"]] == attrs["columns"][1:]
    # no raw identifier of the extract is in either package's manifest
    assert not {"given_name", "family_name", "dob", "postcode"} & set(ids["columns"])


def test_receive_makes_an_ingest_run_of_the_partner_source(exchange: Exchange) -> None:
    result = exchange.prepare()
    received = _receive(exchange, result.identifiers, result.attributes)
    assert received.rows == result.sent and received.source == PARTNER
    home = exchange.home
    with home.store.reading() as session:
        source = session.execute(select(IngestedSource)).scalar_one()
        assert source.partner == PARTNER and source.rows_accepted == result.sent
        contract = json.loads(source.contract)
        assert contract["identifiers"] == [] and contract["owner"] == "DfE"
        kinds = sorted(session.execute(select(PartnerPackage.kind)).scalars())
        assert kinds == [ATTRIBUTES, IDENTIFIERS]
        actions = list(session.execute(select(AuditEntry.action)).scalars())
    assert actions[-1] == "partner.receive"
    table = read_identifiers(home, received.label, PARTNER)
    assert table.column_names == ["record_key", "record_id",
                                  *encoded_columns(exchange.kit.encoding)]
    attributes = pq.read_table(home.root / source.attributes_path)
    assert attributes.column_names[0] == "record_key" and "record_id" not in attributes.schema.names
    assert sorted(attributes.column("record_key").to_pylist()) == sorted(
        table.column("record_key").to_pylist())
    listed = registry.list_partners(home, by=exchange.staff.auditor)
    assert [(p.name, p.packages) for p in listed] == [(PARTNER, 2)]


def test_a_replayed_batch_is_refused_and_audited(exchange: Exchange) -> None:
    result = exchange.prepare()
    _receive(exchange, result.identifiers, result.attributes)
    with pytest.raises(PartnerPackageRefused, match="already received"):
        _receive(exchange, result.identifiers, result.attributes)
    assert any("already received" in r for r in _refusals(exchange))


def test_a_tampered_payload_is_refused(exchange: Exchange) -> None:
    result = exchange.prepare()
    payload = result.identifiers / PAYLOAD
    data = bytearray(payload.read_bytes())
    data[-5] ^= 1
    payload.write_bytes(bytes(data))
    with pytest.raises(PartnerPackageRefused, match="not the payload that was signed"):
        _receive(exchange, result.identifiers, result.attributes)
    assert any("not the payload that was signed" in r for r in _refusals(exchange))
    _nothing_received(exchange)


def test_an_edited_manifest_is_refused(exchange: Exchange) -> None:
    result = exchange.prepare()
    manifest = result.attributes / MANIFEST
    manifest.write_text(manifest.read_text().replace('"rows"', '"rows" ', 1))
    with pytest.raises(PartnerPackageRefused, match="not signed by this partner"):
        _receive(exchange, result.identifiers, result.attributes)
    _nothing_received(exchange)


def _package(exchange: Exchange, out: Path, kind: str, table: pa.Table, *,
             recipient: str | None = None, signer: Ed25519PrivateKey | None = None,
             key_check: str | None = None, batch: str = "b1") -> Path:
    recipients = {IDENTIFIERS: exchange.kit.identifiers_recipient,
                  ATTRIBUTES: exchange.kit.attributes_recipient}
    describe = {"source": PARTNER, "batch": batch, "owner": "DfE"}
    if kind == ATTRIBUTES:
        describe["contract"] = {"attributes": []}
    return write_package(out, kind=kind, table=table,
                         recipient=x25519.Recipient.from_str(recipient or recipients[kind]),
                         signer=signer or exchange.keys.signing, partner=PARTNER,
                         parameters=exchange.kit.encoding if kind == IDENTIFIERS else None,
                         key_check=(key_check or exchange.kit.key_check)
                         if kind == IDENTIFIERS else None, describe=describe)


def _tables(exchange: Exchange) -> tuple[pa.Table, pa.Table]:
    columns = encoded_columns(exchange.kit.encoding)
    ids = pa.table({"record_id": ["1", "2"],
                    **{c: pa.array([None, None], pa.string()) for c in columns}})
    return ids, pa.table({"record_id": ["1", "2"], "region": ["North", "South"]})


def test_a_mixed_package_is_refused(exchange: Exchange, tmp_path: Path) -> None:
    ids, attrs = _tables(exchange)
    mixed = attrs.append_column("surname_bf", pa.array([b"x", b"y"]))
    good = _package(exchange, tmp_path, IDENTIFIERS, ids)
    bad = _package(exchange, tmp_path, ATTRIBUTES, mixed)
    with pytest.raises(PartnerPackageRefused, match="holds identifier columns"):
        _receive(exchange, good, bad)
    bad_ids = _package(exchange, tmp_path / "2", IDENTIFIERS, ids.append_column(
        "region", pa.array(["North", "South"])))
    with pytest.raises(PartnerPackageRefused, match="may hold only the record id"):
        _receive(exchange, bad_ids, _package(exchange, tmp_path / "2", ATTRIBUTES, attrs))
    _nothing_received(exchange)


def test_a_package_for_the_wrong_recipient_is_refused(exchange: Exchange, tmp_path: Path
                                                      ) -> None:
    ids, attrs = _tables(exchange)
    misrouted = _package(exchange, tmp_path, IDENTIFIERS, ids,
                         recipient=exchange.kit.attributes_recipient)
    with pytest.raises(PartnerPackageRefused, match="not encrypted to this home's identity"):
        _receive(exchange, misrouted, _package(exchange, tmp_path, ATTRIBUTES, attrs))
    stranger = str(x25519.Identity.generate().to_public())
    with pytest.raises(PartnerPackageRefused, match="not encrypted to this home's identity"):
        _receive(exchange, _package(exchange, tmp_path / "2", IDENTIFIERS, ids,
                                    recipient=stranger),
                 _package(exchange, tmp_path / "2", ATTRIBUTES, attrs))
    _nothing_received(exchange)


def test_a_package_under_another_key_or_signer_is_refused(exchange: Exchange, tmp_path: Path
                                                          ) -> None:
    ids, attrs = _tables(exchange)
    with pytest.raises(PartnerPackageRefused, match="another linkage key"):
        _receive(exchange, _package(exchange, tmp_path, IDENTIFIERS, ids, key_check="0" * 16),
                 _package(exchange, tmp_path, ATTRIBUTES, attrs))
    forger = Ed25519PrivateKey.generate()
    with pytest.raises(PartnerPackageRefused, match="not signed by this partner"):
        _receive(exchange, _package(exchange, tmp_path / "2", IDENTIFIERS, ids, signer=forger),
                 _package(exchange, tmp_path / "2", ATTRIBUTES, attrs, signer=forger))
    assert sum("another linkage key" in r or "not signed" in r for r in _refusals(exchange)) == 2
    _nothing_received(exchange)


def test_packages_of_two_batches_are_refused(exchange: Exchange, tmp_path: Path) -> None:
    ids, attrs = _tables(exchange)
    with pytest.raises(PartnerPackageRefused, match="not one batch"):
        _receive(exchange, _package(exchange, tmp_path, IDENTIFIERS, ids, batch="one"),
                 _package(exchange, tmp_path, ATTRIBUTES, attrs, batch="two"))
    other = pa.table({"record_id": ["1", "3"], "region": ["North", "South"]})
    with pytest.raises(PartnerPackageRefused, match="do not hold the same records"):
        _receive(exchange, _package(exchange, tmp_path / "2", IDENTIFIERS, ids),
                 _package(exchange, tmp_path / "2", ATTRIBUTES, other))
    with pytest.raises(Exception, match="no attributes package given"):
        _receive(exchange, _package(exchange, tmp_path / "3", IDENTIFIERS, ids))
    _nothing_received(exchange)


def test_prepare_refuses_keys_the_kit_was_not_made_for(exchange: Exchange, tmp_path: Path
                                                       ) -> None:
    private, _ = agreement.generate_keys(PARTNER, tmp_path / "other")
    with pytest.raises(PartnerKeyError, match="key check does not match"):
        kit.prepare(exchange.contract, agreement.load_keys(private), exchange.kit,
                    tmp_path / "out")
    private, _ = agreement.generate_keys("benefits", tmp_path / "third")
    with pytest.raises(PartnerKeyError, match="the kit is for partner 'education'"):
        kit.prepare(exchange.contract, agreement.load_keys(private), exchange.kit,
                    tmp_path / "out")


def test_roles_are_checked_on_every_step(exchange: Exchange, tmp_path: Path) -> None:
    result = exchange.prepare()
    with pytest.raises(PermissionDenied, match="needs the linkage_officer role"):
        receive(exchange.home, by=exchange.staff.admin, partner=PARTNER,
                folders=[result.identifiers, result.attributes])
    _, public = agreement.generate_keys("benefits", tmp_path / "b")
    with pytest.raises(PermissionDenied, match="needs the administrator role"):
        registry.add_partner(exchange.home, by=exchange.staff.officer, name="benefits",
                             organisation="DWP", public=agreement.read_public(public))
    with pytest.raises(PermissionDenied):
        registry.retire_partner(exchange.home, by=exchange.staff.officer, name=PARTNER,
                                reason="no")
    assert len(_refusals(exchange)) == 3
    _nothing_received(exchange)


def test_registering_lists_every_problem_at_once(exchange: Exchange, tmp_path: Path) -> None:
    _, public = agreement.generate_keys("benefits", tmp_path / "b")
    with pytest.raises(InvalidForm) as caught:
        registry.add_partner(exchange.home, by=exchange.staff.admin, name="Bad Name!",
                             organisation=" ", public=agreement.read_public(public))
    text = str(caught.value)
    assert "lower-case letters" in text and "made for 'benefits'" in text
    assert "name the department" in text
    with pytest.raises(InvalidForm, match="already registered"):
        _, again = agreement.generate_keys(PARTNER, tmp_path / "again")
        registry.add_partner(exchange.home, by=exchange.staff.admin, name=PARTNER,
                             organisation="DfE", public=agreement.read_public(again))


def test_a_retired_partner_is_refused_and_its_keys_shredded(exchange: Exchange) -> None:
    result = exchange.prepare()
    registry.retire_partner(exchange.home, by=exchange.staff.admin, name=PARTNER,
                            reason="agreement ended")
    assert not any(exchange.home.keys.has_key(k) for k in registry.key_names(PARTNER).values())
    with pytest.raises(PartnerPackageRefused, match="retired"):
        _receive(exchange, result.identifiers, result.attributes)
    _nothing_received(exchange)


def test_the_kit_can_be_written_again_and_is_the_same(exchange: Exchange, tmp_path: Path
                                                      ) -> None:
    again = registry.partner_kit(exchange.home, by=exchange.staff.officer, name=PARTNER)
    assert again == exchange.kit
    path = agreement.write_kit(again, tmp_path)
    assert agreement.read_kit(path) == exchange.kit
    broken = tmp_path / "broken.kit.json"
    shutil.copy(path, broken)
    broken.write_text(broken.read_text().replace('"key_check"', '"key_chek"'))
    with pytest.raises(PartnerKeyError, match="not a complete partner kit"):
        agreement.read_kit(broken)
