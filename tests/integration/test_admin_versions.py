"""Questionnaire and catalogue versions: validation status, publishing, preview in zh/en, the rescore job."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

import questionnaires
from portal.extensions import db
from portal.models import Assessment, AuditEvent, Round
from portal.services import assessments, demo, demo_assessments
from tests.factories import DEFAULT_PASSWORD, RoundFactory, UserFactory, enterprise_user

from .conftest import login

SOURCE = Path(questionnaires.__file__).resolve().parent / "ezhou-dmi"


def _bump(source: Path, target: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    target.write_text(text.replace(f'version: "{old}"', f'version: "{new}"', 1), encoding="utf-8")


@pytest.fixture
def definitions_root(tmp_path, monkeypatch) -> Path:
    """A questionnaires root with 2025.1, a valid 2025.2, a broken 2024.9, and catalogues 2025.1 and 2025.2."""
    folder = tmp_path / "ezhou-dmi"
    (folder / "recommendations").mkdir(parents=True)
    shutil.copy(SOURCE / "2025.1.yaml", folder / "2025.1.yaml")
    _bump(SOURCE / "2025.1.yaml", folder / "2025.2.yaml", "2025.1", "2025.2")
    (folder / "2024.9.yaml").write_text('id: ezhou-dmi\nversion: "2024.9"\ntitle: 5\n', encoding="utf-8")
    shutil.copy(SOURCE / "recommendations" / "2025.1.yaml", folder / "recommendations" / "2025.1.yaml")
    _bump(
        SOURCE / "recommendations" / "2025.1.yaml",
        folder / "recommendations" / "2025.2.yaml",
        "2025.1",
        "2025.2",
    )
    monkeypatch.setattr(questionnaires.loader, "ROOT", tmp_path)
    return tmp_path


def _admin(app, client) -> str:
    with app.app_context():
        user = UserFactory(role="admin")
        db.session.commit()
        username = user.username
    login(client, username, DEFAULT_PASSWORD)
    return username


def test_versions_page_shows_validation_status_and_publishing_switches_new_assessments(
    app, client, definitions_root
):
    _admin(app, client)
    with app.app_context():
        for open_round in db.session.scalars(select(Round).where(Round.status == "open")):
            open_round.status = "closed"
        RoundFactory(year=2051)
        early = enterprise_user()
        late = enterprise_user()
        db.session.commit()
        early_draft = assessments.start_or_continue(early)
        assert early_draft.questionnaire_version == "2025.2"  # newest file while nothing is published
        early_id, late_id = early.id, late.id

    page = client.get("/admin/questionnaires").get_data(as_text=True)
    broken = page[page.index('id="questionnaire-ezhou-dmi-2024.9"') :]
    broken = broken[: broken.index("</tr>")]
    assert "个问题" in broken and "2024.9.yaml" in broken and "发布" not in broken
    assert "有效" in page

    client.post("/admin/questionnaires/publish", data={"questionnaire_id": "ezhou-dmi", "version": "2025.1"})
    refused = client.post(
        "/admin/questionnaires/publish",
        data={"questionnaire_id": "ezhou-dmi", "version": "2024.9"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "校验错误" in refused
    page = client.get("/admin/questionnaires").get_data(as_text=True)
    row = page[page.index('id="questionnaire-ezhou-dmi-2025.1"') :]
    assert "已发布" in row[: row.index("</tr>")]

    with app.app_context():
        from portal.models import User

        late_draft = assessments.start_or_continue(db.session.get(User, late_id))
        kept = assessments.start_or_continue(db.session.get(User, early_id))
        assert late_draft.questionnaire_version == "2025.1"
        assert kept.questionnaire_version == "2025.2"  # a started draft keeps its version
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "admin.questionnaire_publish", AuditEvent.object_id == "ezhou-dmi/2025.1"
            )
        )


def test_preview_in_both_languages_is_read_only(app, client, definitions_root):
    _admin(app, client)
    questionnaire = questionnaires.load("ezhou-dmi", "2025.1")
    first = questionnaire.questions[0]
    zh = client.get("/admin/questionnaires/ezhou-dmi/2025.1/preview?text=zh").get_data(as_text=True)
    en = client.get("/admin/questionnaires/ezhou-dmi/2025.1/preview?text=en").get_data(as_text=True)
    assert first.title.get("zh") in zh and first.title.get("en") in en
    assert all(question.title.get("en") in en for question in questionnaire.questions)
    assert "<fieldset disabled>" in zh and 'method="post"' not in zh.split("<main", 1)[1].split("</main>")[0]
    assert client.get("/admin/questionnaires/ezhou-dmi/2024.9/preview").status_code == 404
    assert client.get("/admin/questionnaires/ezhou-dmi/9.9/preview").status_code == 404

    catalogue = questionnaires.load_catalogue("ezhou-dmi", "2025.2")
    zh = client.get("/admin/catalogues/ezhou-dmi/2025.2/preview?text=zh").get_data(as_text=True)
    en = client.get("/admin/catalogues/ezhou-dmi/2025.2/preview?text=en").get_data(as_text=True)
    assert catalogue.measures[0].title.get("zh") in zh and catalogue.measures[0].title.get("en") in en


def test_publishing_a_catalogue_then_rescoring_in_the_background_keeps_verified_results(
    app, client, definitions_root, monkeypatch
):
    monkeypatch.setitem(app.config, "JOBS_MODE", "inline")
    _admin(app, client)
    with app.app_context():
        demo.seed_enterprises(40, 5)
        demo_assessments.seed_assessments(demo.seed_rounds(), 5)
        # The seeded results were scored with the catalogue in the repository (2025.1).
        db.session.execute(
            Assessment.__table__.update().values(catalogue_version="2025.1", questionnaire_version="2025.1")
        )
        db.session.commit()
        before = {
            a.id: (a.status, a.result_hash)
            for a in db.session.scalars(
                select(Assessment).where(Assessment.status.in_(("submitted", "verified")))
            )
        }
    assert any(status == "verified" for status, _ in before.values())
    assert any(status == "submitted" for status, _ in before.values())

    client.post("/admin/questionnaires/publish", data={"questionnaire_id": "ezhou-dmi", "version": "2025.1"})
    client.post("/admin/catalogues/publish", data={"questionnaire_id": "ezhou-dmi", "version": "2025.2"})
    response = client.post("/admin/rescore")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "已完成" in page
    status = client.get(job_url + "?format=json").get_json()
    assert status["status"] == "done" and status["progress"] == status["total"] == len(before)

    with app.app_context():
        after = {a.id: a for a in db.session.scalars(select(Assessment).where(Assessment.id.in_(before)))}
        submitted = [a for a in after.values() if a.status == "submitted"]
        verified = [a for a in after.values() if a.status == "verified"]
        assert all(a.catalogue_version == "2025.2" and a.result_hash != before[a.id][1] for a in submitted)
        assert all(a.catalogue_version == "2025.1" and a.result_hash == before[a.id][1] for a in verified)
    assert status["summary"]["changed"] == len(submitted)
    assert status["summary"]["verified_would_change"] == len(verified)
    assert re.search(rf'id="verified-differing">{len(verified)}<', page)
