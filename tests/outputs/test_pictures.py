"""The pictures of an output: withheld cells are drawn as withheld (never with their figure),
labels are escaped, and outputs without a sensible picture get none."""

from __future__ import annotations

from fivesafes.outputs.pictures import PRIMARY, PUBLISHED, SECONDARY, picture

CHECK = {"suppressed": [{"cell": {"outcome": "fine"}, "reason": "primary"}]}


def test_a_one_way_table_is_a_bar_chart_with_its_withheld_cell_marked() -> None:
    cells = [{"outcome": "custody", "n": 120}, {"outcome": "fine", "n": 7},
             {"outcome": "<script>", "n": 40}]
    drawn = picture(cells, ["outcome"], CHECK, kind="frequency", name="Outcomes")
    assert drawn is not None and drawn.startswith("<svg")
    assert "fine: withheld (primary)" in drawn and "fine: 7" not in drawn
    assert ">7<" not in drawn  # the withheld figure is never drawn
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    assert drawn.count(f'fill="{PUBLISHED}"') == 2


def test_a_two_way_table_is_a_map_of_published_and_withheld_cells() -> None:
    cells = [{"a": x, "b": y, "n": 20} for x in ("p", "q") for y in ("u", "v")]
    check = {"suppressed": [{"cell": {"a": "p", "b": "u"}, "reason": "primary"},
                            {"cell": {"a": "q", "b": "u"}, "reason": "secondary"}]}
    drawn = picture(cells, ["a", "b"], check, kind="frequency", name="Map")
    assert drawn is not None
    squares = [part for part in drawn.split("<rect")[1:] if 'width="24"' in part]
    assert len(squares) == 4
    assert sum(f'fill="{PRIMARY}"' in s for s in squares) == 1
    assert sum(f'fill="{SECONDARY}"' in s for s in squares) == 1
    assert "a=p, b=u: withheld (primary)" in drawn


def test_regressions_and_three_way_tables_have_no_picture() -> None:
    assert picture([{"x": 1}], [], {}, kind="regression", name="r") is None
    cells = [{"a": 1, "b": 2, "c": 3, "n": 10}]
    assert picture(cells, ["a", "b", "c"], {}, kind="frequency", name="t") is None
