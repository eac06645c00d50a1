import numpy as np
import pytest

from fivesafes.partner.encoding import (
    Encoder,
    EncodingError,
    EncodingParameters,
    dice,
    key_check_value,
    new_linkage_secret,
    qgrams,
)

SECRET = bytes(range(32))


def test_qgrams_are_padded() -> None:
    assert qgrams("ann") == ["_a", "an", "nn", "n_"]


def test_same_input_and_key_give_the_same_bits() -> None:
    params = EncodingParameters(blip_probability=0.0)
    a = Encoder(SECRET, params).bloom("surname", "smith", "1980")
    assert a == Encoder(SECRET, params).bloom("surname", "smith", "1980")
    assert a != Encoder(new_linkage_secret(), params).bloom("surname", "smith", "1980")


def test_dice_of_similar_names_is_higher_than_of_different_names() -> None:
    enc = Encoder(SECRET, EncodingParameters.plain())
    smith, smyth, patel = (enc.bloom("surname", n) for n in ("smith", "smyth", "patel"))
    assert dice(smith, smyth) > 0.5 > dice(smith, patel)


def test_blip_keeps_true_matches_close() -> None:
    enc = Encoder(SECRET, EncodingParameters(), rng=np.random.default_rng(3))
    a, b = enc.bloom("surname", "smith", "1980"), enc.bloom("surname", "smith", "1980")
    assert a != b and dice(a, b) > 0.9


def test_parameters_round_trip_through_the_manifest() -> None:
    params = EncodingParameters(clk=True, q=3)
    assert EncodingParameters.from_manifest(params.to_manifest()) == params
    with pytest.raises(EncodingError):
        EncodingParameters.from_manifest({"q": 9})


def test_check_value_differs_by_key_and_hides_it() -> None:
    other = new_linkage_secret()
    assert key_check_value(SECRET) != key_check_value(other)
    assert SECRET.hex() not in key_check_value(SECRET)


def test_exact_fields_are_keyed_hashes() -> None:
    enc = Encoder(SECRET, EncodingParameters())
    out = enc.encode({"surname": "smith", "forename": "ann", "dob": "1980-01-02", "sex": "F",
                      "postcode_district": "SW1A", "birth_year": 1980})
    assert set(out) == {"forename_bf", "surname_bf", "dob_hash", "sex_hash",
                        "postcode_district_hash"}
    assert "1980" not in out["dob_hash"]
