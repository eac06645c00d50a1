"""The coverage's jurisdictions and source systems decide which rows are assessed, by the same
rule an extract follows: a dataset with a ``jurisdiction`` or ``source_system`` column is
filtered row by row; a dataset none of whose declared jurisdictions or systems is covered has
no row to assess (a problem of the request)."""

from __future__ import annotations

import pytest

from fivesafes.errors import InvalidForm
from fivesafes.risk import Request, assess

from .tables import QI, Published

FIELDS = {"sex": (QI, ("sex",))}


def _rows():
    # Wales: two women; England: twelve women and one man
    return ([{"person_id": f"w{i}", "sex": "f", "jurisdiction": "Wales",
              "source_system": "Libra"} for i in range(2)]
            + [{"person_id": f"e{i}", "sex": "f", "jurisdiction": "England",
                "source_system": "Common Platform"} for i in range(12)]
            + [{"person_id": "e-m", "sex": "m", "jurisdiction": "England",
                "source_system": "Libra"}])


def _published(tmp_path):
    return Published(tmp_path).add("mags", _rows(), FIELDS, jurisdictions=("England", "Wales"),
                                   sources=("Libra", "Common Platform"))


def test_rows_outside_the_jurisdictions_and_sources_are_not_assessed(tmp_path) -> None:
    pub = _published(tmp_path)
    everything = assess(pub.catalogue, pub.data, Request.of({("mags", "v1"): {"sex": "sex"}}),
                        k=2)
    assert (everything.persons.units, everything.persons.k) == (15, 1)
    england = assess(pub.catalogue, pub.data, Request.of(
        {("mags", "v1"): {"sex": "sex"}}, jurisdictions=["England"]), k=2)
    assert (england.persons.units, england.persons.k) == (13, 1)
    common = assess(pub.catalogue, pub.data, Request.of(
        {("mags", "v1"): {"sex": "sex"}}, jurisdictions=["England"],
        sources=["Common Platform"]), k=2)
    assert (common.persons.units, common.persons.k, common.meets_threshold) == (12, 12, True)


def test_a_dataset_wholly_outside_the_coverage_contributes_nothing(tmp_path) -> None:
    pub = _published(tmp_path).add("prison", [{"person_id": "e0", "wing": "A"}],
                                   {"wing": (QI, ("wing",))}, jurisdictions=("Wales",))
    request = Request.of({("mags", "v1"): {"sex": "sex"}, ("prison", "v1"): {"wing": "wing"}},
                         jurisdictions=["England"])
    a = assess(pub.catalogue, pub.data, request, k=2)
    assert a.persons.units == 13
    assert "prison v1 contributes no record: none of its jurisdictions (Wales)" in a.note
    with pytest.raises(InvalidForm, match="no dataset has a record in the coverage"):
        assess(pub.catalogue, pub.data, Request.of({("mags", "v1"): {"sex": "sex"}},
                                                   jurisdictions=["Scotland"]), k=2)


def test_the_coverage_round_trips_with_the_request() -> None:
    request = Request.of({("mags", "v1"): {"sex": "sex"}}, date_from="2020-01-01",
                         jurisdictions=["Wales", "England"], sources=["Libra"])
    assert Request.from_dict(request.to_dict()) == request
    assert request.jurisdictions == ("England", "Wales")
    assert Request.from_dict(Request.of({("mags", "v1"): {}}).to_dict()).jurisdictions is None
