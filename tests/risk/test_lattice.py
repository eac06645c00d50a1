"""The lattice search: it finds exactly the minimal anonymous nodes a brute force finds, while
evaluating fewer nodes; and suggestions read as changes to the request."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.risk import Request, RiskAssessment, assess
from fivesafes.risk.lattice import precision_loss, search

from .tables import QI, Published


def _brute(bottom, top, meets):
    nodes = list(itertools.product(*(range(b, t + 1) for b, t in zip(bottom, top, strict=True))))
    good = {n for n in nodes if meets(n)}
    return {n for n in good if not any(
        n[:i] + (h - 1,) + n[i + 1:] in good for i, h in enumerate(n) if h > bottom[i])}


@settings(max_examples=60, deadline=None)
@given(tops=st.lists(st.integers(1, 3), min_size=1, max_size=4),
       thresholds=st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=1,
                           max_size=3))
def test_search_finds_the_minimal_nodes_of_a_monotone_predicate(tops, thresholds) -> None:
    bottom = tuple(0 for _ in tops)
    top = tuple(tops)

    def meets(node):  # monotone: some threshold vector is dominated
        return any(all(h >= t[i] for i, h in enumerate(node)) for t in thresholds)

    levels = [t for t in top]
    found = search(bottom, top, meets, lambda n: precision_loss(n, levels))
    assert set(found.minimal) == _brute(bottom, top, meets)
    assert found.evaluated <= found.nodes
    losses = [precision_loss(n, levels) for n in found.minimal]
    assert losses == sorted(losses)


def test_flash_prunes() -> None:
    top = (3, 3, 3, 3, 3)
    found = search((0,) * 5, top, lambda n: sum(n) >= 6, lambda n: precision_loss(n, top))
    assert found.nodes == 1024 and found.evaluated < found.nodes / 3
    assert all(sum(n) == 6 for n in found.minimal)


def test_precision_loss() -> None:
    assert precision_loss((0, 0), (3, 1)) == 0
    assert precision_loss((3, 1), (3, 1)) == 1  # both left out
    assert precision_loss((1, 0), (2, 1)) == 0.25


ROWS = [{"person_id": f"p{i}", "sex": "fm"[i % 2], "hearing_date": f"2024-0{i % 4 + 1}-1{i % 3}",
         "hearing_month": f"2024-0{i % 4 + 1}", "hearing_year": "2024"} for i in range(16)]
FIELDS = {"sex": (QI, ("sex",)),
          "hearing_date": (QI, ("hearing_date", "hearing_month", "hearing_year"))}


def test_suggestions_and_contributions(tmp_path) -> None:
    pub = Published(tmp_path).add("mags", ROWS, FIELDS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "hearing_date": "hearing_date"}})
    a = assess(pub.catalogue, pub.data, request, k=4)
    assert a.persons.k == 1 and not a.meets_threshold
    # sex x month: 4 classes... (i%2, i%4) share parity, so 4 classes of 4 persons
    best = a.suggestions[0]
    assert best.text == "ask for mags.hearing_month instead of mags.hearing_date"
    assert best.figures.k == 4 and best.loss == pytest.approx((0 + 1 / 3) / 2)
    assert a.lattice_nodes == 8 and 0 < a.lattice_evaluated <= 8
    by = {(c.name, c.action): c for c in a.contributions}
    assert by[("hearing_date", "coarsen")].level == "hearing_month"
    assert by[("hearing_date", "drop")].figures.k == 8
    assert by[("sex", "drop")].figures.k == 1
    assert [c.label for c in a.riskiest()] == ["mags.hearing_date", "mags.sex"]
    assert any("suggestion" in line for line in a.lines())


def test_the_assessment_round_trips_through_json(tmp_path) -> None:
    pub = Published(tmp_path).add("mags", ROWS, FIELDS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "hearing_date": "hearing_date"}})
    held = Request.of({("mags", "v1"): {"sex": "sex"}})
    a = assess(pub.catalogue, pub.data, request, k=4, held=held)
    again = RiskAssessment.from_dict(json.loads(json.dumps(a.to_dict())))
    assert again == a
    assert Request.from_dict(a.request) == request


def test_no_suggestion_when_nothing_reaches_k(tmp_path) -> None:
    pub = Published(tmp_path).add("mags", ROWS[:3], FIELDS)
    request = Request.of({("mags", "v1"): {"sex": "sex"}})
    a = assess(pub.catalogue, pub.data, request, k=5)
    assert a.suggestions == () and "no combination" in a.note
