"""A risk assessment as a page a panel reads: the headline figures, a chart of class sizes (bins
below the threshold in a warning colour), the riskiest fields, the l-diversity of sensitive
fields and the suggestions.

The page is self-contained HTML: the chart is an inline SVG drawn here, with no script, font or
style sheet from anywhere else (secure settings have no internet), so it can be saved with an
application, opened from disk, or embedded by the web application.
"""

from __future__ import annotations

from html import escape

from fivesafes.risk.classes import HistogramBin
from fivesafes.risk.service import RiskAssessment

BAR_WIDTH, GAP, CHART_HEIGHT, LABEL_SPACE = 44, 10, 180, 42
BELOW, AT_OR_ABOVE = "#b3261e", "#2e6b3a"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 62rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; } td, th { padding: .25rem .6rem; text-align: left;
  border-bottom: 1px solid #ddd; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict-met { color: #2e6b3a; font-weight: 600; } .verdict-not { color: #b3261e;
  font-weight: 600; }
"""


def class_size_chart(bins: tuple[HistogramBin, ...], threshold: int) -> str:
    """An SVG bar chart of persons by the size of their class."""
    if not bins:
        return "<p>No classes: nobody is in the requested coverage.</p>"
    top = max(b.units for b in bins) or 1
    width = len(bins) * (BAR_WIDTH + GAP) + GAP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{CHART_HEIGHT + LABEL_SPACE}" viewBox="0 0 {width} '
             f'{CHART_HEIGHT + LABEL_SPACE}" aria-labelledby="chart-title">',
             f'<title id="chart-title">Persons by class size; classes smaller than '
             f'{threshold} in red</title>']
    for i, b in enumerate(bins):
        height = round((CHART_HEIGHT - 20) * b.units / top)
        x, y = GAP + i * (BAR_WIDTH + GAP), CHART_HEIGHT - height
        colour = BELOW if b.high is not None and b.high < threshold else AT_OR_ABOVE
        parts.append(f'<rect x="{x}" y="{y}" width="{BAR_WIDTH}" height="{height}" '
                     f'fill="{colour}"><title>class size {escape(b.label)}: {b.classes:,} '
                     f'classes, {b.units:,} persons</title></rect>')
        parts.append(f'<text x="{x + BAR_WIDTH / 2}" y="{max(y - 4, 10)}" font-size="10" '
                     f'text-anchor="middle">{b.units:,}</text>')
        parts.append(f'<text x="{x + BAR_WIDTH / 2}" y="{CHART_HEIGHT + 14}" font-size="11" '
                     f'text-anchor="middle">{escape(b.label)}</text>')
    parts.append(f'<text x="{width / 2}" y="{CHART_HEIGHT + 34}" font-size="11" '
                 'text-anchor="middle">persons by the size of their class</text></svg>')
    return "".join(parts)


def _row(*cells: object, numeric: tuple[int, ...] = ()) -> str:
    return "<tr>" + "".join(
        f'<td class="n">{escape(str(c))}</td>' if i in numeric else f"<td>{escape(str(c))}</td>"
        for i, c in enumerate(cells)) + "</tr>"


def render(assessment: RiskAssessment, *, title: str, status: str = "") -> str:
    """The whole page. ``status`` says, e.g., when it was assessed and whether it is current."""
    a, p = assessment, assessment.persons
    verdict = (f'<span class="verdict-met">meets k = {a.threshold}</span>' if a.meets_threshold
               else f'<span class="verdict-not">does NOT meet k = {a.threshold}</span>')
    headline = "".join([
        _row("smallest class (k-anonymity, persons)", p.k, numeric=(1,)),
        _row("persons in coverage", f"{p.units:,}", numeric=(1,)),
        _row("classes", f"{p.classes:,}", numeric=(1,)),
        _row(f"persons in classes below {a.threshold}", f"{p.below_k:,}", numeric=(1,)),
        _row("their records", f"{p.records_below_k:,}", numeric=(1,)),
        _row("persons unique in the data (sample uniques)", f"{p.uniques:,}", numeric=(1,)),
        _row("prosecutor risk, highest", f"{p.max_risk:.3f}", numeric=(1,)),
        _row("prosecutor risk, mean", f"{p.mean_risk:.4f}", numeric=(1,)),
    ])
    keys = "".join(_row(k.label, k.level, "already held" if k.held else "requested")
                   for k in a.keys)
    riskiest = "".join(_row(c.label, c.figures.k, f"{c.figures.below_k:,}", numeric=(1, 2))
                       for c in a.riskiest())
    diversity = "".join(_row(d.field, d.level, d.distinct_l, f"{d.entropy_l:.2f}",
                             f"{d.homogeneous_units:,}", numeric=(2, 3, 4))
                        for d in a.diversity)
    suggestions = "".join(f"<li>{escape(s.text)} (information loss {s.loss:.2f}; then k = "
                          f"{s.figures.k}, {s.figures.below_k:,} persons below k)</li>"
                          for s in a.suggestions)
    held = ""
    if a.without_held is not None:
        held = (f"<p>Without the fields the project already holds: k = {a.without_held.k}, "
                f"{a.without_held.below_k:,} persons below k.</p>")
    return "".join([
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(status)}</p>" if status else "",
        f"<p>The requested combination {verdict}.</p>",
        f"<table>{headline}</table>",
        "<h2>Class sizes</h2>", class_size_chart(a.histogram, a.threshold),
        "<h2>Quasi-identifiers assessed</h2>",
        f"<table><tr><th>field</th><th>level</th><th></th></tr>{keys}</table>",
        held,
        "<h2>Riskiest fields (the figures without each one)</h2>",
        ("<table><tr><th>without</th><th>k</th><th>persons below k</th></tr>"
         f"{riskiest}</table>") if riskiest else "<p>No requested quasi-identifier.</p>",
        "<h2>Sensitive fields: l-diversity within classes</h2>",
        ("<table><tr><th>field</th><th>level</th><th>distinct l</th><th>entropy l</th>"
         f"<th>persons in one-value classes</th></tr>{diversity}</table>")
        if diversity else "<p>No special-category or criminal-offence field requested.</p>",
        "<h2>Suggestions</h2>",
        f"<ol>{suggestions}</ol>" if suggestions else
        f"<p>{escape(a.note or 'None needed: the combination meets the threshold.')}</p>",
        f"<p><small>Information loss: {escape(a.loss_measure)}.</small></p>",
        "</body></html>",
    ])
