"""The enterprise home page (/enterprise) tells the user where their enterprise stands and offers one next step."""

from __future__ import annotations

import html as html_lib
import random
import re
from datetime import date, datetime

import pytest

import scoring
from portal.extensions import db
from portal.models import Assessment, Round, User
from portal.services import assessments as service
from portal.services import home, results, review
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user, official

from .conftest import login

RETURN_COMMENT = "设备联网率与设备台账不符，请核对第二部分后重新提交。"


@pytest.fixture
def world(app):
    """An open round (closing 2041-06-30) and an approved enterprise user (discrete manufacturing)."""
    with app.app_context():
        round_ = RoundFactory(year=2041, name="2041", closes_on=date(2041, 6, 30))
        enterprise = EnterpriseFactory(industry_division="34")
        user = enterprise_user(enterprise)
        reviewer = official(None, is_reviewer=True)
        db.session.commit()
        return {
            "user": user.username,
            "user_id": user.id,
            "reviewer_id": reviewer.id,
            "enterprise_id": enterprise.id,
            "round_id": round_.id,
        }


def _home(client, lang: str | None = None) -> str:
    if lang:
        client.get(f"/lang/{lang}")
    response = client.get("/enterprise")
    assert response.status_code == 200
    return html_lib.unescape(response.get_data(as_text=True))


def _state_block(page: str) -> str:
    """The 'where you stand' box of the (first) enterprise."""
    match = re.search(r'<section class="home-now[^"]*" id="self-assessment".*?</section>', page, re.S)
    assert match, "the self-assessment state box is missing"
    return match.group(0)


def _primary_actions(block: str) -> list[str]:
    """Texts of the primary buttons/links in a block."""
    return [text.strip() for text in re.findall(r'class="button primary"[^>]*>([^<]+)<', block)]


def _start(client) -> int:
    response = client.post("/assessments/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _complete_answers(app, assessment_id: int) -> dict:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        questionnaire = service.questionnaire_of(assessment)
        context = results.scoring_context(assessment.enterprise)
    return scoring.random_answers(
        questionnaire, random.Random(5), quality=0.7, context=context, skip_optional=0
    )


def _save(app, assessment_id: int, answers: dict, user_id: int) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        service.save_answers(assessment, assessment.version, answers, user=db.session.get(User, user_id))


def _submitted(app, client, world) -> int:
    assessment_id = _start(client)
    _save(app, assessment_id, _complete_answers(app, assessment_id), world["user_id"])
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        service.submit(assessment, db.session.get(User, world["user_id"]), "home-test-key")
    return assessment_id


def test_not_started_offers_to_start_the_open_round(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    block = _state_block(_home(client))
    assert "2041 年度自评" in block and "2041-06-30" in block
    assert "未开始" in block
    assert _primary_actions(block) == ["开始自评"]
    assert 'action="/assessments/start"' in block
    # The button works: it creates the draft of the open round.
    response = client.post("/assessments/start", data={"enterprise_id": world["enterprise_id"]})
    assert response.status_code == 302 and "/assessments/" in response.headers["Location"]


def test_draft_shows_the_section_pages_progress_and_last_save(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    answers = _complete_answers(app, assessment_id)
    _save(app, assessment_id, {"equipment_total": answers["equipment_total"]}, world["user_id"])
    section_page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    section_percent = int(
        re.search(r'<progress max="100" value="(\d+)" aria-label="总体进度', section_page).group(1)
    )
    assert 0 < section_percent < 100

    block = _state_block(_home(client))
    assert "填写中（草稿）" in block
    assert f"已完成：{section_percent}%" in block
    assert _primary_actions(block) == [f"继续填写（{section_percent}%）"]
    assert f'href="/assessments/{assessment_id}"' in block
    assert re.search(r"还有 \d+ 道必答题未填写", block)
    assert re.search(r"最后保存：\d{4}-\d\d-\d\d \d\d:\d\d", block)


def test_draft_with_every_required_answer_leads_to_review(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    _save(app, assessment_id, _complete_answers(app, assessment_id), world["user_id"])
    block = _state_block(_home(client))
    assert "必答题已全部填写" in block
    assert _primary_actions(block) == ["检查并提交"]
    assert f'href="/assessments/{assessment_id}/review"' in block


def test_submitted_awaits_verification_and_shows_the_result(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _submitted(app, client, world)
    page = _home(client)
    block = _state_block(page)
    assert "已提交，等待核验" in block and "已于 " in block
    assert _primary_actions(block) == ["查看结果"]
    assert f"/assessments/{assessment_id}/report.pdf" in page
    assert "成熟度等级" in page and "总指数" in page


def test_returned_shows_the_officials_comment_and_the_way_to_fix_it(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _submitted(app, client, world)
    with app.app_context():
        review.return_to_enterprise(
            db.session.get(Assessment, assessment_id),
            db.session.get(User, world["reviewer_id"]),
            RETURN_COMMENT,
        )
    block = _state_block(_home(client))
    assert "已退回修改" in block
    comment = re.search(r'<div class="home-returned">.*?</div>', block, re.S).group(0)
    assert "主管部门退回意见" in comment and RETURN_COMMENT in comment
    assert _primary_actions(block) == ["查看退回意见并修改"]
    assert f'href="/assessments/{assessment_id}"' in block
    # A returned assessment is no result: nothing from this round is shown as one.
    assert f"/assessments/{assessment_id}/report.pdf" not in _home(client)


def test_verified_shows_level_index_blocking_gate_and_report(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _submitted(app, client, world)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        review.verify(assessment, db.session.get(User, world["reviewer_id"]))
        stored = dict(assessment.result)
    page = _home(client)
    block = _state_block(page)
    assert "已核验" in block and "通过主管部门核验" in block
    assert _primary_actions(block) == ["查看结果"]
    result_box = re.search(r'<section class="home-result".*?</section>', page, re.S).group(0)
    assert stored["level"]["name"]["zh"] in result_box
    assert f"{stored['overall_score']:.1f}" in result_box
    for gate in stored["level"]["blocking_gates"]:
        assert gate["label"]["zh"] in result_box
    assert f'href="/assessments/{assessment_id}/report.pdf"' in result_box
    assert f'href="/assessments/{assessment_id}"' in result_box
    history = re.search(r'<section class="home-history".*?</section>', page, re.S).group(0)
    assert "2041 年度" in history and "已核验" in history and f"{stored['overall_score']:.1f}" in history


def test_no_open_round_says_so_and_keeps_the_latest_result(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _submitted(app, client, world)
    with app.app_context():
        db.session.get(Round, world["round_id"]).status = "closed"
        db.session.commit()
    page = _home(client)
    block = _state_block(page)
    assert "暂无开放轮次" in block and "暂时无法开始自评" in block
    assert _primary_actions(block) == []
    assert "/assessments/start" not in block
    assert "最近一次结果：2041 年度" in page
    assert f"/assessments/{assessment_id}/report.pdf" in page


def test_new_round_keeps_last_rounds_result_and_history(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    earlier_id = _submitted(app, client, world)
    with app.app_context():
        db.session.get(Round, world["round_id"]).status = "closed"
        RoundFactory(year=2042, name="2042")
        db.session.commit()
    page = _home(client)
    block = _state_block(page)
    assert "2042 年度自评" in block and _primary_actions(block) == ["开始自评"]
    assert "上一年度的答案" in block
    assert "最近一次结果：2041 年度" in page and f"/assessments/{earlier_id}/report.pdf" in page


def test_english_texts(app, client, world):
    login(client, world["user"], DEFAULT_PASSWORD)
    assessment_id = _start(client)
    answers = _complete_answers(app, assessment_id)
    _save(app, assessment_id, {"equipment_total": answers["equipment_total"]}, world["user_id"])
    block = _state_block(_home(client, "en"))
    assert "Self-assessment 2041" in block and "In progress (draft)" in block
    assert re.fullmatch(r"Continue \(\d+%\)", _primary_actions(block)[0])
    assert not re.search(r"[\u4e00-\u9fff]", block)


def test_only_the_users_own_enterprise_is_shown(app, client, world):
    with app.app_context():
        other = EnterpriseFactory(name="鄂州市别家机械有限公司")
        enterprise_user(other)
        db.session.commit()
    login(client, world["user"], DEFAULT_PASSWORD)
    page = _home(client)
    assert "鄂州市别家机械有限公司" not in page
    assert page.count('id="self-assessment"') == 1


def test_times_are_shown_in_ezhou_local_time():
    assert home.local_time(datetime(2041, 3, 1, 23, 30)) == "2041-03-02 07:30"
    assert home.local_time(None) is None
