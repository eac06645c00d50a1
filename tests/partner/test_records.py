"""encode_table: standardised rows to encoded rows, the same on the partner's side and here."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from fivesafes.partner.encoding import Encoder, EncodingParameters, dice
from fivesafes.partner.records import encode_table, record_fields

SECRET = bytes(range(32))


def _encoder(**overrides: object) -> Encoder:
    return Encoder(SECRET, EncodingParameters(**overrides), rng=np.random.default_rng(7))


def _table() -> pa.Table:
    return pa.table({
        "record_key": ["k1", "k2", "k3"],
        "forename": ["JOHN", "JON", None],
        "surname": ["SMITH", "SMITH", "JONES"],
        "dob": [date(1980, 5, 1), date(1980, 5, 1), None],
        "sex": ["M", "M", None],
        "postcode_district": ["AB1", "AB1", "ZZ9"],
        "unused": [1, 2, 3],
    })


def test_record_fields_derive_the_birth_year_salt() -> None:
    fields = record_fields({"dob": date(1980, 5, 1), "forename": "JOHN"})
    assert fields["dob"] == "1980-05-01" and fields["birth_year"] == "1980"
    assert fields["surname"] is None
    assert record_fields({"dob": None})["birth_year"] is None


def test_encoded_table_has_the_key_and_the_encoded_columns_only() -> None:
    out = encode_table(_table(), _encoder(blip_probability=0.0))
    assert out.column_names == ["record_key", "forename_bf", "surname_bf", "dob_hash",
                                "sex_hash", "postcode_district_hash"]
    assert out.schema.field("forename_bf").type == pa.binary()
    rows = out.to_pylist()
    assert rows[2]["forename_bf"] is None and rows[2]["dob_hash"] is None
    assert rows[0]["dob_hash"] == rows[1]["dob_hash"]
    assert rows[0]["postcode_district_hash"] != rows[2]["postcode_district_hash"]
    # a salt of the same birth year: similar names stay similar, equal names equal
    assert rows[0]["surname_bf"] == rows[1]["surname_bf"]
    assert 0.6 < dice(rows[0]["forename_bf"], rows[1]["forename_bf"]) < 1.0


def test_both_sides_agree_under_the_same_secret_and_not_under_another() -> None:
    ours = encode_table(_table(), _encoder(blip_probability=0.0)).to_pylist()
    theirs = encode_table(_table(), _encoder(blip_probability=0.0)).to_pylist()
    assert ours == theirs
    other = Encoder(bytes(32), EncodingParameters(blip_probability=0.0))
    foreign = encode_table(_table(), other).to_pylist()
    assert foreign[0]["dob_hash"] != ours[0]["dob_hash"]
    assert dice(foreign[0]["surname_bf"], ours[0]["surname_bf"]) < 0.8


def test_a_batch_encodes_exactly_as_one_record_at_a_time() -> None:
    encoder = _encoder(blip_probability=0.0)
    table = _table()
    batched = encode_table(table, encoder, batch_rows=2).to_pylist()
    one_by_one = [encoder.encode(record_fields(row)) for row in table.to_pylist()]
    for got, want in zip(batched, one_by_one, strict=True):
        assert {k: v for k, v in got.items() if k != "record_key"} == want
    values = ["SMITH", None, "", "O'NEIL"]
    assert encoder.bloom_many("surname", values, ["1980", "1980", "", "2001"]) == [
        encoder.bloom("surname", v, s) for v, s in zip(values, ["1980", "1980", "", "2001"],
                                                     strict=True)]
