"""Files encrypted at rest: round trips at every segment boundary, and any alteration (bit flip,
truncation, reordering, splicing, wrong key or purpose) raises KeyMaterialError."""

from __future__ import annotations

import struct
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fivesafes.encrypted_files as ef
from fivesafes.encrypted_files import EncryptedWriter, read_encrypted
from fivesafes.errors import KeyMaterialError
from fivesafes.keys import new_key

SEG = 16  # small segments so that several fit in a few bytes
HEADER = ef._HEADER.size
FRAME = 4 + SEG + 16  # length prefix + ciphertext of a full segment + GCM tag


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(ef, "SEGMENT_SIZE", SEG)
    return SEG


@pytest.fixture
def key() -> bytes:
    return new_key()


def _write(path: Path, key: bytes, data: bytes, associated: bytes = b"",
           chunk: int | None = None) -> Path:
    with EncryptedWriter(path, key, associated) as writer:
        if chunk is None:
            assert writer.write(data) == len(data)
        else:
            for i in range(0, len(data), chunk):
                writer.write(data[i:i + chunk])
        assert writer.tell() == len(data)
    return path


def _segments(blob: bytes) -> list[bytes]:
    """Split a file into its framed segments (length prefix included)."""
    out, pos = [], HEADER
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        out.append(blob[pos:pos + 4 + length])
        pos += 4 + length
    return out


@pytest.mark.parametrize(
    "size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 5, 10 * SEG],
)
def test_round_trip_at_segment_boundaries(tmp_path: Path, key: bytes, small_segments: int,
                                          size: int) -> None:
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    path = _write(tmp_path / "f.enc", key, data, b"purpose")
    assert read_encrypted(path, key, b"purpose") == data
    # one segment per started SEG bytes, and always at least the final one
    expected_segments = max(1, -(-size // SEG))
    assert len(_segments(path.read_bytes())) == expected_segments


@pytest.mark.parametrize("chunk", [1, 5, SEG, SEG + 3])
def test_round_trip_written_in_pieces(tmp_path: Path, key: bytes, small_segments: int,
                                      chunk: int) -> None:
    data = bytes(range(256)) * 2
    path = _write(tmp_path / "f.enc", key, data, chunk=chunk)
    assert read_encrypted(path, key) == data
    assert len(_segments(path.read_bytes())) == len(data) // SEG


def test_round_trip_with_default_segment_size(tmp_path: Path, key: bytes) -> None:
    data = b"record " * 1000
    assert read_encrypted(_write(tmp_path / "f.enc", key, data), key) == data


def test_writer_accepts_buffers_of_any_kind(tmp_path: Path, key: bytes) -> None:
    import array

    path = tmp_path / "f.enc"
    with EncryptedWriter(path, key) as writer:
        writer.write(bytearray(b"ab"))
        writer.write(memoryview(b"cd"))
        writer.write(array.array("H", [0x4645]))  # two bytes, little or big endian
    plain = read_encrypted(path, key)
    assert plain[:4] == b"abcd" and len(plain) == 6


def test_plaintext_never_appears_in_the_file(tmp_path: Path, key: bytes,
                                             small_segments: int) -> None:
    secret = b"SMITH,JOHN,1980-02-29,AB12CDE"
    path = _write(tmp_path / "f.enc", key, secret * 4)
    blob = path.read_bytes()
    for piece in (secret, b"SMITH", b"AB12CDE", b"1980-02-29"):
        assert piece not in blob


def test_same_plaintext_encrypts_differently_each_time(tmp_path: Path, key: bytes) -> None:
    one = _write(tmp_path / "1.enc", key, b"same").read_bytes()
    two = _write(tmp_path / "2.enc", key, b"same").read_bytes()
    assert one != two


def test_every_bit_flip_is_detected_outside_the_final_length(
    tmp_path: Path, key: bytes, small_segments: int
) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(range(40)), b"purpose")
    blob = path.read_bytes()
    final_length_field = range(HEADER + 2 * FRAME, HEADER + 2 * FRAME + 4)
    tampered = tmp_path / "t.enc"
    undetected = []
    for bit in range(len(blob) * 8):
        if bit // 8 in final_length_field:
            continue
        changed = bytearray(blob)
        changed[bit // 8] ^= 1 << (bit % 8)
        tampered.write_bytes(changed)
        try:
            read_encrypted(tampered, key, b"purpose")
        except KeyMaterialError:
            continue
        undetected.append(bit)
    assert undetected == []


def test_bit_flip_in_the_final_length_is_detected(tmp_path: Path, key: bytes,
                                                  small_segments: int) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(range(40)))
    blob = path.read_bytes()
    start = HEADER + 2 * FRAME
    undetected = []
    for bit in range(32):
        changed = bytearray(blob)
        changed[start + bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(changed)
        try:
            read_encrypted(path, key)
        except KeyMaterialError:
            continue
        undetected.append(bit)
    assert undetected == []


def test_dropped_last_segment_is_detected(tmp_path: Path, key: bytes,
                                          small_segments: int) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(3 * SEG + 4))
    blob = path.read_bytes()
    segments = _segments(blob)
    assert len(segments) == 4
    path.write_bytes(blob[: len(blob) - len(segments[-1])])
    with pytest.raises(KeyMaterialError, match="cannot be decrypted"):
        read_encrypted(path, key)


def test_file_ending_exactly_on_a_full_segment_is_still_truncation(
    tmp_path: Path, key: bytes, small_segments: int
) -> None:
    # 2*SEG bytes: the final segment is full, so dropping it leaves a plausible-looking file
    path = _write(tmp_path / "f.enc", key, bytes(2 * SEG))
    blob = path.read_bytes()
    path.write_bytes(blob[: HEADER + FRAME])
    with pytest.raises(KeyMaterialError):
        read_encrypted(path, key)


@pytest.mark.parametrize("keep", [0, 3, HEADER - 1, HEADER, HEADER + 2, HEADER + FRAME - 1])
def test_cut_anywhere_is_detected(tmp_path: Path, key: bytes, small_segments: int,
                                  keep: int) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(2 * SEG + 1))
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(KeyMaterialError):
        read_encrypted(path, key)


def test_appended_bytes_are_detected(tmp_path: Path, key: bytes, small_segments: int) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(SEG + 1))
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(KeyMaterialError):
        read_encrypted(path, key)


def test_swapped_segments_are_detected(tmp_path: Path, key: bytes, small_segments: int) -> None:
    path = _write(tmp_path / "f.enc", key, bytes(range(3 * SEG + 2)))
    blob = path.read_bytes()
    first, second, *rest = _segments(blob)
    path.write_bytes(blob[:HEADER] + second + first + b"".join(rest))
    with pytest.raises(KeyMaterialError, match="cannot be decrypted"):
        read_encrypted(path, key)


def test_segment_spliced_from_another_file_is_detected(tmp_path: Path, key: bytes,
                                                       small_segments: int) -> None:
    one = _write(tmp_path / "1.enc", key, b"a" * (2 * SEG + 1)).read_bytes()
    two = _write(tmp_path / "2.enc", key, b"b" * (2 * SEG + 1)).read_bytes()
    mixed = one[:HEADER] + _segments(one)[0] + _segments(two)[1] + _segments(one)[2]
    (tmp_path / "m.enc").write_bytes(mixed)
    with pytest.raises(KeyMaterialError):
        read_encrypted(tmp_path / "m.enc", key)


def test_wrong_key_is_detected(tmp_path: Path, key: bytes) -> None:
    path = _write(tmp_path / "f.enc", key, b"identifiers")
    with pytest.raises(KeyMaterialError, match="wrong key"):
        read_encrypted(path, new_key())


def test_wrong_associated_data_is_detected(tmp_path: Path, key: bytes) -> None:
    path = _write(tmp_path / "f.enc", key, b"identifiers", b"identifiers/ingest-1/courts")
    for other in (b"", b"identifiers/ingest-2/courts", b"identifiers/ingest-1/court"):
        with pytest.raises(KeyMaterialError):
            read_encrypted(path, key, other)
    assert read_encrypted(path, key, b"identifiers/ingest-1/courts") == b"identifiers"


def test_not_an_encrypted_file(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(b"name,dob\nSMITH,1980-01-01\n")
    with pytest.raises(KeyMaterialError, match="not a fivesafes encrypted file"):
        read_encrypted(path, key)


def test_error_messages_never_contain_the_key(tmp_path: Path, key: bytes) -> None:
    path = _write(tmp_path / "f.enc", key, b"data")
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(KeyMaterialError) as caught:
        read_encrypted(path, key)
    message = str(caught.value)
    assert key.hex() not in message and repr(key) not in message
    assert str(path) in message


def test_parquet_through_the_writer(tmp_path: Path, key: bytes) -> None:
    table = pa.table({
        "record_key": [f"r{i:05d}" for i in range(5000)],
        "offence_group": ["theft", "fraud", None, "violence", "drugs"] * 1000,
        "sentence_days": list(range(5000)),
    })
    path = tmp_path / "attributes.parquet.enc"
    with EncryptedWriter(path, key, b"attributes/ingest-1") as writer:
        pq.write_table(table, writer, row_group_size=1000)
    assert b"PAR1" not in path.read_bytes()
    plain = read_encrypted(path, key, b"attributes/ingest-1")
    assert plain[:4] == b"PAR1"
    back = pq.read_table(pa.BufferReader(plain))
    assert back.equals(table)


def test_parquet_spanning_many_segments(tmp_path: Path, key: bytes,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ef, "SEGMENT_SIZE", 4096)
    table = pa.table({"n": list(range(20_000)), "s": [str(i) * 3 for i in range(20_000)]})
    path = tmp_path / "t.enc"
    with EncryptedWriter(path, key) as writer:
        pq.write_table(table, writer, compression="none")
    assert len(_segments(path.read_bytes())) > 10
    assert pq.read_table(pa.BufferReader(read_encrypted(path, key))).equals(table)
