"""Background jobs without Redis (the default of `make run`): each job runs in a real separate process.

The savepoint-isolated test session cannot be seen by another process, so these tests build their own
app on a scratch database (a SQLite file, or <test database>_jobsproc on PostgreSQL) with committed data.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from openpyxl import load_workbook

from portal import create_app
from portal.extensions import db
from portal.models_officials import Job
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    official,
    scored_assessment,
)

from .conftest import ROOT, login
from .scratch_db import scratch_database

YEAR = 2091
NAMES = ("鄂州市华容区进程甲机械有限公司", "鄂州市华容区进程乙电子有限公司", "鄂州市华容区进程丙材料有限公司")


@pytest.fixture
def db_transaction() -> Iterator[None]:
    """No shared savepoint here: the job process must see committed rows of its own database."""
    yield


@pytest.fixture
def process_app(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    """An app with JOBS_MODE=process on a migrated scratch database: three submitted enterprises of 华容区."""
    with scratch_database(database_url, "jobsproc", tmp_path) as url:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "JOBS_MODE": "process",
                "JOBS_DIR": str(tmp_path / "jobs"),
                "REPORTS_DIR": str(tmp_path / "reports"),
                "EXPORT_INLINE_ROWS": 2,
            },
        )
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            round_ = RoundFactory(year=YEAR)
            for seed, name in enumerate(NAMES):
                scored_assessment(EnterpriseFactory(district="华容区", name=name), round_, seed=seed)
            users = {"district": official("华容区").username, "admin": UserFactory(role="admin").username}
            db.session.commit()
        try:
            yield app, users
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def wait_until_finished(app: Flask, job_id: str, timeout: float = 300) -> Job:
    """Poll the jobs table (as the job page does) until the job process has finished it."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge(job)
            db.session.remove()
        log = Path(app.config["JOBS_DIR"]) / f"{job_id}.log"
        output = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if job.status in ("done", "failed"):
            assert job.status == "done", f"{job.kind} failed:\n{job.error}\n{output}"
            return job
        assert time.monotonic() < deadline, f"{job.kind} still {job.status} after {timeout} s:\n{output}"
        time.sleep(0.5)


def job_id_of(location: str) -> str:
    """The job id at the end of a job page URL."""
    found = re.search(r"/jobs/([0-9a-f]{32})$", location)
    assert found, location
    return found.group(1)


def test_the_report_zip_is_built_by_a_separate_process(process_app):
    app, users = process_app
    client = app.test_client()
    login(client, users["district"], DEFAULT_PASSWORD)
    response = client.post(f"/officials/reports.zip?status=assessed&round={YEAR}")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    wait_until_finished(app, job_id_of(job_url))

    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page and f'href="{job_url}/download"' in page
    download = client.get(job_url + "/download")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == sorted(f"华容区_{name}_{YEAR}.pdf" for name in NAMES)
    assert all(archive.read(member).startswith(b"%PDF-") for member in archive.namelist())


def test_an_export_over_the_row_limit_is_written_by_a_separate_process(process_app):
    app, users = process_app
    client = app.test_client()
    login(client, users["district"], DEFAULT_PASSWORD)
    response = client.get(f"/officials/export.xlsx?status=assessed&round={YEAR}")
    assert response.status_code == 302 and "/officials/jobs/" in response.headers["Location"]
    job_url = response.headers["Location"]
    job = wait_until_finished(app, job_id_of(job_url))
    assert job.progress == job.total == len(NAMES)

    assert 'data-status="done"' in client.get(job_url).get_data(as_text=True)
    download = client.get(job_url + "/download")
    values = list(load_workbook(io.BytesIO(download.data))["企业名单"].values)
    assert values[0][1] == "企业名称"
    assert sorted(row[1] for row in values[1:]) == sorted(NAMES)


def test_admin_rescore_runs_in_a_separate_process(process_app):
    app, users = process_app
    client = app.test_client()
    login(client, users["admin"], DEFAULT_PASSWORD)
    response = client.post("/admin/rescore")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    wait_until_finished(app, job_id_of(job_url))

    status = client.get(job_url + "?format=json").get_json()
    assert status["status"] == "done" and status["error"] is None
    assert status["progress"] == status["total"] == len(NAMES)
    assert status["summary"]["scored"] == len(NAMES) and status["summary"]["failed"] == 0
    assert "已完成" in client.get(job_url).get_data(as_text=True)
