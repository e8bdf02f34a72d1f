"""Shared report fixtures: one rendered sample report per language, with WeasyPrint's log captured."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pypdf
import pytest

import portal.reports  # noqa: F401  (sets FONTCONFIG_FILE before WeasyPrint loads fonts)
from portal.reports import render_report_pdf
from tests.unit.reports.sample import sample_context, sample_inputs


@dataclass
class RenderedReport:
    """A rendered PDF with its context, its text and the log records WeasyPrint emitted."""

    context: dict
    pdf: bytes
    reader: pypdf.PdfReader
    text: str
    pages: list[str]
    log: list[logging.LogRecord]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def render_and_read(context: dict, lang: str | None = None, html: str | None = None) -> RenderedReport:
    """Render `context` and return the PDF, its extracted text and the captured log records."""
    handler = _Collect()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("portal.reports")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        pdf = render_report_pdf(context, lang, html=html)
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() or "" for page in reader.pages]
    return RenderedReport(context, pdf, reader, "\n".join(pages), pages, handler.records)


@pytest.fixture(scope="session")
def inputs() -> dict:
    """The inputs of build_report_context for the sample enterprise (real questionnaire and scoring)."""
    return sample_inputs()


@pytest.fixture(scope="session")
def zh_report() -> RenderedReport:
    """The sample report rendered in Chinese."""
    return render_and_read(sample_context("zh"))


@pytest.fixture(scope="session")
def en_report() -> RenderedReport:
    """The sample report rendered in English."""
    return render_and_read(sample_context("en"))
