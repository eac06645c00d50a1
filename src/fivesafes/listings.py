"""What a listing command prints: a table readable at any width, or ``--json``.

A :class:`Column` marked ``whole`` holds an id, a reference, an action, a date or a digest: it is
never broken or cut. Free text wraps (a word too long for its column folds onto the next line;
nothing is ever replaced by an ellipsis). When the console is too narrow for the whole columns to
fit side by side, each row is shown as a record instead, one field a line. ``--json`` prints a
list of dicts with stable keys.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from fivesafes.cli_support import console

Row = Mapping[str, Any]

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print a JSON list (one object a row) instead of a table.")


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows, its heading, and whether it is ``whole`` (never broken).
    ``show`` turns the row into the cell's text when the key's value alone will not do."""

    key: str
    header: str = ""
    whole: bool = False
    show: Callable[[Row], str] | None = None

    @property
    def heading(self) -> str:
        return self.header or self.key.replace("_", " ")

    def text(self, row: Row) -> str:
        return self.show(row) if self.show else cell_text(row.get(self.key))


def cell_text(value: Any) -> str:
    """A value as a cell: nothing for None, lists joined by commas, yes/no for flags."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on standard output (dates and paths as text)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


#: a word of free text longer than this may be folded rather than widen its column
FOLD_AT = 24


def _overhead(columns: int) -> int:
    """Characters a table without outer edges spends on rules and padding between columns."""
    return 3 * (columns - 1)


def _widths(rows: Sequence[Row], columns: Sequence[Column], width: int) -> list[int] | None:
    """Each column's width, so that whole columns hold their longest value, free text its
    longest word (up to :data:`FOLD_AT`) and the table fits ``width``; None if it cannot."""
    lows, highs = [], []
    for c in columns:
        texts = [c.text(row) for row in rows]
        heading = max((cell_len(w) for w in c.heading.split()), default=1)
        if c.whole:
            low = max([cell_len(t) for t in texts] + [heading])
        else:
            low = max([min(cell_len(w), FOLD_AT) for t in texts for w in t.split()] + [heading])
        lines = [cell_len(line) for t in texts for line in t.splitlines()]
        lows.append(low)
        highs.append(max(lines + [cell_len(c.heading), low]))
    spare = width - _overhead(len(columns)) - sum(lows)
    if spare < 0:
        return None
    widths = lows[:]
    while spare > 0:
        growing = [i for i, w in enumerate(widths) if w < highs[i]]
        if not growing:
            break
        share = max(1, spare // len(growing))
        for i in growing:
            grow = min(share, highs[i] - widths[i], spare)
            widths[i] += grow
            spare -= grow
    return widths


def listing_table(rows: Sequence[Row], columns: Sequence[Column], title: str | None,
                  width: int | None = None) -> Table:
    """``rows`` as a table: within ``width`` with whole columns unbroken when they fit (see
    :func:`_widths`), otherwise laid out by rich, folding what does not fit (never cut)."""
    widths = _widths(rows, columns, width) if width else None
    table = Table(title=title, show_edge=False, pad_edge=False)
    for i, c in enumerate(columns):
        table.add_column(c.heading, no_wrap=c.whole and widths is not None, overflow="fold",
                         width=widths[i] if widths else None)
    for row in rows:
        table.add_row(*(Text(c.text(row)) for c in columns))  # data, never markup
    return table


def _wrapped(text: str, width: int, indent: int) -> list[str]:
    """``text`` broken at spaces to ``width``, continuation lines indented by ``indent``;
    a word too long for a line is folded."""
    return textwrap.wrap(text, width=width, subsequent_indent=" " * indent,
                         break_on_hyphens=False, replace_whitespace=False,
                         drop_whitespace=True) or [text]


def _records(rows: Sequence[Row], columns: Sequence[Column], title: str | None,
             width: int) -> list[str]:
    """Each row as a record: its first column as a heading, then one field a line (long text
    wrapped under itself). A whole value too long to sit beside its label gets a line of its
    own below it."""
    shown = [title] if title else []
    first, rest = columns[0], columns[1:]
    pad = max((len(c.heading) for c in rest), default=0)
    for row in rows:
        shown += _wrapped(f"{first.heading}: {first.text(row)}", width, 2)
        for c in rest:
            value = c.text(row).replace("\n", " ")
            line = f"  {c.heading:<{pad}} {value}".rstrip()
            if len(line) <= width:
                shown.append(line)
            elif c.whole and len(value) + 4 <= width:
                shown += [f"  {c.heading}", f"    {value}"]
            else:
                shown += _wrapped(line, width, pad + 3)
    return shown


def print_listing(rows: Sequence[Row], columns: Sequence[Column], *, title: str | None = None,
                  empty: str = "") -> None:
    """``rows`` as a table, or as records when the console is too narrow for the whole
    columns; ``empty`` is said when there is no row."""
    if not rows and empty:
        console.print(Text(empty))
        return
    if _widths(rows, columns, console.width) is not None:
        console.print(listing_table(rows, columns, title, console.width))
        return
    for line in _records(rows, columns, title, console.width):
        console.print(Text(line), overflow="fold")
