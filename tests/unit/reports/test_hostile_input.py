"""Enterprise-provided text that tries to make the renderer read files or call the network."""

from __future__ import annotations

import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.reports.fetcher import LockedURLFetcher, RefusedURL
from portal.reports.pdf import STATIC_DIR, render_report_html
from tests.unit.reports.conftest import render_and_read
from tests.unit.reports.sample import sample_context


class _CountingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def listener():
    """A local HTTP server that counts every request it gets."""
    _CountingHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _CountingHandler.hits
    server.shutdown()
    server.server_close()


def payloads(port: int) -> dict[str, str]:
    return {
        "name": f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/name.png">恶意公司',
        "contact": '<link rel="attachment" href="file:///etc/passwd">张三',
        "note": f'<style>@import url("http://127.0.0.1:{port}/x.css");</style>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/y.css">备注',
    }


def _attachments(reader) -> list:
    names = reader.trailer["/Root"].get("/Names")
    embedded = names.get_object().get("/EmbeddedFiles") if names else None
    files = list(reader.attachments) if hasattr(reader, "attachments") else []
    return ([embedded] if embedded else []) + files


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_hostile_enterprise_text_is_printed_literally_and_fetches_nothing(listener, inputs):
    port, hits = listener
    bad = payloads(port)
    answers = {**inputs["assessment"]["answers"], "main_difficulties": bad["note"]}
    context = sample_context(
        "zh",
        enterprise={**inputs["enterprise"], "name": bad["name"], "contact": bad["contact"]},
        assessment={**inputs["assessment"], "answers": answers},
    )
    html = render_report_html(context)
    assert "<img src=" not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    rendered = render_and_read(context)
    text = squash(rendered.text)
    for value in bad.values():
        assert squash(value) in text
    assert hits == []
    assert _attachments(rendered.reader) == []
    assert "root:x:0:0" not in rendered.text


def test_raw_hostile_html_is_stopped_by_the_fetcher(listener):
    # Even if some markup escaped the template, the locked fetcher refuses every outside resource.
    port, hits = listener
    bad = payloads(port)
    html = (
        '<html lang="zh-CN"><head><title>x</title>'
        f'<style>@import url("http://127.0.0.1:{port}/import.css"); '
        f'body {{ background: url("http://127.0.0.1:{port}/bg.png") }}</style>'
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="../../../../../etc/passwd">'
        f"</head><body>{bad['name']}{bad['contact']}{bad['note']}"
        '<a rel="attachment" href="file:///etc/hostname">a</a>'
        '<img src="css/../../../../etc/passwd">'
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:{port}/svg.png"/></svg>'
        "</body></html>"
    )
    rendered = render_and_read({}, "zh", html=html)
    assert hits == []
    assert _attachments(rendered.reader) == []
    assert "root:x:0:0" not in rendered.text
    refused = [
        r.getMessage() for r in rendered.log if r.name == "portal.reports" and "refused" in r.getMessage()
    ]
    assert any("etc/passwd" in message for message in refused)
    assert any("127.0.0.1" in message for message in refused)


def test_fetcher_serves_bundled_assets_only(caplog):
    fetcher = LockedURLFetcher()
    css = fetcher.fetch((STATIC_DIR / "css" / "report.css").as_uri())
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    refused = [
        "file:///etc/passwd",
        (STATIC_DIR / "css" / ".." / ".." / "reports" / "pdf.py").as_uri(),
        (STATIC_DIR / "css" / "%2e%2e" / ".." / "reports" / "pdf.py").as_uri(),
        "file://example.com/etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/font.otf",
        "ftp://example.com/x",
        "javascript:alert(1)",
    ]
    with caplog.at_level(logging.WARNING, logger="portal.reports"):
        for url in refused:
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)
    assert len([r for r in caplog.records if r.name == "portal.reports"]) == len(refused)
