"""Bulk report PDFs as a ZIP: a background job over the filtered list, scoped, reusing cached reports."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pypdf
import pytest

from portal.extensions import db
from portal.officials.jobs_runners import safe_name, zip_member_name
from portal.reports import service
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    official,
    scored_assessment,
)

from .conftest import login

YEAR = 2093


@pytest.fixture
def world(app) -> dict[str, Any]:
    """华容区: two submitted, one verified (a name with path characters), one draft; 鄂城区: two submitted."""
    with app.app_context():
        round_ = RoundFactory(year=YEAR)
        huarong = [
            EnterpriseFactory(district="华容区", name="鄂州市华容区甲机械有限公司"),
            EnterpriseFactory(district="华容区", name="鄂州市华容区乙/丙:电子有限公司"),
            EnterpriseFactory(district="华容区", name="鄂州市华容区丁材料有限公司"),
        ]
        echeng = [EnterpriseFactory(district="鄂城区", name=f"鄂城区戊{i}钢铁有限公司") for i in range(2)]
        for index, enterprise in enumerate(huarong + echeng):
            scored_assessment(
                enterprise, round_, status="verified" if index == 2 else "submitted", seed=index
            )
        scored_assessment(
            EnterpriseFactory(district="华容区", name="鄂州市华容区草稿有限公司"), round_, status="draft"
        )
        district = official("华容区")
        city = official(None)
        admin = UserFactory(role="admin")
        db.session.commit()
        return {
            "huarong": [e.name for e in huarong],
            "echeng": [e.name for e in echeng],
            "district": district.username,
            "city": city.username,
            "admin": admin.username,
        }


@pytest.fixture
def renders(app, tmp_path, monkeypatch) -> dict[str, int]:
    """Private report and job folders, jobs run inline, and a counter of real PDF renders."""
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setitem(app.config, "JOBS_MODE", "inline")
    state = {"count": 0}
    real = service.render_report_pdf

    def counting(context: Any, lang: str | None = None, **kwargs: Any) -> bytes:
        state["count"] += 1
        return real(context, lang, **kwargs)

    monkeypatch.setattr(service, "render_report_pdf", counting)
    return state


def start_zip(client, query: str = "") -> str:
    """Press the list's ZIP button; the URL of the job page it leads to."""
    response = client.post(f"/officials/reports.zip?status=assessed&round={YEAR}{query}")
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert re.search(r"/officials/jobs/[0-9a-f]+$", location)
    return location


def download_zip(client, job_url: str) -> zipfile.ZipFile:
    """Check the job page says done and links the file; return the downloaded ZIP."""
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page
    assert f'href="{job_url}/download"' in page
    response = client.get(job_url + "/download")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def pdf_text(data: bytes) -> str:
    """All text of a PDF without whitespace."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def test_the_zip_holds_exactly_the_district_officials_reports(app, client, world, renders):
    login(client, world["district"], DEFAULT_PASSWORD)
    page = client.get(f"/officials/enterprises?status=assessed&round={YEAR}").get_data(as_text=True)
    assert 'action="/officials/reports.zip?' in page

    archive = download_zip(client, start_zip(client))
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            f"华容区_鄂州市华容区甲机械有限公司_{YEAR}.pdf",
            f"华容区_鄂州市华容区乙_丙_电子有限公司_{YEAR}.pdf",
            f"华容区_鄂州市华容区丁材料有限公司_{YEAR}.pdf",
        ]
    )
    assert not any("鄂城" in name or "草稿" in name for name in names)
    for member, enterprise in zip(sorted(names), sorted(world["huarong"]), strict=True):
        data = archive.read(member)
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        assert enterprise in text
        assert not any(other in text for other in world["echeng"])
    assert renders["count"] == 3

    # Asking for another district is refused; a filter narrows the ZIP.
    assert client.post(f"/officials/reports.zip?round={YEAR}&district=鄂城区").status_code == 404
    narrowed = download_zip(client, start_zip(client, "&q=丁材料"))
    assert narrowed.namelist() == [f"华容区_鄂州市华容区丁材料有限公司_{YEAR}.pdf"]
    assert renders["count"] == 3  # the cached report was reused


def test_cached_reports_are_reused_and_only_missing_ones_are_rendered(app, client, world, renders):
    login(client, world["district"], DEFAULT_PASSWORD)
    download_zip(client, start_zip(client))
    assert renders["count"] == 3

    city = app.test_client()
    login(city, world["city"], DEFAULT_PASSWORD)
    archive = download_zip(city, start_zip(city))
    names = archive.namelist()
    assert len(names) == 5
    assert {name.split("_", 1)[0] for name in names} == {"华容区", "鄂城区"}
    assert renders["count"] == 5  # three reused, the two 鄂城区 reports rendered once

    download_zip(city, start_zip(city, "&lang=en"))  # English is its own cached report
    assert renders["count"] == 10
    download_zip(city, start_zip(city, "&lang=en"))
    assert renders["count"] == 10


def test_only_the_official_who_started_the_job_downloads_it(app, client, world, renders):
    login(client, world["district"], DEFAULT_PASSWORD)
    job_url = start_zip(client)
    assert client.get(job_url + "/download").status_code == 200
    for username in (world["city"], world["admin"]):
        other = app.test_client()
        login(other, username, DEFAULT_PASSWORD)
        assert other.get(job_url + "/download").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(job_url + "/download").status_code == 302


def test_progress_counts_the_reports_written(app, client, world, renders):
    from portal.models_officials import Job

    login(client, world["city"], DEFAULT_PASSWORD)
    job_url = start_zip(client, "&district=鄂城区")
    with app.app_context():
        job = db.session.get(Job, job_url.rsplit("/", 1)[1])
        assert (job.status, job.progress, job.total) == ("done", 2, 2)
    page = client.get(job_url).get_data(as_text=True)
    assert '<progress max="2" value="2">' in page


def test_member_names_are_safe_and_unique():
    taken: set[str] = set()
    first = zip_member_name("华容区", "../甲*公司?", "2025", taken)
    second = zip_member_name("华容区", "../甲*公司?", "2025", taken)
    assert first == "华容区_甲_公司_2025.pdf"
    assert second == "华容区_甲_公司_2025_2.pdf"
    assert "/" not in safe_name("a/b\\c") and "\\" not in safe_name("a/b\\c")
    assert safe_name("\x00..") == "_"
