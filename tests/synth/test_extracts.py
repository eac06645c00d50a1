"""Each extract as its real system would hold it, and the ground truth that goes with it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from fivesafes.synth import SynthSummary
from tests.synth.helpers import SOURCES, contract, expected_quarantine, read_extract, truth

POSTCODE_SPACED = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$")
POSTCODE_UNSPACED = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}$")


def _invalid_ids(out: Path, source: str) -> set[str]:
    return {row["record_id"] for row in expected_quarantine(out) if row["source"] == source}


def _valid(out: Path, source: str) -> dict[str, list[str]]:
    """The extract without the rows that are meant to be quarantined."""
    columns = read_extract(out, source)
    spec = contract(out, source)
    bad = _invalid_ids(out, source)
    keep = [i for i, r in enumerate(columns[spec["record_id"]]) if r and r not in bad]
    return {name: [values[i] for i in keep] for name, values in columns.items()}


def test_every_record_is_in_the_truth_and_nothing_else(out: Path) -> None:
    found = truth(out)
    for source in SOURCES:
        spec = contract(out, source)
        ids = read_extract(out, source)[spec["record_id"]]
        assert ids == [record for record, _ in found[source]], source


def test_record_ids_are_unique_with_at_most_one_empty(out: Path) -> None:
    for source in SOURCES:
        spec = contract(out, source)
        ids = read_extract(out, source)[spec["record_id"]]
        counts = Counter(ids)
        assert counts.pop("", 0) <= 1
        assert max(counts.values()) == 1, source


def test_sources_number_their_records_differently(out: Path) -> None:
    firsts = {}
    for source in SOURCES:
        spec = contract(out, source)
        firsts[source] = next(r for r in read_extract(out, source)[spec["record_id"]] if r)
    shapes = {re.sub(r"[0-9]", "9", r) for r in firsts.values()}
    assert len(shapes) == len(SOURCES)


def test_true_id_appears_nowhere_in_the_extracts(out: Path) -> None:
    found = truth(out)
    for source in SOURCES:
        columns = read_extract(out, source)
        true = [str(t) for _, t in found[source]]
        for name, values in columns.items():
            same = sum(v.strip() == t for v, t in zip(values, true, strict=True))
            assert same <= 0.01 * len(true), (source, name)


def test_people_appear_in_several_sources_and_several_times(synth: SynthSummary, out: Path):
    found = truth(out)
    sources_of: dict[int, set[str]] = defaultdict(set)
    per_source: dict[str, Counter[int]] = {s: Counter() for s in SOURCES}
    for source, rows in found.items():
        for _, true_id in rows:
            sources_of[true_id].add(source)
            per_source[source][true_id] += 1
    assert len(sources_of) == synth.people  # everyone has at least one record
    several = sum(len(s) >= 2 for s in sources_of.values())
    assert several >= 0.2 * synth.people
    assert any(len(s) >= 4 for s in sources_of.values())
    mags = per_source["magistrates"]
    assert sum(c >= 2 for c in mags.values()) >= 0.3 * len(mags)
    assert max(mags.values()) >= 10  # a few prolific people
    records = Counter(t for rows in found.values() for _, t in rows)
    ones_to_threes = sum(1 <= c <= 3 for c in records.values())
    assert ones_to_threes >= 0.5 * synth.people


def _dates(values: list[str], fmt: str) -> list[date | None]:
    return [datetime.strptime(v, fmt).date() if v else None for v in values]


def test_magistrates_formats(out: Path) -> None:
    cols = _valid(out, "magistrates")
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", v) for v in cols["dob"] if v)
    assert set(cols["gender"]) <= {"M", "F", "U"}
    names = [v.strip() for v in cols["defendant_name"]]
    assert all(re.fullmatch(r"[^,]+, +\S.*", v) for v in names)
    assert sum(v.split(",")[0] == v.split(",")[0].upper() for v in names) > 0.9 * len(names)
    with_postcode = [
        a for a in cols["address"] if POSTCODE_SPACED.match(" ".join(a.split()[-2:]).upper())
    ]
    assert len(with_postcode) > 0.9 * len(cols["address"])
    assert all("," in a for a in cols["address"])
    hearing = _dates(cols["hearing_date"], "%d/%m/%Y")
    assert min(hearing) >= date(2012, 1, 1) and max(hearing) <= date(2024, 12, 31)
    assert all(a.isdigit() and 17 <= int(a) <= 100 for a in cols["age_at_hearing"])
    text = (out / "extracts" / "magistrates.csv").read_text("utf-8")
    assert '"' in text.splitlines()[1]  # names and addresses with commas are quoted


def test_crown_court_formats(out: Path) -> None:
    cols = _valid(out, "crown_court")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in cols["date_of_birth"] if v)
    assert set(cols["sex"]) <= {"1", "2", "9"}
    postcodes = [v for v in cols["postcode"] if v]
    assert postcodes and all(POSTCODE_UNSPACED.match(v) for v in postcodes)
    assert all(re.fullmatch(r"T20\d{2}\d{4,}", v) for v in cols["case_number"])
    months = [int(v) for v in cols["sentence_months"] if v]
    assert months and min(months) >= 1
    types = cols["sentence_type"]
    for kind, length in zip(types, cols["sentence_months"], strict=True):
        assert bool(length) == (kind in ("custody", "suspended sentence"))


def test_family_court_is_latin1_with_accents(out: Path) -> None:
    raw = (out / "extracts" / "family_court.csv").read_bytes()
    text = raw.decode("latin-1")
    assert any(ord(ch) > 127 for ch in text)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert text.splitlines()[0].count(";") == 11
    cols = _valid(out, "family_court")
    assert all(re.fullmatch(r"\d{2}-\d{2}-\d{4}", v) for v in cols["date_of_birth"] if v)
    assert set(cols["gender"]) <= {"Male", "Female", "Not known"}
    postcodes = [v for v in cols["postcode"] if v]
    assert postcodes and all(POSTCODE_SPACED.match(v) for v in postcodes)


def test_family_court_children_are_children(out: Path) -> None:
    cols = _valid(out, "family_court")
    ages = []
    for role, born, issued in zip(
        cols["party_role"], cols["date_of_birth"], cols["issue_date"], strict=True
    ):
        if role == "child" and born:
            b = datetime.strptime(born, "%d-%m-%Y").date()
            i = datetime.strptime(issued, "%d-%m-%Y").date()
            ages.append((i - b).days / 365.25)
    assert len(ages) > 100
    assert sum(0 <= a < 18 for a in ages) >= 0.97 * len(ages)
    assert set(cols["case_type"]) == {"private law", "public law", "divorce", "domestic violence"}
    refs = Counter(cols["case_ref"])
    assert max(refs.values()) >= 3  # parents and children share their case reference


def test_prison_formats(out: Path) -> None:
    cols = _valid(out, "prison")
    assert all(re.fullmatch(r"(19|20)\d{6}", v) for v in cols["DOB"] if v)
    assert set(cols["SEX"]) <= {"M", "F", ""}
    assert all(re.fullmatch(r"[A-Z]\d{4}[A-Z]{2}", v) for v in cols["PRISON_NO"])
    upper = sum(v.strip() == v.strip().upper() for v in cols["SURNAME"])
    assert upper >= 0.95 * len(cols["SURNAME"])
    postcodes = [v for v in cols["POSTCODE"] if v]
    spaced = sum(bool(POSTCODE_SPACED.match(v)) for v in postcodes)
    unspaced = sum(bool(POSTCODE_UNSPACED.match(v)) for v in postcodes)
    assert spaced + unspaced == len(postcodes)
    assert spaced > 0.2 * len(postcodes) and unspaced > 0.2 * len(postcodes)
    days = sorted(int(v) for v in cols["SENTENCE_DAYS"])
    assert sum(days) / len(days) > days[len(days) // 2]  # skewed: mean above median
    numbers = Counter(cols["PRISON_NO"])
    assert max(numbers.values()) >= 2  # the number stays with the person


def test_probation_formats(out: Path) -> None:
    cols = _valid(out, "probation")
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", v) for v in cols["dob"] if v)
    assert set(cols["gender"]) <= {"M", "F", "N"}
    assert all(re.fullmatch(r"[A-Z]\d{6}", v) for v in cols["crn"])
    postcodes = [v for v in cols["postcode"] if v]
    assert postcodes and all(POSTCODE_SPACED.match(v) for v in postcodes)
    assert all(re.fullmatch(r"[A-D][0-3]", v) for v in cols["tier"])
    for start, end in zip(cols["supervision_start"], cols["supervision_end"], strict=True):
        assert not end or end >= start


def test_custody_leads_to_prison_within_weeks(out: Path) -> None:
    found = truth(out)
    mags = _valid(out, "magistrates")
    who = dict(found["magistrates"])
    prison = _valid(out, "prison")
    prisoner = dict(found["prison"])
    receptions: dict[int, list[date]] = defaultdict(list)
    for record, day in zip(prison["BOOKING_ID"], prison["RECEPTION_DATE"], strict=True):
        receptions[prisoner[record]].append(datetime.strptime(day, "%Y-%m-%d").date())
    checked = linked = 0
    for record, outcome, day in zip(
        mags["defendant_case_id"], mags["outcome"], mags["hearing_date"], strict=True
    ):
        heard = datetime.strptime(day, "%d/%m/%Y").date()
        if outcome != "custody" or heard > date(2024, 11, 30):
            continue
        checked += 1
        linked += any(0 <= (r - heard).days <= 21 for r in receptions[who[record]])
    assert checked > 20
    assert linked >= 0.97 * checked


def test_offence_codes_are_in_the_reference(out: Path) -> None:
    rows = (out / "reference" / "offences.csv").read_text("utf-8").splitlines()
    assert rows[0] == "offence_code,offence,offence_group,offence_category"
    reference = [r.split(",")[0] for r in rows[1:]]
    assert 55 <= len(reference) <= 90 and len(set(reference)) == len(reference)
    used = set(_valid(out, "magistrates")["offence_code"])
    used |= set(_valid(out, "prison")["MAIN_OFFENCE"])
    assert used <= set(reference)
