"""Render the diagnostic report: report context (plain dicts) -> HTML (Jinja2) -> PDF bytes (WeasyPrint).

Import `portal.reports` (not this module directly) first: the package sets FONTCONFIG_FILE before
WeasyPrint loads fonts. Renders run one at a time per process (job workers, not threads).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from portal.i18n import gettext_callables
from portal.reports import charts
from portal.reports.fetcher import STATIC_DIR, LockedURLFetcher
from portal.reports.labels import labels_for

logger = logging.getLogger("portal.reports")

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "pdf"
FONT_FAMILY = "PortalSans"
REPORT_NUMBER_RE = re.compile(r"^EZ-(\d{4})-(\d{6,})-([0-9A-Z]{4})$")
_CHECK_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I L O U


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def pdf_template(name: str) -> Any:
    """A template of templates/pdf/ (autoescaped, strict undefined), shared by every portal PDF."""
    return _environment().get_template(name)


def page_counter_css(lang: str) -> Markup:
    """The CSS `content` value of the "第 X 页 / 共 Y 页" page footer in `lang`."""
    return Markup(_page_counter_css(lang))


def embed_svg(svg: str, alt: str) -> Markup:
    """A chart from portal.reports.charts as an embedded image with alt text (for PDF templates)."""
    return _svg_image(svg, alt)


def _page_counter_css(lang: str) -> str:
    """CSS `content` value for "第 X 页 / 共 Y 页" built from the fixed label (never from user text)."""
    template = labels_for(lang)["page_of"]
    pieces = re.split(r"(\{page\}|\{pages\})", template)
    out = []
    for piece in pieces:
        if piece == "{page}":
            out.append("counter(page)")
        elif piece == "{pages}":
            out.append("counter(pages)")
        elif piece:
            out.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def _svg_image(svg: str, alt: str) -> Markup:
    """Embed a chart as a `data:` SVG image: WeasyPrint then skips the HTML cascade for its elements (faster)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, Markup(data))


def _charts(report: Mapping[str, Any], labels: Mapping[str, str], font_family: str) -> dict[str, Markup]:
    """Build the report's SVG charts (labels escaped by the chart module) as embedded images with alt text."""
    level = report["level"]
    radar = charts.radar_chart(
        report["radar"]["dimensions"],
        report["radar"]["overlay"],
        size=260,
        font_family=font_family,
        title=labels["radar_title"],
        value_name=labels["enterprise_series"],
        overlay_name=labels["peer_median"],
    )
    gauge = charts.level_gauge(
        level["gated"],
        band=level["band"],
        levels=level["count"],
        labels=[f"{labels['level_prefix']}{i}{labels['level_suffix']}" for i in range(1, level["count"] + 1)],
        font_family=font_family,
        title=labels["maturity_level"],
    )
    bars = charts.bar_chart(
        [
            {"label": d["name"], "value": d["score"], "reference": d["peer_median"]}
            for d in report["dimensions"]
        ],
        width=520,
        font_family=font_family,
        title=labels["radar_title"],
        value_name=labels["enterprise_series"],
        reference_name=labels["peer_median"],
    )
    radar_alt = "; ".join(f"{d['name']} {d['score_text']}" for d in report["dimensions"])
    return {
        "radar": _svg_image(radar, f"{labels['radar_title']}: {radar_alt}"),
        "level_gauge": _svg_image(gauge, f"{labels['maturity_level']}: {level['name']}"),
        "dimension_bars": _svg_image(bars, f"{labels['radar_title']}: {radar_alt}"),
    }


def render_report_html(
    report: Mapping[str, Any], lang: str | None = None, *, font_family: str = FONT_FAMILY
) -> str:
    """Render the report context to the HTML string WeasyPrint lays out."""
    lang = lang or report.get("lang", "zh")
    labels = labels_for(lang)
    return (
        _environment()
        .get_template("report.html")
        .render(
            r=report,
            labels=labels,
            charts=_charts(report, labels, font_family),
            page_counter_css=Markup(_page_counter_css(lang)),
            **gettext_callables(lang),
        )
    )


@lru_cache(maxsize=1)
def _font_config() -> Any:
    """One FontConfiguration per process: reuses Pango's font map and shaping caches across renders."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_report_pdf(
    report: Mapping[str, Any], lang: str | None = None, *, html: str | None = None
) -> bytes:
    """Render the report context (from `build_report_context`) to PDF/UA-1 bytes with the locked fetcher."""
    document_html = html if html is not None else render_report_html(report, lang)
    return render_pdf(document_html)


def render_pdf(html: str) -> bytes:
    """Render any portal PDF template's HTML to PDF/UA-1 bytes: bundled fonts, locked fetcher, A4 from its CSS."""
    from weasyprint import HTML  # imported late: portal.reports has set FONTCONFIG_FILE by now

    return HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=LockedURLFetcher(),
    ).write_pdf(
        font_config=_font_config(),
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
        presentational_hints=False,
        attachments=None,
        custom_metadata=False,
    )


def _check_code(secret: bytes | str, body: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    value = int.from_bytes(digest[:4], "big")
    return "".join(_CHECK_ALPHABET[(value >> (5 * i)) & 31] for i in range(4))


def report_number(round_year: int, assessment_id: int, secret: bytes | str) -> str:
    """Return the public report number, e.g. "EZ-2025-000123-7KQ2" (4-character HMAC check)."""
    body = f"EZ-{int(round_year):04d}-{int(assessment_id):06d}"
    return f"{body}-{_check_code(secret, body)}"


def verify_report_number(number: str, secret: bytes | str) -> tuple[int, int] | None:
    """Return (round year, assessment id) when `number` is well-formed and its check matches, else None."""
    match = REPORT_NUMBER_RE.match((number or "").strip().upper())
    if not match:
        return None
    year, assessment_id, check = match.groups()
    if not hmac.compare_digest(_check_code(secret, f"EZ-{year}-{assessment_id}"), check):
        return None
    return int(year), int(assessment_id)


def harfbuzz_subset_available() -> bool:
    """True when WeasyPrint found libharfbuzz-subset >= 4.1 (without it font subsetting is 10-20x slower)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
