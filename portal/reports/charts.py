"""Inline SVG charts for the web pages AND the PDF report (the one chart module; no JS, no deps).

Every function returns an `<svg>` string with a `viewBox` (it scales to its container on a
phone), `font-family` on the root element (WeasyPrint ignores document CSS for SVG text),
an accessible `<title>`/`<desc>`, and every label escaped. Presentation is set with SVG
attributes, not `style`, so the PDF renderer and browsers agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import count
from typing import Any
from xml.sax.saxutils import escape, quoteattr

DEFAULT_FONT = "PortalSans, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#d1d5db"
PRIMARY = "#1d4ed8"
PRIMARY_FILL = "#93c5fd"
REFERENCE = "#f59e0b"
GOOD = "#15803d"
TRACK = "#e5e7eb"

_ids = count(1)


def _fmt(value: float | None, digits: int = 0) -> str:
    """Format a number for a label ("–" for None)."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def _num(value: float) -> str:
    """Format a coordinate compactly."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, font_size: float) -> float:
    """Estimate the rendered width of `text`: CJK and full-width characters are ~1 em, others ~0.55 em."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return (wide + 0.56 * (len(text) - wide)) * font_size


def _wrap_label(text: str, font_size: float, max_width: float) -> list[str]:
    """Split a label into at most two lines near the middle (at a space when it has spaces)."""
    if _text_width(text, font_size) <= max_width or len(text) < 4:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle)) if spaces else middle
    return [text[:cut].strip(), text[cut:].strip()]


def _svg_open(
    width: float, height: float, title: str, desc: str, font_family: str, css_class: str
) -> tuple[str, str]:
    """Return the opening `<svg>` with title and description, and the id prefix used."""
    uid = f"chart{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr(css_class)} '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f"font-family={quoteattr(font_family)}>"
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return head, uid


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 11,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    baseline_shift: float = 0.35,
) -> str:
    """Return an escaped `<text>` element; `baseline_shift` (in em) centres it vertically on y."""
    weight_attr = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y + baseline_shift * size)}" font-size="{_num(size)}" '
        f'text-anchor="{anchor}" fill="{fill}"{weight_attr}>{escape(text)}</text>'
    )


def _clamp(value: float | None, low: float, high: float) -> float:
    """Clamp `value` into [low, high] (None counts as low)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return low
    return max(low, min(high, float(value)))


def radar_chart(
    dimensions: Sequence[Mapping[str, Any]],
    overlay: Sequence[float | None] | None = None,
    *,
    size: float = 300,
    max_value: float = 100,
    font_family: str = DEFAULT_FONT,
    title: str = "Dimension scores",
    value_name: str = "Score",
    overlay_name: str = "Peer median",
    show_values: bool = True,
) -> str:
    """Radar chart of dimension scores (`[{"label", "value"}]`, 0..max_value) with an optional overlay."""
    n = len(dimensions)
    font_size = 11.0
    max_label = size * 0.55
    wrapped = [_wrap_label(str(d["label"]), font_size, max_label) for d in dimensions]
    label_pad_x = max([_text_width(line, font_size) for lines in wrapped for line in lines] + [40]) + 10
    label_pad_y = 3.8 * font_size
    legend_h = 20 if overlay is not None else 0
    width = size + 2 * label_pad_x
    height = size + 2 * label_pad_y + legend_h
    cx, cy, radius = width / 2, label_pad_y + size / 2, size / 2
    desc_parts = [
        f"{d['label']}: {_fmt(d.get('value'))}"
        + (f" ({overlay_name} {_fmt(overlay[i])})" if overlay is not None and i < len(overlay) else "")
        for i, d in enumerate(dimensions)
    ]
    head, _ = _svg_open(width, height, title, "; ".join(desc_parts), font_family, "chart chart-radar")
    parts = [head]
    if n < 3:
        parts.append(_text(width / 2, height / 2, "–", anchor="middle", fill=MUTED))
        parts.append("</svg>")
        return "".join(parts)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / n
        r = radius * value / max_value
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def polygon(values: Iterable[float]) -> str:
        return " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, v) for i, v in enumerate(values)))

    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<polygon points="{polygon([ring * max_value] * n)}" fill="none" stroke="{GRID}" '
            f'stroke-width="{1 if ring == 1.0 else 0.6}"/>'
        )
    for i in range(n):
        x, y = point(i, max_value)
        parts.append(
            f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" stroke="{GRID}" stroke-width="0.6"/>'
        )
    for ring in (0.2, 0.4, 0.6, 0.8):
        parts.append(
            _text(cx + 3, cy - radius * ring, _fmt(ring * max_value), size=7, fill=MUTED, baseline_shift=0.9)
        )
    if overlay is not None:
        overlay_values = [_clamp(overlay[i] if i < len(overlay) else None, 0, max_value) for i in range(n)]
        parts.append(
            f'<polygon points="{polygon(overlay_values)}" fill="none" stroke="{REFERENCE}" '
            f'stroke-width="1.6" stroke-dasharray="5 3"/>'
        )
    values = [_clamp(d.get("value"), 0, max_value) for d in dimensions]
    parts.append(
        f'<polygon points="{polygon(values)}" fill="{PRIMARY_FILL}" fill-opacity="0.45" '
        f'stroke="{PRIMARY}" stroke-width="1.8"/>'
    )
    for i, v in enumerate(values):
        x, y = point(i, v)
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.4" fill="{PRIMARY}"/>')
    for i, dim in enumerate(dimensions):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx = cx + (radius + 8) * math.cos(angle)
        ly = cy + (radius + 8) * math.sin(angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        sin = math.sin(angle)
        offset = -0.6 if sin < -0.5 else (0.6 if sin > 0.5 else 0)
        lines = wrapped[i]
        if sin < -0.5 and len(lines) > 1:
            offset -= 1.15  # labels above the chart grow upwards
        for number, line in enumerate(lines):
            parts.append(
                _text(lx, ly + (offset + 1.15 * number) * font_size, line, size=font_size, anchor=anchor)
            )
        if show_values:
            parts.append(
                _text(
                    lx,
                    ly + (offset + 1.15 * len(lines)) * font_size,
                    _fmt(dim.get("value")),
                    size=9.5,
                    anchor=anchor,
                    fill=PRIMARY,
                    weight="bold",
                )
            )
    if overlay is not None:
        ly = height - legend_h / 2
        lx = width / 2 - 80
        parts.append(
            f'<rect x="{_num(lx)}" y="{_num(ly - 5)}" width="14" height="10" fill="{PRIMARY_FILL}" '
            f'stroke="{PRIMARY}" stroke-width="1.2"/>'
        )
        parts.append(_text(lx + 18, ly, value_name, size=9.5))
        lx2 = width / 2 + 10
        parts.append(
            f'<line x1="{_num(lx2)}" y1="{_num(ly)}" x2="{_num(lx2 + 16)}" y2="{_num(ly)}" '
            f'stroke="{REFERENCE}" stroke-width="1.8" stroke-dasharray="5 3"/>'
        )
        parts.append(_text(lx2 + 20, ly, overlay_name, size=9.5))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    width: float = 460,
    max_value: float = 100,
    font_family: str = DEFAULT_FONT,
    title: str = "Scores",
    value_name: str = "Enterprise",
    reference_name: str = "Peers",
    unit: str = "",
    digits: int = 0,
) -> str:
    """Horizontal bars (`[{"label", "value", "reference"}]`): the enterprise's value vs a reference mark."""
    font_size = 10.5
    row_h = 20.0
    label_w = max([_text_width(str(r["label"]), font_size) for r in rows] + [30]) + 8
    value_w = 44.0
    has_reference = any(r.get("reference") is not None for r in rows)
    legend_h = 18.0 if has_reference else 0.0
    height = len(rows) * row_h + legend_h + 6
    bar_x = label_w
    bar_w = max(width - label_w - value_w, 60)
    desc = "; ".join(
        f"{r['label']}: {_fmt(r.get('value'), digits)}{unit}"
        + (
            f" ({reference_name} {_fmt(r.get('reference'), digits)}{unit})"
            if r.get("reference") is not None
            else ""
        )
        for r in rows
    )
    head, _ = _svg_open(width, height, title, desc, font_family, "chart chart-bar")
    parts = [head]
    for i, row in enumerate(rows):
        y = 3 + i * row_h
        mid = y + row_h / 2
        parts.append(_text(bar_x - 6, mid, str(row["label"]), size=font_size, anchor="end"))
        parts.append(
            f'<rect x="{_num(bar_x)}" y="{_num(mid - 6)}" width="{_num(bar_w)}" height="12" fill="{TRACK}" rx="2"/>'
        )
        value = row.get("value")
        if value is not None:
            w = bar_w * _clamp(value, 0, max_value) / max_value
            parts.append(
                f'<rect x="{_num(bar_x)}" y="{_num(mid - 6)}" width="{_num(w)}" height="12" fill="{PRIMARY}" rx="2"/>'
            )
        reference = row.get("reference")
        if reference is not None:
            rx = bar_x + bar_w * _clamp(reference, 0, max_value) / max_value
            parts.append(
                f'<line x1="{_num(rx)}" y1="{_num(mid - 9)}" x2="{_num(rx)}" y2="{_num(mid + 9)}" '
                f'stroke="{REFERENCE}" stroke-width="2.4"/>'
            )
        parts.append(
            _text(
                bar_x + bar_w + 6,
                mid,
                _fmt(value, digits) + (unit if value is not None else ""),
                size=font_size,
            )
        )
    if has_reference:
        ly = height - legend_h / 2
        parts.append(
            f'<rect x="{_num(bar_x)}" y="{_num(ly - 5)}" width="14" height="10" fill="{PRIMARY}" rx="2"/>'
        )
        parts.append(_text(bar_x + 18, ly, value_name, size=9))
        lx = bar_x + 30 + _text_width(value_name, 9)
        parts.append(
            f'<line x1="{_num(lx)}" y1="{_num(ly - 7)}" x2="{_num(lx)}" y2="{_num(ly + 7)}" '
            f'stroke="{REFERENCE}" stroke-width="2.4"/>'
        )
        parts.append(_text(lx + 6, ly, reference_name, size=9))
    parts.append("</svg>")
    return "".join(parts)


def level_gauge(
    level: int,
    *,
    band: int | None = None,
    levels: int = 5,
    labels: Sequence[str] | None = None,
    width: float = 360,
    font_family: str = DEFAULT_FONT,
    title: str = "Maturity level",
) -> str:
    """Five-step level gauge: steps up to `level` filled, steps up to the score `band` outlined."""
    height = 46.0
    gap = 4.0
    step_w = (width - gap * (levels - 1)) / levels
    band = level if band is None else band
    step_labels = list(labels) if labels else [str(i) for i in range(1, levels + 1)]
    desc = f"{title}: {level} / {levels}" + (f" (band {band})" if band != level else "")
    head, _ = _svg_open(width, height, title, desc, font_family, "chart chart-level")
    parts = [head]
    for i in range(levels):
        step = i + 1
        x = i * (step_w + gap)
        bar_h = 10 + 14 * step / levels
        y = 28 - bar_h
        if step <= level:
            fill, stroke = PRIMARY, PRIMARY
        elif step <= band:
            fill, stroke = PRIMARY_FILL, PRIMARY
        else:
            fill, stroke = TRACK, GRID
        dash = ' stroke-dasharray="3 2"' if level < step <= band else ""
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(step_w)}" height="{_num(bar_h)}" rx="2" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1"{dash}/>'
        )
        label = step_labels[i] if i < len(step_labels) else str(step)
        parts.append(
            _text(
                x + step_w / 2,
                38,
                label,
                size=9.5,
                anchor="middle",
                fill=INK if step == level else MUTED,
                weight="bold" if step == level else None,
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def target_gauge(
    value: float | None,
    target: float | None,
    *,
    max_value: float = 100,
    label: str = "",
    unit: str = "%",
    target_name: str = "Target",
    width: float = 300,
    font_family: str = DEFAULT_FONT,
    digits: int = 1,
) -> str:
    """One horizontal bar: a value against a target line (e.g. a plan target for the city)."""
    height = 40.0 if label else 28.0
    top = 16.0 if label else 4.0
    bar_w = width - 60
    reached = value is not None and target is not None and value >= target
    desc = f"{label}: {_fmt(value, digits)}{unit}; {target_name} {_fmt(target, digits)}{unit}"
    head, _ = _svg_open(width, height, label or target_name, desc, font_family, "chart chart-target")
    parts = [head]
    if label:
        parts.append(_text(0, 6, label, size=10))
    parts.append(f'<rect x="0" y="{_num(top)}" width="{_num(bar_w)}" height="12" rx="2" fill="{TRACK}"/>')
    if value is not None:
        w = bar_w * _clamp(value, 0, max_value) / max_value
        parts.append(
            f'<rect x="0" y="{_num(top)}" width="{_num(w)}" height="12" rx="2" '
            f'fill="{GOOD if reached else PRIMARY}"/>'
        )
    if target is not None:
        tx = bar_w * _clamp(target, 0, max_value) / max_value
        parts.append(
            f'<line x1="{_num(tx)}" y1="{_num(top - 3)}" x2="{_num(tx)}" y2="{_num(top + 15)}" '
            f'stroke="{REFERENCE}" stroke-width="2.4"/>'
        )
    parts.append(
        _text(
            bar_w + 6,
            top + 6,
            _fmt(value, digits) + (unit if value is not None else ""),
            size=10,
            weight="bold",
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def distribution_bars(
    bins: Sequence[Mapping[str, Any]],
    *,
    highlight: int | None = None,
    width: float = 320,
    height: float = 140,
    font_family: str = DEFAULT_FONT,
    title: str = "Distribution",
) -> str:
    """Vertical bars of counts (`[{"label", "count"}]`), e.g. enterprises per level; `highlight` is a bin index."""
    n = max(len(bins), 1)
    top_pad, bottom_pad = 14.0, 18.0
    plot_h = height - top_pad - bottom_pad
    slot = width / n
    bar_w = slot * 0.64
    largest = max([int(b.get("count") or 0) for b in bins] + [1])
    desc = "; ".join(f"{b['label']}: {int(b.get('count') or 0)}" for b in bins)
    head, _ = _svg_open(width, height, title, desc, font_family, "chart chart-distribution")
    parts = [head]
    parts.append(
        f'<line x1="0" y1="{_num(top_pad + plot_h)}" x2="{_num(width)}" y2="{_num(top_pad + plot_h)}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    for i, b in enumerate(bins):
        value = int(b.get("count") or 0)
        h = plot_h * value / largest
        x = i * slot + (slot - bar_w) / 2
        y = top_pad + plot_h - h
        fill = PRIMARY if i == highlight else PRIMARY_FILL
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" fill="{fill}"/>'
        )
        parts.append(_text(x + bar_w / 2, y - 6, str(value), size=9, anchor="middle", fill=MUTED))
        parts.append(
            _text(
                x + bar_w / 2,
                height - bottom_pad / 2,
                str(b["label"]),
                size=9.5,
                anchor="middle",
                weight="bold" if i == highlight else None,
            )
        )
    parts.append("</svg>")
    return "".join(parts)
