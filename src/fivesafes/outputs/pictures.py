"""Pictures of an output for the web pages, as self-contained SVG (no script, values escaped):

* :func:`bar_chart` - a one-way table or histogram: a bar per published cell, and an outlined
  empty bar marked "withheld" where a cell is suppressed;
* :func:`suppression_map` - a two-way table: one square per cell, coloured by whether it is
  published, withheld for failing a rule (primary) or withheld so that it cannot be worked out
  from the margins (secondary), so a checker sees at a glance where suppression fell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

PUBLISHED, PRIMARY, SECONDARY = "#1d4e89", "#b3261e", "#e08a00"
BAR, GAP, HEIGHT, LABELS = 34, 10, 180, 90
SQUARE = 26


def _key(cell: Mapping[str, Any], fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(cell.get(f)) for f in fields)


def _withheld(check: Mapping[str, Any], fields: Sequence[str]) -> dict[tuple[str, ...], str]:
    return {_key(s["cell"], fields): str(s.get("reason", "primary"))
            for s in check.get("suppressed", [])}


def _figure(cell: Mapping[str, Any], fields: Sequence[str]) -> Any:
    values = [v for k, v in cell.items() if k not in fields]
    return values[0] if values else None


def bar_chart(cells: Sequence[Mapping[str, Any]], fields: Sequence[str],
              check: Mapping[str, Any], *, title: str) -> str:
    """Bars of a one-way output's published figure (the first figure of each cell)."""
    withheld = _withheld(check, fields)
    shown = [(", ".join(_key(c, fields)), _figure(c, fields), withheld.get(_key(c, fields)))
             for c in cells]
    numbers = [float(v) for _, v, w in shown if w is None and isinstance(v, int | float)]
    top = max(numbers, default=0.0) or 1.0
    width = len(shown) * (BAR + GAP) + GAP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{HEIGHT + LABELS}" viewBox="0 0 {width} {HEIGHT + LABELS}" '
             f'aria-labelledby="bars-title"><title id="bars-title">{escape(title)}</title>']
    for i, (label, value, reason) in enumerate(shown):
        x = GAP + i * (BAR + GAP)
        middle = x + BAR / 2
        if reason is not None or not isinstance(value, int | float):
            parts.append(f'<rect x="{x}" y="{HEIGHT - 40}" width="{BAR}" height="40" '
                         f'fill="none" stroke="{PRIMARY if reason == "primary" else SECONDARY}"'
                         f' stroke-dasharray="4 3"><title>{escape(label)}: withheld '
                         f'({escape(reason or "no figure")})</title></rect>')
            parts.append(f'<text x="{middle}" y="{HEIGHT - 46}" font-size="9" '
                         'text-anchor="middle">withheld</text>')
        else:
            height = max(1, round((HEIGHT - 20) * float(value) / top))
            parts.append(f'<rect x="{x}" y="{HEIGHT - height}" width="{BAR}" height="{height}" '
                         f'fill="{PUBLISHED}"><title>{escape(label)}: {value:,}</title></rect>')
            parts.append(f'<text x="{middle}" y="{max(HEIGHT - height - 4, 10)}" '
                         f'font-size="9" text-anchor="middle">{value:,.6g}</text>')
        parts.append(f'<text x="{middle}" y="{HEIGHT + 12}" font-size="10" text-anchor="end" '
                     f'transform="rotate(-40 {middle} {HEIGHT + 12})">'
                     f'{escape(label[:24])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def suppression_map(cells: Sequence[Mapping[str, Any]], fields: Sequence[str],
                    check: Mapping[str, Any], *, title: str) -> str:
    """A grid of a two-way output's cells (rows: the first field, columns: the second),
    coloured published / withheld (primary) / withheld (secondary)."""
    row_field, column_field = fields[0], fields[1]
    rows = list(dict.fromkeys(str(c.get(row_field)) for c in cells))
    columns = list(dict.fromkeys(str(c.get(column_field)) for c in cells))
    withheld = _withheld(check, fields)
    left, top = 170, 110
    width, height = left + len(columns) * SQUARE + 10, top + len(rows) * SQUARE + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="map-title">'
             f'<title id="map-title">{escape(title)}</title>']
    for j, column in enumerate(columns):
        x = left + j * SQUARE + SQUARE / 2
        parts.append(f'<text x="{x}" y="{top - 6}" font-size="10" transform="rotate(-50 {x} '
                     f'{top - 6})">{escape(column[:22])}</text>')
    for i, row in enumerate(rows):
        parts.append(f'<text x="{left - 6}" y="{top + i * SQUARE + 17}" font-size="10" '
                     f'text-anchor="end">{escape(row[:28])}</text>')
    for cell in cells:
        i, j = rows.index(str(cell.get(row_field))), columns.index(str(cell.get(column_field)))
        reason = withheld.get(_key(cell, fields))
        colour = {None: PUBLISHED, "primary": PRIMARY}.get(reason, SECONDARY)
        label = f"{row_field}={cell.get(row_field)}, {column_field}={cell.get(column_field)}"
        said = f"withheld ({reason})" if reason else f"{_figure(cell, fields)}"
        parts.append(f'<rect x="{left + j * SQUARE}" y="{top + i * SQUARE}" '
                     f'width="{SQUARE - 2}" height="{SQUARE - 2}" fill="{colour}">'
                     f'<title>{escape(label)}: {escape(said)}</title></rect>')
    legend_y = top + len(rows) * SQUARE + 20
    for k, (colour, text) in enumerate(((PUBLISHED, "published"),
                                        (PRIMARY, "withheld: fails a rule"),
                                        (SECONDARY, "withheld: would give away another"))):
        x = 10 + k * 190
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{x + 16}" y="{legend_y}" font-size="11">'
                     f'{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def picture(cells: Sequence[Mapping[str, Any]], fields: Sequence[str],
            check: Mapping[str, Any], *, kind: str, name: str) -> str | None:
    """The picture that suits an output, or None (regressions, three or more groupings)."""
    if kind in ("frequency", "magnitude", "histogram") and len(fields) == 1 and cells:
        return bar_chart(cells, fields, check, title=f"{name}: {fields[0]}")
    if kind in ("frequency", "magnitude") and len(fields) == 2 and cells:
        return suppression_map(cells, fields, check,
                               title=f"{name}: which cells are published and withheld")
    return None
