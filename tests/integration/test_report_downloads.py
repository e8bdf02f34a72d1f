"""The report PDF through the web: who may download it, the cache, invalidation, failures and retries, English."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment
from portal.reports import service
from portal.services import assessments, results
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    enterprise_user,
    official,
)

from .conftest import login


def squash(text: str) -> str:
    """Text without whitespace (PDF extraction breaks lines anywhere)."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    """All text of a PDF, whitespace removed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return squash("".join(page.extract_text() or "" for page in reader.pages))


@pytest.fixture
def renders(app, tmp_path, monkeypatch) -> dict[str, Any]:
    """A private cache folder and a counter of real PDF renders (the wrapped WeasyPrint call)."""
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "REPORTS_WAIT_SECONDS", 0)
    state: dict[str, Any] = {"count": 0, "fail": False, "dir": tmp_path / "reports"}
    real = service.render_report_pdf

    def counting(context: Any, lang: str | None = None, **kwargs: Any) -> bytes:
        state["count"] += 1
        if state["fail"]:
            raise RuntimeError("simulated renderer crash")
        return real(context, lang, **kwargs)

    monkeypatch.setattr(service, "render_report_pdf", counting)
    return state


def submitted(
    app, *, name: str = "鄂州市华容区堃喆昇垚精密机械有限公司", district: str = "华容区", seed: int = 5
) -> dict[str, Any]:
    """An enterprise with an owner who submitted the self-assessment through the real service."""
    with app.app_context():
        enterprise = EnterpriseFactory(name=name, district=district)
        owner = enterprise_user(enterprise)
        round_ = RoundFactory()
        questionnaire_id, version, catalogue_version = results.published_versions()
        questionnaire = questionnaires.load(questionnaire_id, version)
        answers = scoring.random_answers(
            questionnaire,
            random.Random(seed),
            quality=0.5,
            context=results.scoring_context(enterprise),
        )
        assessment = Assessment(
            enterprise=enterprise,
            round=round_,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            catalogue_version=catalogue_version,
            status="draft",
            answers=answers,
        )
        db.session.add(assessment)
        db.session.commit()
        assessments.submit(assessment, owner)
        return {
            "id": assessment.id,
            "owner": owner.username,
            "name": name,
            "uscc": enterprise.uscc,
            "year": round_.year,
            "url": f"/assessments/{assessment.id}/report.pdf",
        }


def as_user(app, client, username: str) -> None:
    """Log `username` in on `client`."""
    client.post("/logout")
    response = login(client, username, DEFAULT_PASSWORD)
    assert response.status_code in (302, 303), response.status_code


def make_user(app, **kwargs: Any) -> str:
    """Create a user and return its username."""
    with app.app_context():
        if kwargs.pop("official_of", False) is not False:
            user = official(kwargs.pop("district", None))
        else:
            user = UserFactory(**kwargs)
        db.session.commit()
        return user.username


def test_owner_official_in_scope_and_admin_download_the_pdf_others_get_404(app, client, renders):
    report = submitted(app)
    as_user(app, client, report["owner"])
    response = client.get(report["url"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"
    text = pdf_text(response.data)
    assert report["name"] in text and report["uscc"] in text
    assert "自评结果，未经核验" in text
    assert renders["count"] == 1

    allowed = {
        "district official": make_user(app, official_of=True, district="华容区"),
        "city official": make_user(app, official_of=True),
        "admin": make_user(app, role="admin"),
    }
    for who, username in allowed.items():
        as_user(app, client, username)
        again = client.get(report["url"])
        assert again.status_code == 200, who
        assert again.data == response.data, who  # served from the cache
    assert renders["count"] == 1

    other = submitted(app, name="鄂州市鄂城区另一家制造有限公司", district="鄂城区", seed=6)
    refused = {
        "other enterprise's user": other["owner"],
        "other district's official": make_user(app, official_of=True, district="鄂城区"),
        "auditor": make_user(app, role="auditor"),
    }
    for who, username in refused.items():
        as_user(app, client, username)
        assert client.get(report["url"]).status_code == 404, who
        assert client.get(f"/assessments/{report['id']}/report/status").status_code == 404, who
    client.post("/logout")
    anonymous = client.get(report["url"])
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert renders["count"] == 1


def test_a_draft_has_no_report(app, client, renders):
    with app.app_context():
        user = enterprise_user()
        round_ = RoundFactory()
        enterprise = user.memberships[0].enterprise
        questionnaire_id, version, catalogue_version = results.published_versions()
        draft = Assessment(
            enterprise=enterprise,
            round=round_,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            catalogue_version=catalogue_version,
            status="draft",
            answers={},
        )
        db.session.add(draft)
        db.session.commit()
        username, draft_id = user.username, draft.id
    as_user(app, client, username)
    assert client.get(f"/assessments/{draft_id}/report.pdf").status_code == 404
    assert renders["count"] == 0


def test_second_download_comes_from_the_cache_and_a_new_result_or_verification_renders_again(
    app, client, renders
):
    report = submitted(app)
    as_user(app, client, report["owner"])
    first = client.get(report["url"])
    second = client.get(report["url"])
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert renders["count"] == 1
    with app.app_context():
        assessment = db.session.get(Assessment, report["id"])
        assert assessment.report_status == "ready"
        # Re-score on changed answers: a new result hash must miss the cache.
        questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
        assessment.answers = scoring.random_answers(
            questionnaire, random.Random(99), quality=0.9, context=assessment.context
        )
        old_hash = assessment.result_hash
        results.score_and_store(assessment)
        db.session.commit()
        assert assessment.result_hash != old_hash
    rescored = client.get(report["url"])
    assert rescored.status_code == 200 and renders["count"] == 2
    assert rescored.data != first.data
    assert len(list(renders["dir"].glob(f"{report['id']}-*-zh.pdf"))) == 1  # the stale file is gone

    reviewer = make_user(app, role="official", scope="city", is_reviewer=True, display_name="市经信局王审")
    with app.app_context():
        from portal.models import User
        from portal.services import review

        reviewer_user = db.session.scalar(db.select(User).where(User.username == reviewer))
        review.verify(db.session.get(Assessment, report["id"]), reviewer_user)
    verified = client.get(report["url"])
    assert verified.status_code == 200 and renders["count"] == 3
    text = pdf_text(verified.data)
    assert "已核验" in text and "市经信局王审" in text
    assert "自评结果，未经核验" not in text


def test_english_report_with_lang_en(app, client, renders):
    report = submitted(app)
    as_user(app, client, report["owner"])
    response = client.get(report["url"] + "?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "DigitalMaturityDiagnosticReport" in text and report["name"] in text
    chinese = client.get(report["url"] + "?lang=zh")
    assert "制造业企业数字化水平诊断报告" in pdf_text(chinese.data)
    assert renders["count"] == 2
    assert client.get(report["url"] + "?lang=en").data == response.data
    assert renders["count"] == 2


def test_a_failed_render_shows_an_error_with_a_retry_button_and_the_retry_works(app, client, renders):
    report = submitted(app)
    as_user(app, client, report["owner"])
    renders["fail"] = True
    failed = client.get(report["url"])
    assert failed.status_code == 500
    page = failed.get_data(as_text=True)
    assert "报告生成失败" in page
    assert f'action="/assessments/{report["id"]}/report/retry"' in page and 'method="post"' in page
    assert not list(renders["dir"].glob("*.pdf")) and not list(renders["dir"].glob(".*.tmp"))
    with app.app_context():
        assert db.session.get(Assessment, report["id"]).report_status == "failed"
    # A plain reload shows the error again without hammering the renderer.
    assert client.get(report["url"]).status_code == 500
    assert renders["count"] == 1
    state = client.get(f"/assessments/{report['id']}/report/status").get_json()
    assert state["status"] == "failed"

    renders["fail"] = False
    retried = client.post(f"/assessments/{report['id']}/report/retry", data={"lang": "zh"})
    assert retried.status_code == 303 and retried.headers["Location"].endswith(report["url"])
    download = client.get(report["url"])
    assert download.status_code == 200 and download.data[:5] == b"%PDF-"
    assert renders["count"] == 2
    with app.app_context():
        assert db.session.get(Assessment, report["id"]).report_status == "ready"


def test_retry_needs_a_csrf_token(app, client, renders, monkeypatch):
    report = submitted(app)
    as_user(app, client, report["owner"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/assessments/{report['id']}/report/retry").status_code == 400
    assert renders["count"] == 0


def test_while_another_process_renders_the_page_says_generating_and_refreshes(app, client, renders):
    report = submitted(app)
    as_user(app, client, report["owner"])
    with app.app_context():
        lock = service.cached_path(db.session.get(Assessment, report["id"]), "zh").with_suffix(".lock")
    lock.write_text("12345")
    response = client.get(report["url"])
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert "报告正在生成" in page
    assert re.search(r'<meta http-equiv="refresh" content="\d+;url=/assessments/\d+/report.pdf">', page)
    assert "<script" not in page.split("</head>")[0].split("<title>")[1]
    assert client.get(f"/assessments/{report['id']}/report/status").get_json()["status"] == "rendering"
    assert renders["count"] == 0
    lock.unlink()
    assert client.get(report["url"]).status_code == 200
    assert client.get(f"/assessments/{report['id']}/report/status").get_json()["status"] == "ready"


def test_reconciler_renders_pending_reports_once(app, renders):
    from portal.reports.tasks import missing_reports, reconcile_reports

    report = submitted(app)
    with app.app_context():
        assert report["id"] in [a.id for a in missing_reports()]
        outcome = reconcile_reports()
        assert report["id"] in outcome.rendered and not outcome.failed
        assessment = db.session.get(Assessment, report["id"])
        assert assessment.report_status == "ready"
        assert service.cached_report(assessment, "zh") is not None
        rendered = renders["count"]
        again = reconcile_reports()
        assert report["id"] not in again.rendered and renders["count"] == rendered
        # A lost file (e.g. a wiped cache) is rendered again.
        service.cached_report(assessment, "zh").unlink()
        assert report["id"] in reconcile_reports().rendered


def test_submission_enqueues_a_render_job(app, client, renders, monkeypatch):
    from portal.models_officials import Job

    monkeypatch.setitem(app.config, "REPORTS_BACKGROUND", True)
    monkeypatch.setitem(app.config, "JOBS_MODE", "inline")
    report = submitted(app)  # submitted outside a request: the reconciler's case
    with app.app_context():
        enterprise_id = db.session.get(Assessment, report["id"]).enterprise_id
        questionnaire_id, version, catalogue_version = results.published_versions()
        questionnaire = questionnaires.load(questionnaire_id, version)
        round_ = RoundFactory()
        enterprise = db.session.get(Assessment, report["id"]).enterprise
        draft = Assessment(
            enterprise_id=enterprise_id,
            round=round_,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            catalogue_version=catalogue_version,
            status="draft",
            answers=scoring.random_answers(
                questionnaire, random.Random(3), quality=0.6, context=results.scoring_context(enterprise)
            ),
        )
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    as_user(app, client, report["owner"])
    response = client.post(
        f"/assessments/{draft_id}/submit",
        data={"pledge": "y", "data_use": "y", "idempotency_key": "report-test-key-0001"},
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        job = db.session.scalar(db.select(Job).where(Job.kind == "report_pdf"))
        assert job is not None and job.status == "done" and job.params["assessment_id"] == draft_id
        assessment = db.session.get(Assessment, draft_id)
        assert assessment.report_status == "ready"
        assert service.cached_report(assessment, "zh") is not None
    before = renders["count"]
    assert client.get(f"/assessments/{draft_id}/report.pdf").status_code == 200
    assert renders["count"] == before


def test_render_report_cli_renders_afresh_into_a_file(app, renders, tmp_path):
    report = submitted(app)
    runner = app.test_cli_runner()
    output = tmp_path / "out" / "report.pdf"
    output.parent.mkdir()
    result = runner.invoke(args=["render-report", str(report["id"]), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert report["name"] in pdf_text(output.read_bytes())
    assert not list(Path(renders["dir"]).glob("*.pdf"))  # never written to (or read from) the cache
    english = tmp_path / "out" / "report-en.pdf"
    result = runner.invoke(args=["render-report", str(report["id"]), "-o", str(english), "--lang", "en"])
    assert result.exit_code == 0 and "DigitalMaturityDiagnosticReport" in pdf_text(english.read_bytes())
    assert renders["count"] == 2
    missing = runner.invoke(args=["render-report", "999999", "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_reconcile_reports_cli(app, renders):
    report = submitted(app)
    result = app.test_cli_runner().invoke(args=["reconcile-reports"])
    assert result.exit_code == 0, result.output
    assert f"rendered report of assessment {report['id']}" in result.output
    assert "0 failed" in result.output


def test_worker_once_renders_reports_left_missing_and_exits(app, renders, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    report = submitted(app)  # submitted outside a request: no job rendered it
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "reconciled reports: 1 rendered, 0 failed" in result.output
    with app.app_context():
        assessment = db.session.get(Assessment, report["id"])
        assert assessment.report_status == "ready"
        assert service.cached_report(assessment, "zh") is not None


@pytest.mark.parametrize(("interval", "passes"), [(300, 1), (0, 4)])
def test_worker_reconciles_at_start_and_then_every_interval(app, monkeypatch, interval, passes):
    from portal import cli_jobs

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setitem(app.config, "REPORTS_RECONCILE_SECONDS", interval)
    calls: list[int] = []
    monkeypatch.setattr(cli_jobs, "reconcile_once", lambda limit=None: calls.append(1) or 0)
    sleeps: list[float] = []

    class Stop(Exception):
        pass

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise Stop

    monkeypatch.setattr(cli_jobs.time, "sleep", sleep)
    result = app.test_cli_runner().invoke(args=["worker"])
    assert isinstance(result.exception, Stop)
    assert len(calls) == passes
