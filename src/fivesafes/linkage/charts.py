"""Small inline SVG charts for the quality report (no scripts, no network: the file works offline).

Every label is escaped; numbers are formatted here. Each function returns one ``<svg>`` element.
"""

from __future__ import annotations

from html import escape

__all__ = ["bar_chart", "hbar_chart", "line_chart"]

_FONT = 'font-family="sans-serif" font-size="11"'


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.3g}"


def bar_chart(bars: list[tuple[str, float]], *, title: str, width: int = 720,
              height: int = 220, colour: str = "#3b6ea5", log: bool = False) -> str:
    """Vertical bars, one per ``(label, value)``; ``log`` scales heights by log10(1 + value)."""
    import math

    if not bars:
        return f"<p><em>{escape(title)}: nothing to show.</em></p>"
    top, bottom, left = 24, 40, 8
    plot = height - top - bottom
    scale = [math.log10(1 + v) if log else v for _, v in bars]
    peak = max(scale) or 1.0
    step = (width - 2 * left) / len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="{left}" y="14" {_FONT} font-weight="bold">{escape(title)}</text>']
    every = max(1, len(bars) // 16)
    for index, ((label, value), scaled) in enumerate(zip(bars, scale, strict=True)):
        h = plot * scaled / peak
        x = left + index * step
        parts.append(f'<rect x="{x + 1:.1f}" y="{top + plot - h:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}: '
                     f'{_fmt(value)}</title></rect>')
        if index % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 14}" '
                         f'text-anchor="middle" {_FONT}>{escape(label)}</text>')
    parts.append(f'<text x="{width - left}" y="{height - 6}" text-anchor="end" {_FONT}>'
                 f'{"log scale" if log else ""} max {_fmt(max(v for _, v in bars))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(bars: list[tuple[str, float]], *, title: str, width: int = 720,
               row: int = 18) -> str:
    """Horizontal bars around zero (for match weights, which may be negative)."""
    if not bars:
        return f"<p><em>{escape(title)}: nothing to show.</em></p>"
    label_width, top = 300, 24
    height = top + row * len(bars) + 8
    span = max(abs(v) for _, v in bars) or 1.0
    half = (width - label_width - 60) / 2
    zero = label_width + half
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="4" y="14" {_FONT} font-weight="bold">{escape(title)}</text>',
             f'<line x1="{zero}" y1="{top - 4}" x2="{zero}" y2="{height - 4}" stroke="#999"/>']
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        length = half * abs(value) / span
        x = zero if value >= 0 else zero - length
        colour = "#3b8a4a" if value >= 0 else "#b5443b"
        parts.append(f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end" {_FONT}>'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{max(length, 1):.1f}" '
                     f'height="{row - 5}" fill="{colour}"><title>{escape(label)}: '
                     f'{value:.2f}</title></rect>')
        parts.append(f'<text x="{width - 4}" y="{y + 12}" text-anchor="end" {_FONT}>'
                     f'{value:+.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, width: int = 720,
               height: int = 240, y_range: tuple[float, float] = (0.0, 1.0)) -> str:
    """Lines over x positions spaced evenly by point order (thresholds), one per series."""
    colours = ("#3b6ea5", "#b5443b", "#3b8a4a", "#8a5a9e")
    top, bottom, left, right = 24, 36, 44, 110
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = y_range
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="4" y="14" {_FONT} font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
             'stroke="#ccc"/>']
    for tick in (low, (low + high) / 2, high):
        y = top + plot_h * (1 - (tick - low) / ((high - low) or 1))
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>'
                     f'{tick:.4g}</text>')
    xs: list[float] = []
    for index, (name, points) in enumerate(series.items()):
        if not points:
            continue
        n = len(points)
        xs = [p[0] for p in points]
        coords = []
        for k, (_, value) in enumerate(points):
            x = left + plot_w * (k / (n - 1) if n > 1 else 0.5)
            clipped = min(max(value, low), high)
            y = top + plot_h * (1 - (clipped - low) / ((high - low) or 1))
            coords.append(f"{x:.1f},{y:.1f}")
        colour = colours[index % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{" ".join(coords)}"/>')
        parts.append(f'<text x="{width - right + 8}" y="{top + 14 * (index + 1)}" '
                     f'fill="{colour}" {_FONT}>{escape(name)}</text>')
    for k, x_value in enumerate(xs):
        x = left + plot_w * (k / (len(xs) - 1) if len(xs) > 1 else 0.5)
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                     f'{_FONT}>{x_value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)
