import json

import pyarrow as pa
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519

from fivesafes.partner.encoding import EncodingParameters, key_check_value
from fivesafes.partner.packages import (
    ATTRIBUTES,
    IDENTIFIERS,
    MANIFEST,
    PAYLOAD,
    PartnerPackageRefused,
    open_package,
    write_package,
)

SECRET = bytes(range(32))
PARAMS = EncodingParameters()
HOME, SIGNER = x25519.Identity.generate(), Ed25519PrivateKey.generate()


def _ids() -> pa.Table:
    return pa.table({"record_id": ["r1"], "forename_bf": [b"\x01"], "surname_bf": [b"\x02"],
                     "dob_hash": ["a"], "sex_hash": ["b"], "postcode_district_hash": ["c"]})


def _write(tmp_path, table=None, kind=IDENTIFIERS, recipient=None):
    return write_package(tmp_path, kind=kind, table=table if table is not None else _ids(),
                         recipient=recipient or HOME.to_public(), signer=SIGNER,
                         partner="education", parameters=PARAMS,
                         key_check=key_check_value(SECRET))


def _open(folder, **kw):
    args = dict(sender=SIGNER.public_key(), identity=HOME, key_check=key_check_value(SECRET))
    return open_package(folder, **(args | kw))


def test_a_good_package_opens(tmp_path) -> None:
    manifest, table = _open(_write(tmp_path))
    assert manifest["kind"] == IDENTIFIERS and table.num_rows == 1
    assert SECRET.hex() not in (tmp_path.glob("*/package.json").__next__()).read_text()


def test_wrong_recipient(tmp_path) -> None:
    folder = _write(tmp_path, recipient=x25519.Identity.generate().to_public())
    with pytest.raises(PartnerPackageRefused, match="identity"):
        _open(folder)


def test_tampered_payload_and_manifest(tmp_path) -> None:
    folder = _write(tmp_path)
    (folder / PAYLOAD).write_bytes((folder / PAYLOAD).read_bytes() + b"x")
    with pytest.raises(PartnerPackageRefused, match="payload"):
        _open(folder)
    other = _write(tmp_path)
    manifest = json.loads((other / MANIFEST).read_text())
    manifest["rows"] = 2
    (other / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(PartnerPackageRefused, match="signed"):
        _open(other)


def test_forged_signer(tmp_path) -> None:
    with pytest.raises(PartnerPackageRefused, match="signed"):
        _open(_write(tmp_path), sender=Ed25519PrivateKey.generate().public_key())


def test_mixed_packages_are_refused(tmp_path) -> None:
    mixed = _ids().append_column("school", pa.array(["x"]))
    with pytest.raises(PartnerPackageRefused, match="school"):
        _open(_write(tmp_path, mixed))
    attrs = pa.table({"record_id": ["r1"], "school": ["x"], "surname_bf": [b"\x01"]})
    with pytest.raises(PartnerPackageRefused, match="surname_bf"):
        _open(_write(tmp_path, attrs, kind=ATTRIBUTES))


def test_replayed_package(tmp_path) -> None:
    folder = _write(tmp_path)
    manifest, _ = _open(folder)
    with pytest.raises(PartnerPackageRefused, match="already"):
        _open(folder, received={manifest["package_id"]})


def test_wrong_linkage_key(tmp_path) -> None:
    with pytest.raises(PartnerPackageRefused, match="another linkage key"):
        _open(_write(tmp_path), key_check=key_check_value(bytes(32)))
