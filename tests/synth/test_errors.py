"""Recording errors at roughly their documented rates, and the rows that ingest must quarantine."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from fivesafes.synth import SynthSummary, rates
from fivesafes.synth.names import variant_map
from tests.synth.helpers import (
    SOURCES,
    contract,
    expected_quarantine,
    modal,
    read_extract,
    role_columns,
    truth,
)

UNKNOWN_SEX = {
    "magistrates": "U",
    "crown_court": "9",
    "family_court": "Not known",
    "probation": "N",
}


def _within(count: int, total: int, rate: float, low: float = 0.5, high: float = 1.6) -> bool:
    return low * rate * total <= count <= high * rate * total


def test_logged_error_counts_match_the_documented_rates(synth: SynthSummary) -> None:
    counts, total = synth.error_counts, synth.total_records
    assert _within(counts["forename_typo"] + counts["surname_typo"], total, rates.NAME_TYPO_RATE)
    assert _within(counts["name_swap"], total, rates.NAME_SWAP_RATE, 0.3, 2.0)
    assert _within(counts["dob_missing"], total, rates.DOB_MISSING_RATE)
    assert _within(counts["dob_digit"], total, rates.DOB_DIGIT_RATE)
    assert _within(counts["dob_day_month_swap"], counts["dob_swap_eligible"], rates.DOB_SWAP_RATE)
    assert _within(counts["sex_missing"], total, rates.SEX_MISSING_RATE)
    assert _within(counts["postcode_missing"], total, rates.POSTCODE_MISSING_RATE)
    assert _within(counts["postcode_typo"], total, rates.POSTCODE_TYPO_RATE)
    with_ethnicity = total - synth.records_per_source["family_court"]
    assert _within(counts["ethnicity_not_stated"], with_ethnicity, rates.ETHNICITY_NOT_STATED_RATE)
    for kind in (
        "nickname",
        "alias",
        "old_surname",
        "stale_address",
        "case_variation",
        "extra_space",
        "sex_wrong",
        "new_prison_number",
        "new_crn",
        "surname_changed",
        "sparse_record",
    ):
        assert counts[kind] > 0, kind


def _by_person(out: Path, role: str) -> dict[int, list[tuple[str, str]]]:
    """true id -> [(source, value of the first column with ``role``)] over every valid record."""
    bad = {(r["source"], r["record_id"]) for r in expected_quarantine(out)}
    found = truth(out)
    values: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for source in SOURCES:
        spec = contract(out, source)
        columns = role_columns(spec, role)
        if not columns:
            continue
        data = read_extract(out, source)[columns[0]]
        for (record, true_id), value in zip(found[source], data, strict=True):
            if record and (source, record) not in bad:
                values[true_id].append((source, value))
    return values


DOB_FORMATS = {
    "magistrates": "%d/%m/%Y",
    "crown_court": "%Y-%m-%d",
    "family_court": "%d-%m-%Y",
    "prison": "%Y%m%d",
    "probation": "%d/%m/%Y",
}


def test_dates_of_birth_disagree_at_about_the_documented_rate(out: Path) -> None:
    people = _by_person(out, "date_of_birth")
    records = missing = differ = swapped = 0
    for values in people.values():
        dobs = [datetime.strptime(v, DOB_FORMATS[s]).date() if v else None for s, v in values]
        records += len(dobs)
        missing += sum(d is None for d in dobs)
        known = [d for d in dobs if d]
        if len(known) < 3:
            continue
        usual = modal(known)
        differ += sum(d != usual for d in known) / len(known) * len(dobs)
        swapped += sum(
            d.day == usual.month and d.month == usual.day and d.year == usual.year and d != usual
            for d in known
        )
    # a sparse record (no date of birth and no postcode) is missing its date of birth too
    assert _within(missing, records, rates.DOB_MISSING_RATE + rates.SPARSE_RECORD_RATE)
    expected = rates.DOB_SWAP_RATE * 0.36 + rates.DOB_DIGIT_RATE  # 36% of DOBs can be swapped
    assert _within(int(differ), records, expected, 0.4, 2.0)
    assert swapped > 0


def test_sex_goes_missing_at_about_the_documented_rate(out: Path) -> None:
    people = _by_person(out, "sex")
    values = [(s, v) for rows in people.values() for s, v in rows]
    unknown = sum(v == UNKNOWN_SEX.get(s, "") for s, v in values)
    assert _within(unknown, len(values), rates.SEX_MISSING_RATE)


def test_postcodes_go_missing_at_about_the_documented_rate(out: Path) -> None:
    people = _by_person(out, "postcode")
    values = [v for rows in people.values() for _, v in rows]
    expected = rates.POSTCODE_MISSING_RATE + rates.SPARSE_RECORD_RATE  # sparse records too
    assert _within(sum(not v for v in values), len(values), expected)
    # The magistrates' free-text address loses its postcode at the same rate.
    addresses = read_extract(out, "magistrates")["address"]
    ending = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\s*$", re.IGNORECASE)
    without = sum(not ending.search(a) for a in addresses)
    assert _within(without, len(addresses), expected)


def test_names_vary_with_nicknames_typos_and_changes(out: Path) -> None:
    forenames = _by_person(out, "forename")
    variants = variant_map()
    records = differ = nicknames = 0
    for values in forenames.values():
        names = [v.strip().split(" ")[0].title() for _, v in values if v.strip()]
        records += len(names)
        if len(names) < 3:
            continue
        usual = modal(names)
        differ += sum(n != usual for n in names)
        nicknames += sum(n in variants.get(usual, ()) for n in names)
    assert 0.02 * records <= differ <= 0.25 * records
    assert nicknames > 0
    surnames = _by_person(out, "surname")
    changed = sum(len({v.strip().upper() for _, v in rows}) > 1 for rows in surnames.values())
    assert changed > 0


def test_house_moves_show_as_different_postcodes(out: Path) -> None:
    postcodes = _by_person(out, "postcode")
    several = sum(
        len({v.replace(" ", "") for _, v in rows if v}) > 1
        for rows in postcodes.values()
        if len(rows) >= 3
    )
    assert several > 0


def _problems(spec: dict, columns: dict[str, list[str]], row: int) -> list[str]:
    """What is wrong with one row, following docs/source-contracts.md."""
    wrong = []

    def value(column: str) -> str:
        return columns[column][row].strip()

    if not value(spec["record_id"]):
        wrong.append(spec["record_id"])
    for ident in spec["identifier"]:
        v = value(ident["column"])
        if ident["role"] == "date_of_birth" and v:
            try:
                datetime.strptime(v, ident.get("format", "%Y-%m-%d"))
            except ValueError:
                wrong.append(ident["column"])
        if ident["role"] == "sex" and v and v.upper() not in {c.upper() for c in ident["codes"]}:
            wrong.append(ident["column"])
    for attr in spec.get("attribute", []):
        v = value(attr["column"])
        if attr.get("required") and not v:
            wrong.append(attr["column"])
        elif v and attr["type"] == "date":
            try:
                datetime.strptime(v, attr.get("format", "%Y-%m-%d"))
            except ValueError:
                wrong.append(attr["column"])
        elif v and attr["type"] == "integer" and not re.fullmatch(r"[+-]?[0-9]+", v):
            wrong.append(attr["column"])
        elif v and "values" in attr and v not in attr["values"]:
            wrong.append(attr["column"])
    return wrong


def test_exactly_the_listed_rows_break_their_contract(synth: SynthSummary, out: Path) -> None:
    listed = expected_quarantine(out)
    kinds = {r["problem"] for r in listed}
    assert kinds == {"bad_dob", "bad_sex", "bad_date", "bad_value", "empty_record_id"}
    for source in SOURCES:
        spec = contract(out, source)
        columns = read_extract(out, source)
        rows = len(columns[spec["record_id"]])
        found = {}
        for i in range(rows):
            wrong = _problems(spec, columns, i)
            if wrong:
                found[columns[spec["record_id"]][i]] = wrong
        expected = {r["record_id"]: [r["column"]] for r in listed if r["source"] == source}
        assert found == expected, source
        assert len(expected) == synth.invalid_rows[source]
        if rows >= 500:
            assert len(expected) >= 5
            assert {r["problem"] for r in listed if r["source"] == source} == kinds
        assert len(expected) <= max(5, 0.002 * rows)
