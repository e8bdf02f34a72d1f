"""PDF diagnostic reports and the shared SVG charts.

Importing this package points fontconfig at the bundled fonts (portal/static/fonts/fonts.conf)
so that every PDF uses the bundled PortalSans faces and never a system font. Fontconfig reads
FONTCONFIG_FILE once, when Pango first loads fonts, so the web app and the job workers must import
`portal.reports` early (before anything renders with WeasyPrint). `PORTAL_REPORTS_FONTCONFIG` may
name another fontconfig file (the benchmark uses it for the system-font baseline).
"""

from __future__ import annotations

import os
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
FONTS_DIR = STATIC_DIR / "fonts"
FONTCONFIG_FILE = FONTS_DIR / "fonts.conf"
FONT_FAMILY = "PortalSans"

os.environ["FONTCONFIG_FILE"] = os.environ.get("PORTAL_REPORTS_FONTCONFIG") or str(FONTCONFIG_FILE)

from portal.reports.pdf import (  # noqa: E402  (FONTCONFIG_FILE must be set before WeasyPrint loads)
    harfbuzz_subset_available,
    render_report_html,
    render_report_pdf,
    report_number,
    verify_report_number,
)

__all__ = [
    "FONT_FAMILY",
    "FONTS_DIR",
    "STATIC_DIR",
    "harfbuzz_subset_available",
    "render_report_html",
    "render_report_pdf",
    "report_number",
    "verify_report_number",
]
