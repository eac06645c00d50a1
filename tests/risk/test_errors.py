"""Clear errors: unknown datasets and fields, levels the catalogue does not offer, empty
coverage, and a published file that does not match its catalogue entry."""

from __future__ import annotations

import pytest

from fivesafes.errors import InvalidForm
from fivesafes.risk import Request, assess
from fivesafes.risk.errors import RiskError

from .tables import QI, Published

ROWS = [{"person_id": "p1", "sex": "f", "hearing_date": "2024-01-02"}]
FIELDS = {"sex": (QI, ("sex",)), "hearing_date": (QI, ("hearing_date",))}


@pytest.fixture
def pub(tmp_path):
    return Published(tmp_path).add("mags", ROWS, FIELDS, date_field="hearing_date")


def _problems(pub, request, **kw) -> list[str]:
    with pytest.raises(InvalidForm) as caught:
        assess(pub.catalogue, pub.data, request, **kw)
    return [str(p) for p in caught.value.problems]


def test_unknown_dataset_version_and_field(pub) -> None:
    assert _problems(pub, Request.of({("crown", "v1"): {"sex": "sex"},
                                      ("mags", "v9"): {"sex": "sex"}})) == [
        "datasets[0].name: there is no dataset 'crown' in the catalogue",
        "datasets[1].version: mags has no version 'v9' (versions: v1)"]
    [problem] = _problems(pub, Request.of({("mags", "v1"): {"age": "age"}}))
    assert problem.startswith("datasets[0].fields[0].name: mags v1 has no field 'age' "
                              "(fields: person_id, sex, hearing_date)")


def test_level_not_offered(pub) -> None:
    assert _problems(pub, Request.of({("mags", "v1"): {"hearing_date": "hearing_month"}})) == [
        "datasets[0].fields[0].level: 'hearing_month' is not a level offered for "
        "hearing_date; choose one of hearing_date"]


def test_empty_coverage(pub) -> None:
    request = Request.of({("mags", "v1"): {"sex": "sex"}}, date_from="2025-01-01")
    [problem] = _problems(pub, request)
    assert problem.startswith("coverage: mags v1 has no record from 2025-01-01 to the end "
                              "(by hearing_date)")


def test_bad_dates_and_empty_request(pub) -> None:
    assert _problems(pub, Request((), "2024-13-01", "2024-01-01")) == [
        "coverage.from: '2024-13-01' is not a date (YYYY-MM-DD)", "datasets: no dataset is asked for"]
    assert _problems(pub, Request.of({("mags", "v1"): {"sex": "sex"}}, date_from="2024-02-01",
                                     date_to="2024-01-01")) == ["coverage.to: is before coverage.from"]


def test_unpublished_file_and_missing_column(tmp_path, pub) -> None:
    pub.tables[("mags", "v1")] = type(pub.tables[("mags", "v1")])(tmp_path / "gone.parquet")
    with pytest.raises(RiskError, match="cannot be read as Parquet"):
        assess(pub.catalogue, pub.data, Request.of({("mags", "v1"): {"sex": "sex"}}))
    other = Published(tmp_path).add("mags", [{"person_id": "p1", "hearing_date": "2024-01-01"}],
                                    FIELDS)
    with pytest.raises(RiskError, match="no column sex; the file does not match"):
        assess(other.catalogue, other.data, Request.of({("mags", "v1"): {"sex": "sex"}}))


def test_k_must_be_positive(pub) -> None:
    with pytest.raises(ValueError):
        assess(pub.catalogue, pub.data, Request.of({("mags", "v1"): {"sex": "sex"}}), k=0)
