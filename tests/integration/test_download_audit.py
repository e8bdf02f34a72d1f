"""Exports and PDF downloads leave an audit event: who, when, from which IP, which object, with which result."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    enterprise_user,
    official,
    scored_assessment,
)

from .conftest import login

YEAR = 2094
IP = "10.20.30.40"


@pytest.fixture
def world(app, tmp_path, monkeypatch) -> dict[str, Any]:
    """Two submitted enterprises of 华容区, one of 鄂城区; a 华容区 official, an enterprise user, an auditor."""
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setitem(app.config, "JOBS_MODE", "inline")
    with app.app_context():
        round_ = RoundFactory(year=YEAR)
        own = [EnterpriseFactory(district="华容区", name=f"鄂州市审计{i}有限公司") for i in range(2)]
        other = EnterpriseFactory(district="鄂城区")
        assessments = [
            scored_assessment(enterprise, round_, seed=seed) for seed, enterprise in enumerate([*own, other])
        ]
        users = {
            "official": official("华容区").username,
            "member": enterprise_user(own[0]).username,
            "auditor": UserFactory(role="auditor").username,
        }
        db.session.commit()
        return {
            **users,
            "own_assessment": assessments[0].id,
            "other_assessment": assessments[2].id,
        }


def events(app, action: str) -> list[AuditEvent]:
    """The audit events of one action, oldest first."""
    with app.app_context():
        found = list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        for event in found:
            db.session.expunge(event)
        return found


def client_at(app, username: str):
    """A logged-in test client whose requests come from the test IP."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    login(client, username, DEFAULT_PASSWORD)
    return client


def test_list_exports_are_audited_with_format_rows_filters_and_refusals(app, world):
    client = client_at(app, world["official"])
    csv_text = client.get(f"/officials/export.csv?status=assessed&round={YEAR}").get_data(as_text=True)
    assert "鄂州市审计0有限公司" in csv_text and "鄂州市审计1有限公司" in csv_text
    assert client.get(f"/officials/export.xlsx?status=assessed&round={YEAR}").status_code == 200
    assert client.get("/officials/export.csv?district=鄂城区").status_code == 404

    csv_event, xlsx_event, refused = events(app, "officials.export")
    for event, kind in ((csv_event, "csv"), (xlsx_event, "xlsx")):
        assert (event.username, event.ip, event.result) == (world["official"], IP, "success")
        assert event.object_type == "enterprise_list" and event.at is not None
        assert event.detail["format"] == kind and event.detail["rows"] == 2
        assert event.detail["filters"] == {"status": "assessed", "round": str(YEAR)}
    assert refused.result == "failure" and refused.detail["filters"] == {"district": "鄂城区"}


def test_long_exports_and_the_report_zip_are_audited_at_start_and_download(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 1)
    client = client_at(app, world["official"])
    export_job = client.get(f"/officials/export.xlsx?status=assessed&round={YEAR}").headers["Location"]
    zip_job = client.post(f"/officials/reports.zip?status=assessed&round={YEAR}").headers["Location"]
    assert client.get(export_job + "/download").status_code == 200
    assert client.get(zip_job + "/download").status_code == 200

    (export_start,) = events(app, "officials.export")
    (zip_start,) = events(app, "officials.reports_zip")
    assert export_start.detail["job"] == export_job.rsplit("/", 1)[1] and export_start.detail["rows"] == 2
    assert zip_start.detail["job"] == zip_job.rsplit("/", 1)[1] and zip_start.ip == IP
    downloads = events(app, "officials.job_download")
    assert [(e.object_type, e.object_id, e.detail["kind"], e.result) for e in downloads] == [
        ("job", export_job.rsplit("/", 1)[1], "export_xlsx", "success"),
        ("job", zip_job.rsplit("/", 1)[1], "reports_zip", "success"),
    ]
    assert downloads[1].detail["file"].endswith(".zip")

    # Another official of the same district may not fetch this official's ZIP: refused and audited.
    with app.app_context():
        colleague = official("华容区").username
        db.session.commit()
    other = client_at(app, colleague)
    assert other.get(zip_job + "/download").status_code == 404
    refused = events(app, "officials.job_download")[-1]
    assert (refused.username, refused.result, refused.object_id) == (
        colleague,
        "failure",
        zip_job.rsplit("/", 1)[1],
    )


def test_summary_and_report_pdfs_are_audited_and_the_auditor_sees_them(app, world):
    client = client_at(app, world["official"])
    assert client.get(f"/officials/summary.pdf?round={YEAR}").status_code == 200
    (summary,) = events(app, "officials.summary_pdf")
    assert (summary.username, summary.ip, summary.result, summary.object_type) == (
        world["official"],
        IP,
        "success",
        "summary",
    )
    assert summary.detail == {"filters": {"round": str(YEAR)}, "lang": "zh"}

    member = client_at(app, world["member"])
    own, other = world["own_assessment"], world["other_assessment"]
    response = member.get(f"/assessments/{own}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert member.get(f"/assessments/{other}/report.pdf?lang=en").status_code == 404
    sent, refused = events(app, "report.download")
    assert (sent.username, sent.ip, sent.result, sent.object_type, sent.object_id) == (
        world["member"],
        IP,
        "success",
        "assessment",
        str(own),
    )
    assert sent.detail["lang"] == "zh" and sent.detail["number"].startswith(f"EZ-{YEAR}-")
    assert (refused.result, refused.object_id, refused.detail["lang"]) == ("failure", str(other), "en")

    auditor = client_at(app, world["auditor"])
    page = auditor.get("/audit/?action=report.download").get_data(as_text=True)
    assert "report.download" in page and f"assessment {own}" in page and IP in page
