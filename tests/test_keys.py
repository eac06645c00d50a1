"""Key material: the master key, wrapped keys, shredding, and the promise that no secret ever
reaches an output, an audit entry or an error message."""

from __future__ import annotations

import base64
import os
import stat
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from fivesafes import cli
from fivesafes.cli import main
from fivesafes.errors import KeyMaterialError
from fivesafes.keys import KEY_BYTES, MASTER_KEY_FILE, RECORD_KEY_SECRET, KeyRing, new_key
from tests.tampering import lift_append_only_guard


@pytest.fixture
def ring(tmp_path: Path) -> KeyRing:
    keys = KeyRing(tmp_path / "home" / "linkage" / "keys")
    keys.create_master_key()
    return keys


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the master key ---------------------------------------------------------------------------
def test_master_key_is_private_random_and_well_formed(tmp_path: Path) -> None:
    one, two = KeyRing(tmp_path / "a" / "keys"), KeyRing(tmp_path / "b" / "keys")
    one.create_master_key()
    two.create_master_key()
    path = one.folder / MASTER_KEY_FILE
    assert _mode(path) == 0o600
    assert _mode(one.folder) == 0o700
    text = path.read_bytes()
    assert text.endswith(b"\n")
    assert len(base64.b64decode(text.strip(), validate=True)) == KEY_BYTES
    assert text != (two.folder / MASTER_KEY_FILE).read_bytes()


def test_master_key_is_never_replaced(ring: KeyRing) -> None:
    path = ring.folder / MASTER_KEY_FILE
    before = path.read_bytes()
    with pytest.raises(KeyMaterialError, match="never replaced"):
        ring.create_master_key()
    assert path.read_bytes() == before
    # nor by a fresh key ring on the same folder
    with pytest.raises(KeyMaterialError, match="never replaced"):
        KeyRing(ring.folder).create_master_key()
    assert path.read_bytes() == before


def test_missing_master_key(tmp_path: Path) -> None:
    keys = KeyRing(tmp_path / "keys")
    with pytest.raises(KeyMaterialError, match="master key missing"):
        keys.audit_seal_key()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o601, 0o610])
def test_master_key_readable_by_others_is_refused(ring: KeyRing, mode: int) -> None:
    path = ring.folder / MASTER_KEY_FILE
    os.chmod(path, mode)
    with pytest.raises(KeyMaterialError) as caught:
        KeyRing(ring.folder).audit_seal_key()
    assert f"chmod 600 {path}" in str(caught.value)
    assert f"{mode:o}" in str(caught.value)


def test_master_key_owner_read_only_is_accepted(ring: KeyRing) -> None:
    expected = ring.audit_seal_key()
    os.chmod(ring.folder / MASTER_KEY_FILE, 0o400)
    assert KeyRing(ring.folder).audit_seal_key() == expected


@pytest.mark.parametrize(
    "content",
    [b"", b"not base64 at all!\n", base64.b64encode(b"short") + b"\n",
     base64.b64encode(bytes(KEY_BYTES + 1)) + b"\n"],
    ids=["empty", "garbage", "short", "long"],
)
def test_damaged_master_key_is_refused(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    path = folder / MASTER_KEY_FILE
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(KeyMaterialError, match="not a fivesafes master key"):
        KeyRing(folder).audit_seal_key()


def test_audit_seal_key_is_derived_not_the_master(ring: KeyRing, tmp_path: Path) -> None:
    master = base64.b64decode((ring.folder / MASTER_KEY_FILE).read_bytes().strip())
    seal = ring.audit_seal_key()
    assert len(seal) == KEY_BYTES and seal != master
    assert KeyRing(ring.folder).audit_seal_key() == seal
    other = KeyRing(tmp_path / "other")
    other.create_master_key()
    assert other.audit_seal_key() != seal


# -- wrapped keys -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [16, 24, 32, 64])
def test_wrap_unwrap_round_trip(ring: KeyRing, size: int) -> None:
    key = os.urandom(size)
    path = ring.store_key("ingest-0001", key)
    assert path == ring.folder / "ingest-0001.wrapped"
    assert _mode(path) == 0o600
    stored = path.read_bytes()
    assert key not in stored and len(stored) == size + 8
    assert ring.has_key("ingest-0001")
    assert KeyRing(ring.folder).load_key("ingest-0001") == key


def test_key_staged_in_another_folder_loads_once_moved(ring: KeyRing, tmp_path: Path) -> None:
    key = new_key()
    staging = tmp_path / "work" / "run-1" / "keys"
    staged = ring.store_key("ingest_0002", key, folder=staging)
    assert staged.parent == staging and _mode(staging) == 0o700
    assert not ring.has_key("ingest_0002")
    staged.rename(ring.folder / staged.name)
    assert ring.load_key("ingest_0002") == key


def test_stored_key_is_never_overwritten(ring: KeyRing) -> None:
    first = new_key()
    ring.store_key("ingest-0003", first)
    with pytest.raises((FileExistsError, KeyMaterialError)):
        ring.store_key("ingest-0003", new_key())
    assert ring.load_key("ingest-0003") == first


def test_secret_is_created_once(ring: KeyRing) -> None:
    ring.create_secret(RECORD_KEY_SECRET)
    secret = ring.load_key(RECORD_KEY_SECRET)
    assert len(secret) == KEY_BYTES
    with pytest.raises(KeyMaterialError, match="never replaced"):
        ring.create_secret(RECORD_KEY_SECRET)
    assert ring.load_key(RECORD_KEY_SECRET) == secret


@pytest.mark.parametrize("name", ["../master", "a/b", "", "a.b", "a b", "key\x00", ".."])
def test_key_names_cannot_escape_the_folder(ring: KeyRing, name: str) -> None:
    with pytest.raises(ValueError):
        ring.store_key(name, new_key())
    with pytest.raises(ValueError):
        ring.load_key(name)


def test_missing_key_has_a_clear_message(ring: KeyRing) -> None:
    with pytest.raises(KeyMaterialError, match="'ingest-9' does not exist"):
        ring.load_key("ingest-9")


def test_shredded_key_cannot_be_loaded_and_its_file_is_gone(ring: KeyRing) -> None:
    keep, doomed = new_key(), new_key()
    ring.store_key("keep", keep)
    path = ring.store_key("doomed", doomed)
    original = path.read_bytes()
    witness = path.with_name("witness")  # a second name for the same bytes on disk
    os.link(path, witness)
    ring.shred("doomed")
    assert not path.exists()
    assert not ring.has_key("doomed")
    with pytest.raises(KeyMaterialError, match="shredded"):
        ring.load_key("doomed")
    # the bytes were overwritten in place before the name was removed
    leftover = witness.read_bytes()
    assert len(leftover) == len(original) and leftover != original
    assert ring.load_key("keep") == keep
    ring.shred("doomed")  # shredding twice is harmless


def test_another_homes_master_key_cannot_unwrap(ring: KeyRing, tmp_path: Path) -> None:
    ring.store_key("ingest-0001", new_key())
    other = KeyRing(tmp_path / "other" / "keys")
    other.create_master_key()
    (other.folder / "ingest-0001.wrapped").write_bytes(
        (ring.folder / "ingest-0001.wrapped").read_bytes()
    )
    with pytest.raises(KeyMaterialError, match="cannot be unwrapped with this home's master key"):
        other.load_key("ingest-0001")


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "extend"])
def test_damaged_wrapped_key_is_refused(ring: KeyRing, damage: str) -> None:
    key = new_key()
    path = ring.store_key("ingest-0001", key)
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[5] ^= 0x10
    elif damage == "truncate":
        blob = blob[:-8]
    elif damage == "empty":
        blob = bytearray()
    else:
        blob += bytes(8)
    path.write_bytes(bytes(blob))
    with pytest.raises(KeyMaterialError) as caught:
        ring.load_key("ingest-0001")
    assert key.hex() not in str(caught.value)


# -- secrets never reach an output ------------------------------------------------------------
@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.err_console, "width", 250)


def _run(args: list[str]) -> Result:
    env = {"COLUMNS": "250", "FIVESAFES_ACTOR": "admin", "FIVESAFES_HOME": None,
           "FIVESAFES_DB_URL": None}
    result = CliRunner().invoke(main, args, env=env)
    if args[:1] == ["init"] and result.exit_code == 0:  # bootstrap the first administrator
        admin = CliRunner().invoke(
            main, ["admin", "create", "admin", "--name", "Ada Admin", "--email", "a@example.org",
                   "--password-stdin", "--home", args[1]], input="a long test passphrase 42\n",
            env=env)
        assert admin.exit_code == 0, admin.output
        login = CliRunner().invoke(main, ["login", "admin", "--password-stdin", "--home", args[1]],
                                   input="a long test passphrase 42\n", env=env)
        assert login.exit_code == 0, login.output
    return result


def _text_of(result: Result) -> str:
    parts = [result.output, result.stderr]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        parts.append("".join(traceback.format_exception(result.exception)))
    elif result.exception is not None:
        parts.append(str(result.exception))
    return "\n".join(parts)


def _forms(secret: bytes) -> list[str]:
    return [
        base64.b64encode(secret).decode(), base64.urlsafe_b64encode(secret).decode(),
        secret.hex(), secret.hex().upper(), secret.decode("latin-1"), repr(secret)[2:-1],
    ]


def test_no_secret_in_any_output_entry_or_error(tmp_path: Path, db_url: str,
                                                wide_console: None) -> None:
    home = tmp_path / "home"
    texts: list[str] = []
    result = _run(["init", str(home), "--db-url", db_url])
    assert result.exit_code == 0, _text_of(result)
    texts.append(_text_of(result))

    keys = KeyRing(home / "linkage" / "keys")
    master_file = keys.folder / MASTER_KEY_FILE
    master_text = master_file.read_bytes()
    master = base64.b64decode(master_text.strip())
    record_secret = keys.load_key(RECORD_KEY_SECRET)
    secrets_ = {"master": master, "record-key": record_secret, "seal": keys.audit_seal_key()}

    for args in (
        ["audit", "verify", "--home", str(home)],
        ["audit", "show", "--home", str(home)],
        ["audit", "show", "--home", str(home), "--json"],
        ["audit", "show", "--home", str(home), "--json", "--action", "home.*", "--last", "1"],
        ["db", "upgrade", "--home", str(home)],
        ["init", str(home)],  # fails: exists
        ["init", str(tmp_path / "second"), "--db-url", db_url],  # fails: store in use
        ["audit", "show", "--home", str(home), "--since", "yesterday"],  # fails: bad date
        ["--help"],
    ):
        texts.append(_text_of(_run(args)))

    # failures that involve the key files themselves
    os.chmod(master_file, 0o644)
    texts.append(_text_of(_run(["audit", "verify", "--home", str(home)])))
    texts.append(_text_of(_run(["db", "upgrade", "--home", str(home)])))
    os.chmod(master_file, 0o600)
    master_file.write_bytes(master_text.strip() + b"!!\n")
    texts.append(_text_of(_run(["audit", "verify", "--home", str(home)])))
    texts.append(_text_of(_run(["db", "upgrade", "--home", str(home)])))
    master_file.write_bytes(master_text)

    # tampering makes verify fail with a message
    engine = sa.create_engine(db_url)
    try:
        lift_append_only_guard(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_entry SET actor = :a WHERE seq = 1"),
                         {"a": "someone:else"})
        texts.append(_text_of(_run(["audit", "verify", "--home", str(home)])))
        with engine.connect() as conn:
            for table in ("audit_entry", "audit_head"):
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                assert rows
                texts.extend(repr(tuple(row)) for row in rows)
    finally:
        engine.dispose()
    texts.append((home / "fivesafes.toml").read_text())

    joined = "\n".join(texts)
    everything = joined + "\n" + "".join(joined.split())  # also across wrapped lines
    assert "error:" in everything and "FAILED verification" in everything  # failures ran
    for name, secret in secrets_.items():
        for form in _forms(secret):
            assert form not in everything, f"the {name} key appears in an output"
    assert master_text.strip().decode() not in everything
    if db_url.startswith("sqlite"):
        database = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        for secret in secrets_.values():
            assert secret not in database and secret.hex().encode() not in database
