"""A locked URL fetcher for WeasyPrint: only `data:` and the bundled asset folders are readable."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("portal.reports")

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ALLOWED_SUBDIRS = ("fonts", "css", "img")
MAX_ASSET_BYTES = 20 * 1024 * 1024


class RefusedURL(ValueError):
    """A URL the report renderer is not allowed to read."""


class LockedURLFetcher(URLFetcher):
    """Serve `data:` URLs and files under portal/static/{fonts,css,img}; refuse and log everything else.

    No http(s)/ftp, no redirects, no file outside the asset folders (symlinks and `..` are
    resolved first), no `file://host/...`. WeasyPrint turns the raised error into a skipped
    resource, so hostile markup never stops a render and never reaches the network or disk.
    """

    def __init__(
        self, static_dir: Path = STATIC_DIR, allowed_subdirs: tuple[str, ...] = ALLOWED_SUBDIRS
    ) -> None:
        super().__init__(timeout=3, allowed_protocols={"data", "file"}, allow_redirects=False)
        root = static_dir.resolve()
        self.allowed_roots = tuple((root / sub).resolve() for sub in allowed_subdirs)

    def _refuse(self, url: str, reason: str) -> RefusedURL:
        logger.warning("report renderer refused URL %.200r: %s", url, reason)
        return RefusedURL(f"refused: {reason}")

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Return the resource for an allowed URL or raise RefusedURL."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url, f"scheme {scheme or '(none)'} not allowed")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "remote file host")
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "no such file") from None
        if not any(path.is_relative_to(root) for root in self.allowed_roots) or not path.is_file():
            raise self._refuse(url, "outside the bundled assets")
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise self._refuse(url, "asset too large")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".otf":
            content_type = "font/otf"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
