"""Unit tests of the generator's parts: name lists, typos, postcodes, dates, codes."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fivesafes.synth import dates, names, offences, places, population
from fivesafes.synth.identity import postcode_typo, typo
from fivesafes.synth.systems.family_court import latin1
from fivesafes.synth.writer import contract_toml

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")


def test_name_lists_are_large_and_varied() -> None:
    for sex in (0, 1):
        listed = [n for o in names.ORIGINS for n in names.forename_table(sex, o)[0]]
        assert len(set(listed)) >= 150
    surnames = names.all_surnames()
    assert len(surnames) >= 300
    for needed in ("O'Brien", "Smith-Jones", "Zoë", "Seán", "Renée"):
        assert needed in surnames or needed in names.all_forenames()
    weights = names.surname_weights(240)
    assert weights[0] > 10 * weights[-1] and np.isclose(weights.sum(), 1)


def test_nickname_groups() -> None:
    variants = names.variant_map()
    assert len(names.NICKNAME_GROUPS.strip().splitlines()) >= 60
    assert "Bill" in variants["William"] and "William" in variants["Liam"]
    assert "Peggy" in variants["Margaret"] and "Bob" in variants["Robert"]
    assert "Steven" in variants["Stephen"] and "Kate" in variants["Catherine"]
    assert all(name not in others for name, others in variants.items())


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'-", min_size=1, max_size=20),
    st.integers(0, 3),
    st.floats(0, 0.999),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
)
def test_a_typo_changes_a_name_by_one_edit(text: str, op: int, where: float, letter: str) -> None:
    changed = typo(text, op, where, letter)
    assert changed != text or len(set(text)) == 1
    assert abs(len(changed) - len(text)) <= 1


def test_typo_kinds() -> None:
    assert typo("Smith", 0, 0.4, "x") == "Smxith"
    assert typo("Smith", 1, 0.4, "x") == "Smth"
    assert typo("Smith", 2, 0.4, "x") == "Smxth"
    assert typo("Smith", 3, 0.4, "x") == "Smtih"
    assert typo("SMITH", 2, 0.0, "q") == "QMITH"


def test_postcode_typos_stay_valid() -> None:
    for where in range(3):
        for pick in range(25):
            changed = postcode_typo("LS6 2AB", where, pick)
            assert POSTCODE.match(changed) and changed != "LS6 2AB"


def test_addresses_and_postcodes_are_well_formed() -> None:
    rng = np.random.default_rng(1)
    region, town = population._draw_towns(rng, 2000)
    book = population._addresses_in(rng, region, town)
    assert all(POSTCODE.match(p) for p in book.postcode)
    areas = Counter(re.match(r"[A-Z]+", p).group(0) for p in book.postcode)
    assert len(areas) >= 40
    assert all(re.fullmatch(r"(Flat \d+, )?\d+ [A-Z][A-Za-z' ]+", a) for a in book.line1)
    outwards = {o for _, t in places.towns() for o in t.outwards}
    assert {"SW1A", "EC1A", "W1A", "E1W", "M1", "B33", "LS6", "CF10"} <= outwards


def test_latin1_folding() -> None:
    assert latin1("Zoë") == "Zoë"
    assert latin1("Łukasz") == "Lukasz"
    assert latin1("Wiśniewski") == "Wisniewski"
    assert latin1("Dvořák") == "Dvorák"
    for name in names.all_forenames() + names.all_surnames():
        latin1(name).encode("latin-1")


def test_dates_round_trip_and_format() -> None:
    days = np.array([dates.day("1990-02-28"), dates.day("2000-02-29"), dates.day("2024-12-31")])
    y, m, d = dates.to_ymd(days)
    assert list(y) == [1990, 2000, 2024] and list(m) == [2, 2, 12] and list(d) == [28, 29, 31]
    assert (dates.from_ymd(y, m, d) == days).all()
    assert list(dates.format_days(days, "%d/%m/%Y")) == ["28/02/1990", "29/02/2000", "31/12/2024"]
    assert list(dates.format_days(np.array([dates.NO_DATE]), "%Y%m%d")) == [""]
    assert dates.add_years(np.array([dates.day("2000-02-29")]), 1)[0] == dates.day("2001-02-28")
    born = np.array([dates.day("2000-06-15")])
    assert dates.age_on(born, np.array([dates.day("2018-06-14")]))[0] == 17
    assert dates.age_on(born, np.array([dates.day("2018-06-15")]))[0] == 18
    assert dates.render("%d/%m/%Y", 1990, 2, 31) == "31/02/1990"


def test_operational_numbers_are_unique_and_well_formed() -> None:
    rng = np.random.default_rng(2)
    numbers = population.prison_numbers(rng, 5000)
    assert len(set(numbers)) == 5000
    assert all(re.fullmatch(r"[AG]\d{4}[A-Z]{2}", n) for n in numbers)
    refs = population.crns(rng, 5000)
    assert len(set(refs)) == 5000 and all(re.fullmatch(r"[A-Z]\d{6}", r) for r in refs)


def test_offence_hierarchy() -> None:
    table = offences.offences()
    assert 55 <= len(table) <= 90
    assert len({o.group for o in table}) >= 12
    assert set(offences.CATEGORIES) == {o.category for o in table}
    assert len({o.code for o in table}) == len(table)
    assert np.isclose(offences.probabilities().sum(), 1)
    by_name = {o.offence: o for o in table}
    assert by_name["theft from a shop"].group == "theft offences"
    assert by_name["common assault"].category == "violent"
    assert by_name["possession of cannabis"].group == "drug offences"


def test_contract_toml_uses_array_of_tables_headers() -> None:
    contract = {
        "source": [
            {
                "name": "x",
                "owner": "MoJ",
                "record_id": "id",
                "file": {"path": "../extracts/x.csv", "format": "csv"},
                "identifier": [
                    {"column": "g", "role": "sex", "codes": {"M": "male", "F": "female"}}
                ],
                "attribute": [{"column": "a", "type": "string", "sensitivity": "other"}],
            }
        ]
    }
    text = contract_toml(contract)
    assert (
        '[[source.identifier]]\ncolumn = "g"\nrole = "sex"\ncodes = { M = "male", F = "female" }'
        in text
    )
    assert "[[source.attribute]]" in text
