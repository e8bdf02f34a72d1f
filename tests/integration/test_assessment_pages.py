"""The self-assessment in the browser without JavaScript: start, sections, review, submit, results, history."""

from __future__ import annotations

import random
import re
import time
from datetime import date

import pytest

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment, Round
from portal.services import assessments as service
from portal.services import results
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user

from .conftest import login


@pytest.fixture
def world(app):
    """An open round and an approved enterprise user (discrete manufacturing, division 34)."""
    with app.app_context():
        round_ = RoundFactory(year=2032)
        enterprise = EnterpriseFactory(industry_division="34")
        user = enterprise_user(enterprise)
        db.session.commit()
        return {"user": user.username, "enterprise_id": enterprise.id, "round_id": round_.id}


def _start(client) -> int:
    response = client.post("/assessments/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _complete(app, assessment_id: int) -> dict:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        questionnaire = service.questionnaire_of(assessment)
        context = results.scoring_context(assessment.enterprise)
    return scoring.random_answers(
        questionnaire, random.Random(3), quality=0.7, context=context, skip_optional=0
    )


def _save_all(app, assessment_id: int, answers: dict) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        service.save_answers(assessment, assessment.version, answers)


def test_section_page_renders_the_questions_accessibly(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    html = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert "二、装备与现场数字化" in html
    assert 'id="q-equipment_total"' in html and 'for="equipment_total"' in html
    assert 'aria-describedby="equipment_total-help' in html
    assert "<legend" in html  # option questions are fieldsets
    # The discrete-manufacturing question is shown, the process one is hidden for division 34.
    assert re.search(r'id="q-discrete_nc_level"[^>]*>', html).group(0).find("hidden") == -1
    assert "hidden" in re.search(r'id="q-process_control_level"[^>]*>', html).group(0)
    assert 'type="application/json" id="conditions-data"' in html
    assert "<script>" not in html  # no inline code (CSP-friendly)


def test_no_js_section_post_saves_and_moves_on(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    with app.app_context():
        version = db.session.get(Assessment, assessment_id).version
    response = client.post(
        f"/assessments/{assessment_id}?section=equipment",
        data={
            "version": version,
            "equipment_total": "120",
            "equipment_digital": "80",
            "data_auto_collection": "45.5",
            "data_collection_methods": ["barcode", "sensors"],
            "discrete_nc_level": "most_nc",
            "next_section": "network",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("section=network")
    with app.app_context():
        stored = db.session.get(Assessment, assessment_id).answers
    assert stored["equipment_total"] == 120 and stored["data_auto_collection"] == 45.5
    assert stored["data_collection_methods"] == ["barcode", "sensors"]
    assert stored["discrete_nc_level"] == "most_nc"
    page = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert 'value="120"' in page and re.search(r'value="most_nc" checked', page)


def test_no_js_post_with_a_bad_number_shows_a_linked_error(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    response = client.post(
        f"/assessments/{assessment_id}?section=equipment",
        data={"version": 1, "equipment_total": "lots", "equipment_digital": "-5"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="equipment_total-error"' in html and 'aria-invalid="true"' in html
    assert 'id="equipment_digital-error"' in html


def test_stale_form_post_is_refused_and_shows_the_latest_answer(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        service.save_answers(assessment, 1, {"equipment_total": 300})
    response = client.post(
        f"/assessments/{assessment_id}?section=equipment", data={"version": 1, "equipment_total": "10"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers["equipment_total"] == 300
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="300"' in page


def test_review_lists_missing_questions_and_submit_needs_the_pledge(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    review = client.get(f"/assessments/{assessment_id}/review").get_data(as_text=True)
    assert 'id="missing-list"' in review and f"/assessments/{assessment_id}?section=strategy#q-" in review
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', review).group(1)
    refused = client.post(f"/assessments/{assessment_id}/submit", data={"pledge": "y", "data_use": "y"})
    assert refused.status_code == 422
    _save_all(app, assessment_id, _complete(app, assessment_id))
    no_pledge = client.post(
        f"/assessments/{assessment_id}/submit", data={"data_use": "y", "idempotency_key": key}
    )
    assert no_pledge.status_code == 422 and 'id="pledge-error"' in no_pledge.get_data(as_text=True)
    done = client.post(
        f"/assessments/{assessment_id}/submit", data={"pledge": "y", "data_use": "y", "idempotency_key": key}
    )
    assert done.status_code == 302
    twice = client.post(
        f"/assessments/{assessment_id}/submit", data={"pledge": "y", "data_use": "y", "idempotency_key": key}
    )
    assert twice.status_code == 302
    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        assert row.status == "submitted" and row.report_status == "pending"
        level = row.gated_level
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert 'id="result-level"' in page and "<svg" in page and "chart-radar" in page
    assert f"/assessments/{assessment_id}/report.pdf" in page
    questionnaire = questionnaires.current("ezhou-dmi")
    assert questionnaire.levels[level - 1].name.zh in page
    assert "<details" in page


def test_someone_elses_assessment_pages_are_404(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    client.post("/logout")
    with app.app_context():
        stranger = enterprise_user()
        db.session.commit()
        name = stranger.username
    login(client, name, DEFAULT_PASSWORD)
    assert client.get(f"/assessments/{assessment_id}").status_code == 404
    assert client.get(f"/assessments/{assessment_id}/review").status_code == 404
    assert (
        client.post(f"/assessments/{assessment_id}?section=equipment", data={"version": 1}).status_code == 404
    )


def test_new_round_copies_last_rounds_answers_marked_to_confirm(app, client, world):
    with app.app_context():
        old_round = Round(
            year=2020, name="2020", opens_on=date(2020, 1, 1), closes_on=date(2020, 12, 31), status="closed"
        )
        db.session.add(old_round)
        db.session.flush()
        old = Assessment(
            enterprise_id=world["enterprise_id"],
            round_id=old_round.id,
            questionnaire_id="ezhou-dmi",
            questionnaire_version=questionnaires.current("ezhou-dmi").version,
            status="submitted",
            answers={"equipment_total": 77, "not_a_question_any_more": 1},
            answers_meta={},
        )
        db.session.add(old)
        db.session.commit()
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        assert row.answers == {"equipment_total": 77}
        assert service.carried_over(row) == {"equipment_total"}
    page = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert "badge-carried" in page
    client.post(
        f"/assessments/{assessment_id}?section=equipment", data={"version": 1, "equipment_total": "77"}
    )
    with app.app_context():
        assert service.carried_over(db.session.get(Assessment, assessment_id)) == set()


def test_returned_assessment_is_editable_and_shows_the_comment(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        row.status = "returned"
        row.return_comment = "请核对设备总数"
        db.session.commit()
    page = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert "请核对设备总数" in page and 'id="section-form"' in page
    assert "请核对设备总数" in client.get("/assessments").get_data(as_text=True)


def test_history_lists_rounds_and_invite_code_lets_a_colleague_join(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    _start(client)
    history = client.get("/assessments").get_data(as_text=True)
    assert "2032" in history
    invite = client.post(f"/enterprises/{world['enterprise_id']}/invite")
    code = re.search(r'id="invite-code">([A-Z0-9-]+)<', invite.get_data(as_text=True)).group(1)
    client.post("/logout")
    colleague = app.test_client()
    joined = colleague.post(
        "/join",
        data={
            "code": code,
            "username": "colleague1",
            "password": "Colleague-pass1",
            "confirm": "Colleague-pass1",
        },
    )
    assert joined.status_code == 302
    assert "2032" in colleague.get("/assessments").get_data(as_text=True)
    reused = app.test_client().post(
        "/join",
        data={
            "code": code,
            "username": "colleague2",
            "password": "Colleague-pass1",
            "confirm": "Colleague-pass1",
        },
    )
    assert reused.status_code == 200 and 'id="join-error"' in reused.get_data(as_text=True)


def test_section_posted_after_the_session_expired_is_kept(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 3 * 3600
    response = client.post(
        f"/assessments/{assessment_id}?section=equipment", data={"version": 1, "equipment_total": "4321"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, world["user"], DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert 'value="4321"' in page
    saved = client.post(
        f"/assessments/{assessment_id}?section=equipment", data={"version": 1, "equipment_total": "4321"}
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers["equipment_total"] == 4321


def test_english_pages_have_no_untranslated_chinese_ui(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    page = client.get(f"/assessments/{assessment_id}?section=equipment&lang=en").get_data(as_text=True)
    assert "Equipment" in page and "Save and continue" in page


def test_a_stash_needs_a_known_user_is_replaced_and_old_ones_are_purged(app, client, world):
    from datetime import timedelta

    from portal.models import SectionStash, utcnow

    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    client.post("/logout")
    anonymous = client.post(f"/assessments/{assessment_id}?section=equipment", data={"equipment_total": "1"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SectionStash)) == 0
    for value in ("111", "222"):
        login(client, world["user"], DEFAULT_PASSWORD)
        with client.session_transaction() as session:
            session["last_seen"] = time.time() - 3 * 3600
        client.post(
            f"/assessments/{assessment_id}?section=equipment", data={"version": 1, "equipment_total": value}
        )
    with app.app_context():
        stashes = db.session.scalars(db.select(SectionStash)).all()
        assert len(stashes) == 1 and stashes[0].answers["equipment_total"] == ["222"]
        stashes[0].created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    # The next stash (another section) purges the one older than 7 days.
    login(client, world["user"], DEFAULT_PASSWORD)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 3 * 3600
    client.post(f"/assessments/{assessment_id}?section=network", data={"version": 1})
    with app.app_context():
        assert [s.section for s in db.session.scalars(db.select(SectionStash))] == ["network"]
    login(client, world["user"], DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment_id}?section=equipment").get_data(as_text=True)
    assert 'value="222"' not in page
