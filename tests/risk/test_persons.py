"""Person-level risk across linked datasets: spec tables, fields already held, and hypothesis
tests against the plain-Python reference."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivesafes.risk import Request, assess

from . import reference
from .tables import OFFENCE, QI, Published

MAGS = {"sex": (QI, ("sex",)), "month": (QI, ("hearing_month", "hearing_year")),
        "offence": (OFFENCE, ("offence",))}
PRISON = {"establishment": (QI, ("establishment", "region"))}


def _mags(rows):
    return [{"person_id": p, "sex": s, "hearing_month": m, "hearing_year": m[:4],
             "offence": o} for p, s, m, o in rows]


def _prison(rows):
    return [{"person_id": p, "establishment": e, "region": r} for p, e, r in rows]


def test_many_records_of_one_person_are_one_unit(tmp_path) -> None:
    # p1 and p2 both have hearings in 2024-01 and 2024-02; p3 only one in 2024-01
    pub = Published(tmp_path).add("mags", _mags([
        ("p1", "f", "2024-01", "theft"), ("p1", "f", "2024-02", "theft"),
        ("p2", "f", "2024-02", "fraud"), ("p2", "f", "2024-01", "theft"),
        ("p3", "f", "2024-01", "theft")]), MAGS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "month": "hearing_month",
                                           "offence": "offence"}})
    a = assess(pub.catalogue, pub.data, request, k=2)
    assert (a.persons.units, a.persons.records, a.persons.classes) == (3, 5, 2)
    assert (a.persons.k, a.persons.uniques, a.persons.below_k, a.persons.records_below_k) == (
        1, 1, 1, 1)
    # row by row the records hide well: (f, 2024-01) x3, (f, 2024-02) x2
    assert a.records[0].figures.k == 2
    [d] = a.diversity
    assert (d.distinct_l, d.homogeneous_classes, d.homogeneous_units) == (1, 1, 1)  # p3: theft


def test_how_many_records_carry_a_value_is_not_a_key(tmp_path) -> None:
    # p1 has three hearings in 2024-01, p2 one: the same set of values, so the same class
    pub = Published(tmp_path).add("mags", _mags([
        ("p1", "f", "2024-01", "t"), ("p1", "f", "2024-01", "t"), ("p1", "f", "2024-01", "t"),
        ("p2", "f", "2024-01", "t"), ("p3", "m", "2024-01", "t")]), MAGS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "month": "hearing_month"}})
    a = assess(pub.catalogue, pub.data, request, k=2)
    assert (a.persons.units, a.persons.classes, a.persons.k, a.persons.uniques) == (3, 2, 1, 1)
    assert a.persons.records_below_k == 1  # p3 only
    # leaving every key out leaves presence only: one class, whatever the record counts
    coarse = assess(pub.catalogue, pub.data, Request.of({("mags", "v1"): {"sex": "sex"}}), k=2)
    assert (coarse.persons.classes, coarse.persons.k) == (2, 1)


def test_two_datasets_joined_on_person_id(tmp_path) -> None:
    mags = _mags([("p1", "f", "2024-01", "t"), ("p2", "f", "2024-01", "t"),
                  ("p3", "m", "2024-01", "t"), ("p4", "m", "2024-01", "t")])
    prison = _prison([("p1", "A", "North"), ("p2", "B", "North"), ("p3", "A", "North"),
                      ("p5", "A", "North")])
    pub = (Published(tmp_path).add("mags", mags, MAGS).add("prison", prison, PRISON))
    request = Request.of({("mags", "v1"): {"sex": "sex"},
                          ("prison", "v1"): {"establishment": "establishment"}})
    a = assess(pub.catalogue, pub.data, request, k=2)
    # persons: p1 (f, A) p2 (f, B) p3 (m, A) p4 (m, -) p5 (-, A): all unique
    assert (a.persons.units, a.persons.classes, a.persons.k, a.persons.uniques) == (5, 5, 1, 5)
    assert [r.figures.k for r in a.records] == [2, 1]
    coarse = Request.of({("mags", "v1"): {"sex": "sex"},
                         ("prison", "v1"): {"establishment": "region"}})
    b = assess(pub.catalogue, pub.data, coarse, k=2)
    # (f, North) x2, (m, North) p3, (m, -) p4, (-, North) p5
    assert (b.persons.classes, b.persons.k, b.persons.uniques, b.persons.below_k) == (4, 1, 3, 3)


def test_scored_against_the_fields_the_project_holds(tmp_path) -> None:
    mags = _mags([(f"p{i}", "f" if i % 2 else "m", "2024-01", "t") for i in range(8)])
    prison = _prison([(f"p{i}", "AB"[i % 4 // 2], "North") for i in range(8)])
    pub = Published(tmp_path).add("mags", mags, MAGS).add("prison", prison, PRISON)
    new = Request.of({("prison", "v1"): {"establishment": "establishment"}})
    held = Request.of({("mags", "v1"): {"sex": "sex"}})
    alone = assess(pub.catalogue, pub.data, new, k=3)
    assert alone.persons.k == 4 and alone.meets_threshold
    a = assess(pub.catalogue, pub.data, new, k=3, held=held)
    assert a.without_held == alone.persons
    assert a.persons.k == 2 and not a.meets_threshold  # sex x establishment: 4 classes of 2
    assert [(kf.label, kf.held) for kf in a.keys] == [("prison.establishment", False),
                                                      ("mags.sex", True)]
    # the held field is never changed; only prison.establishment is
    assert a.suggestions and all(c.name == "establishment" for s in a.suggestions
                                 for c in s.changes)
    assert all(c.name != "sex" for c in a.contributions)


def test_held_at_a_finer_level_wins(tmp_path) -> None:
    prison = _prison([("p1", "A", "North"), ("p2", "B", "North")])
    pub = Published(tmp_path).add("prison", prison, PRISON)
    new = Request.of({("prison", "v1"): {"establishment": "region"}})
    held = Request.of({("prison", "v1"): {"establishment": "establishment"}})
    a = assess(pub.catalogue, pub.data, new, k=2, held=held)
    assert a.persons.k == 1 and [(k.level, k.held) for k in a.keys] == [("establishment", True)]


# -- hypothesis: DuckDB against the reference --------------------------------------------------

persons_ = st.sampled_from([f"p{i}" for i in range(12)])
sexes = st.sampled_from(["f", "m"])
months = st.sampled_from(["2024-01", "2024-02", "2025-01"])
offences = st.sampled_from(["theft", "fraud", "assault"])
places = st.sampled_from([("A", "North"), ("B", "North"), ("C", "South")])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mags=st.lists(st.tuples(persons_, sexes, months, offences), min_size=1, max_size=30),
       prison=st.lists(st.tuples(persons_, places), max_size=15),
       k=st.integers(1, 4), coarse=st.booleans())
def test_matches_the_reference(tmp_path_factory, mags, prison, k, coarse) -> None:
    folder = tmp_path_factory.mktemp("risk")
    month = "hearing_year" if coarse else "hearing_month"
    pub = Published(folder).add("mags", _mags(mags), MAGS)
    fields = {("mags", "v1"): {"sex": "sex", "month": month, "offence": "offence"}}
    if prison:
        pub.add("prison", _prison([(p, e, r) for p, (e, r) in prison]), PRISON)
        fields[("prison", "v1")] = {"establishment": "establishment"}
    a = assess(pub.catalogue, pub.data, Request.of(fields), k=k, suggestions=0)

    def month_of(m: str) -> str:
        return m[:4] if coarse else m

    datasets = [[(p, (s, month_of(m))) for p, s, m, _ in mags]]
    if prison:
        datasets.append([(p, (e,)) for p, (e, _) in prison])
    keys = reference.person_classes(datasets)
    records = Counter(p for p, *_ in mags) + Counter(p for p, _ in prison)
    expected = reference.figures(keys, records, k)
    got = a.persons
    for name, value in expected.items():
        assert getattr(got, name) == pytest.approx(value), name
    distinct, entropy = reference.diversity(keys, [(p, o) for p, _, _, o in mags])
    assert a.diversity[0].distinct_l == distinct
    assert a.diversity[0].entropy_l == pytest.approx(entropy)
