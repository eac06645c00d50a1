"""Phonetic keys."""

from __future__ import annotations

import pytest

from fivesafes.standardise.names import clean_name
from fivesafes.standardise.phonetic import phonetic_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Catherine", "Katherine"),
        ("Smith", "Smyth"),
        ("Mohammed", "Muhammad"),
        ("McDonald", "Mc Donald"),
        ("Stephen", "Steven"),
        ("Phillips", "Philips"),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(clean_name(a)) == phonetic_key(clean_name(b))


def test_keys_differ_for_different_names() -> None:
    assert phonetic_key("SMITH") != phonetic_key("JONES")


def test_empty_names_have_no_key() -> None:
    assert phonetic_key(None) is None
    assert phonetic_key("") is None
    assert phonetic_key("SMITH-JONES") == phonetic_key("SMITHJONES")
