"""The listing layout on its own: whole columns are never broken or cut, free text wraps, no
line is wider than the console, nothing becomes "…", and too narrow a console gets records."""

from __future__ import annotations

import pytest

from fivesafes import listings
from fivesafes.listings import Column, print_listing

DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ROWS = [{"ref": f"R-{n:04d}", "note": "a note long enough to need wrapping " * 3,
         "sha256": DIGEST, "flag": n % 2 == 0} for n in range(1, 4)]
COLUMNS = (Column("ref", "request", whole=True), Column("note"),
           Column("sha256", whole=True), Column("flag"))


def _printed(capsys, monkeypatch, width: int, rows=ROWS, columns=COLUMNS) -> list[str]:
    monkeypatch.setattr(listings.console, "width", width)
    print_listing(rows, columns, title="requests")
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("width", [100, 132, 200])
def test_a_table_keeps_whole_columns_unbroken(capsys, monkeypatch, width) -> None:
    lines = _printed(capsys, monkeypatch, width)
    assert all(len(line) <= width for line in lines)
    text = "\n".join(lines)
    assert "…" not in text and "┃" in text  # a table, not records
    assert text.count(DIGEST) == len(ROWS) and all(r["ref"] in text for r in ROWS)
    assert "yes" in text and "no" in text


@pytest.mark.parametrize("width", [40, 60, 72, 80])
def test_too_narrow_a_console_gets_records(capsys, monkeypatch, width) -> None:
    lines = _printed(capsys, monkeypatch, width)
    assert all(len(line) <= width for line in lines)
    text = "\n".join(lines)
    assert "┃" not in text and "…" not in text
    assert [line for line in lines if line.startswith("request: ")] == [
        f"request: {r['ref']}" for r in ROWS]
    if width >= len(DIGEST) + 4:
        assert text.count(DIGEST) == len(ROWS)
    if len(DIGEST) + 4 <= width < len(DIGEST) + 9:  # too long beside its label: a line of its own
        assert "    " + DIGEST in lines


def test_empty_listings_say_so(capsys, monkeypatch) -> None:
    monkeypatch.setattr(listings.console, "width", 80)
    print_listing([], COLUMNS, empty="no release requests")
    assert capsys.readouterr().out == "no release requests\n"


def test_cells_are_text_never_markup(capsys, monkeypatch) -> None:
    lines = _printed(capsys, monkeypatch, 80, rows=[{"ref": "[bold]R-1[/bold]", "note": "[red]x",
                                                     "sha256": "", "flag": None}])
    assert "[bold]R-1[/bold]" in "\n".join(lines) and "[red]x" in "\n".join(lines)
