"""The partner department's synthetic extract (education): written apart from the justice
extracts, valid against its own contract, of the same people, with its own error model, and
without changing a byte of the justice extracts."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from fivesafes.errors import FivesafesError
from fivesafes.sources.contract import load_contracts
from fivesafes.sources.readers import reader_for
from fivesafes.synth import generate
from fivesafes.synth.rates import DEFAULT
from fivesafes.synth.systems import education


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("partner") / "out"
    return generate(people=1500, out=out, seed=3, partner=True)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_it_is_written_apart_with_its_contract_and_truth(made) -> None:
    paths = made.paths
    assert paths.partner_extract.parent == made.paths.root / "partner" / "extracts"
    assert paths.partner_contract not in paths.contracts.values()
    assert not list((made.paths.root / "contracts").glob("education*"))
    contract = load_contracts(paths.partner_contract)[0]
    assert contract.name == "education" and contract.owner == "DfE"
    assert contract.file.path.resolve() == paths.partner_extract.resolve()
    assert {i.role for i in contract.identifiers} == {"forename", "surname", "date_of_birth",
                                                       "sex", "postcode"}
    truth = _rows(paths.partner_truth)
    extract = _rows(paths.partner_extract)
    assert len(truth) == len(extract) == made.partner_records > 0
    assert [r["record_id"] for r in truth] == [r["pupil_record_id"] for r in extract]


def test_every_row_passes_its_contract(made) -> None:
    import duckdb

    from fivesafes.sources.validation import ChunkValidator

    contract = load_contracts(made.paths.partner_contract)[0]
    reader = reader_for(contract)
    reader.check()
    con = duckdb.connect()
    bad = 0
    for chunk in reader.chunks(10_000):
        bad += ChunkValidator(contract, con).validate(chunk).quarantined_rows
    assert bad == 0


def test_pupils_are_people_of_the_justice_extracts_and_others(made) -> None:
    pupils = {r["true_id"] for r in _rows(made.paths.partner_truth)}
    justice = {r["true_id"] for r in _rows(made.paths.truth)}
    assert 0.3 < len(pupils & justice) / len(justice) < 0.95  # of school age in the years
    outsiders = pupils - justice  # in no justice extract: a partner record with no match
    assert 0.15 < len(outsiders) / len(pupils) < 0.5
    assert min(int(t) for t in outsiders) > max(int(t) for t in justice)
    years = {r["academic_year"][:4] for r in _rows(made.paths.partner_extract)}
    assert min(years) >= str(education.FIRST_YEAR) and max(years) <= str(education.LAST_YEAR)


def test_its_error_model_is_its_own() -> None:
    own = education.recording(DEFAULT.recording)
    assert own.nickname > DEFAULT.recording.nickname
    assert own.dob_digit < DEFAULT.recording.dob_digit


def test_the_justice_extracts_are_unchanged_and_it_is_deterministic(made, tmp_path: Path
                                                                    ) -> None:
    plain = generate(people=1500, out=tmp_path / "plain", seed=3)
    again = generate(people=1500, out=tmp_path / "again", seed=3, partner=True)

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    for name, path in made.paths.extracts.items():
        assert digest(path) == digest(plain.paths.extracts[name]), name
    assert digest(made.paths.truth) == digest(plain.paths.truth)
    assert digest(again.paths.partner_extract) == digest(made.paths.partner_extract)
    assert plain.paths.partner_extract is None


def test_the_share_of_outsiders_can_be_raised_and_not_made_negative(made,
                                                                     tmp_path: Path) -> None:
    more = generate(people=1500, out=tmp_path / "more", seed=3, partner=True,
                    partner_outsiders=2.0)
    truth = _rows(more.paths.partner_truth)
    outsiders = sum(int(row["true_id"]) >= 1500 for row in truth)
    assert more.partner_records > 1.8 * made.partner_records
    assert outsiders > 0.6 * len(truth)
    with pytest.raises(FivesafesError, match="partner_outsiders"):
        generate(people=10, out=tmp_path / "none", seed=3, partner=True, partner_outsiders=-1)
