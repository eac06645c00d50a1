"""Spec tests: equivalence classes of small tables, with k, uniques, records below k and
prosecutor risk worked out by hand."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.risk import Request, assess
from fivesafes.risk.classes import figures, histogram, record_classes
from fivesafes.sql import quote

from .tables import OFFENCE, QI, Published

# sex x age band: (f, 20-29) x3, (m, 20-29) x2, (m, 30-39) x1
ROWS = [
    {"person_id": "p1", "sex": "f", "age_band": "20-29", "offence": "theft"},
    {"person_id": "p2", "sex": "f", "age_band": "20-29", "offence": "theft"},
    {"person_id": "p3", "sex": "f", "age_band": "20-29", "offence": "fraud"},
    {"person_id": "p4", "sex": "m", "age_band": "20-29", "offence": "theft"},
    {"person_id": "p5", "sex": "m", "age_band": "20-29", "offence": "theft"},
    {"person_id": "p6", "sex": "m", "age_band": "30-39", "offence": "fraud"},
]
FIELDS = {"sex": (QI, ("sex",)), "age": (QI, ("age_band",)), "offence": (OFFENCE, ("offence",))}


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('f', 1), ('f', 1), ('f', 2), ('m', 2)) "
              "v(a, b)")
    yield c
    c.close()


def test_record_classes_figures(con) -> None:
    f = figures(con, record_classes("t", ["a", "b"]), threshold=2, unit="record")
    assert (f.units, f.classes, f.k, f.uniques, f.below_k) == (4, 3, 1, 2, 2)
    assert f.max_risk == 1.0 and f.mean_risk == pytest.approx(3 / 4)
    assert not f.meets_threshold


def test_no_key_is_one_class(con) -> None:
    f = figures(con, record_classes("t", []), threshold=2, unit="record")
    assert (f.classes, f.k, f.uniques, f.below_k) == (1, 4, 0, 0)
    assert f.meets_threshold


def test_histogram_bins_have_the_threshold_as_an_edge(con) -> None:
    bins = histogram(con, record_classes("t", ["a", "b"]), threshold=2)
    assert [(b.label, b.classes, b.units) for b in bins] == [("1", 2, 2), ("2", 1, 2)]
    bins = histogram(con, record_classes("t", ["a"]), threshold=4)
    assert [(b.label, b.classes, b.units) for b in bins] == [
        ("1", 1, 1), ("2", 0, 0), ("3", 1, 3)]


def test_single_dataset(tmp_path) -> None:
    pub = Published(tmp_path).add("mags", ROWS, FIELDS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "age": "age_band",
                                           "offence": "offence"}})
    a = assess(pub.catalogue, pub.data, request, k=3)
    p = a.persons
    assert (p.units, p.records, p.classes, p.k, p.uniques) == (6, 6, 3, 1, 1)
    assert (p.below_k, p.records_below_k) == (3, 3)
    assert p.max_risk == 1.0 and p.mean_risk == pytest.approx(0.5)
    assert a.records[0].figures.k == 1 and a.records[0].figures.unit == "record"
    assert [b.to_dict()["label"] for b in a.histogram] == ["1", "2", "3-4"]
    assert [(b.classes, b.units) for b in a.histogram] == [(1, 1), (1, 2), (1, 3)]


def test_coverage_filters_rows_by_the_date_field(tmp_path) -> None:
    rows = [{**r, "hearing_date": f"2024-0{i + 1}-15"} for i, r in enumerate(ROWS)]
    pub = Published(tmp_path).add("mags", rows, FIELDS, date_field="hearing_date")
    request = Request.of({("mags", "v1"): {"sex": "sex", "age": "age_band"}},
                         date_from="2024-01-01", date_to="2024-03-31")
    a = assess(pub.catalogue, pub.data, request, k=3)
    assert (a.persons.units, a.persons.k, a.persons.classes) == (3, 3, 1)
    assert a.meets_threshold and a.suggestions == ()


def test_key_classes_are_configuration(tmp_path) -> None:
    pub = Published(tmp_path).add("mags", ROWS, FIELDS)
    request = Request.of({("mags", "v1"): {"sex": "sex", "offence": "offence"}})
    a = assess(pub.catalogue, pub.data, request, k=3)
    assert a.persons.k == 3 and len(a.diversity) == 1  # offence is sensitive, not a key
    a = assess(pub.catalogue, pub.data, request, k=3, key_classes={QI, OFFENCE})
    assert a.persons.k == 1 and a.diversity == ()  # (m, fraud) is unique
    assert [kf.name for kf in a.keys] == ["sex", "offence"]


HOSTILE = 'a"; DROP TABLE t; --'


def test_hostile_names_are_quoted_and_a_failure_names_its_step(con) -> None:
    from fivesafes.errors import StepFailed
    from fivesafes.risk.classes import figures_statement, smallest

    con.execute(f"CREATE TABLE {quote(HOSTILE)} AS SELECT a AS {quote(HOSTILE)} FROM t")
    classes = record_classes(HOSTILE, [HOSTILE])
    assert figures(con, classes, threshold=2, unit="record").classes == 2
    assert con.execute("SELECT count(*) FROM t").fetchone() == (4,)  # nothing dropped
    statement = figures_statement(classes, 7)
    assert statement.step == "risk: class figures" and statement.params == (7,)
    with pytest.raises(StepFailed, match="risk: smallest class failed"):
        smallest(con, record_classes("no_such_table", []))
