"""The monitor's rules on their own."""

from __future__ import annotations

import pyarrow as pa

from fivesafes.workspace import monitor
from fivesafes.workspace.guard import check


def _statement(sql: str):
    return check(sql, datasets=("ds",), pseudonyms=("person_id",),
                 person_columns={"ds": "person_id"})


def test_differencing_needs_the_same_shape_and_a_small_nonzero_gap() -> None:
    shape = _statement("SELECT a, count(*) FROM ds GROUP BY a").shape
    history = [{"shape": shape, "population": 100, "seq": 7}]
    assert monitor.differencing(shape, 99, history, 10).kind == "differencing"
    assert "audit entry 7" in monitor.differencing(shape, 91, history, 10).explanation
    assert monitor.differencing(shape, 90, history, 10) is None  # a gap of k is fine
    assert monitor.differencing(shape, 100, history, 10) is None  # the same population
    assert monitor.differencing("other", 99, history, 10) is None
    assert monitor.differencing(shape, None, history, 10) is None


def test_small_groups_read_only_the_count_columns() -> None:
    statement = _statement("SELECT a, count(*) AS n, sum(x) AS s FROM ds GROUP BY a")
    result = pa.table({"a": ["x", "y"], "n": [12, 3], "s": [1, 2]})
    alert = monitor.small_groups(statement, result, 10)
    assert alert is not None and alert.severity == monitor.NOTICE and "smallest 3" in (
        alert.explanation)
    assert monitor.small_groups(statement, pa.table({"a": ["x"], "n": [12], "s": [1]}),
                                10) is None


def test_repeated_refusals_start_at_the_allowed_number() -> None:
    assert monitor.repeated_refusals(2, 3) is None
    assert monitor.repeated_refusals(3, 3).severity == monitor.VIOLATION


def test_a_refusal_alert_says_what_was_refused_not_what_is_allowed():
    alert = monitor.refused("files", "reading files is not allowed in the workspace; "
                                     "allowed: one SELECT over your extract's tables")
    assert alert.explanation == "refused (files): reading files is not allowed in the workspace"
    assert alert.severity == monitor.NOTICE
