"""Officials' workspace: scope, numbers that equal their lists, a new submission, review, exports, API."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import questionnaires
from portal.extensions import db
from portal.models import Assessment, AuditEvent
from portal.services import results
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    official,
    scored_assessment,
)

from .conftest import login


@pytest.fixture
def world(app):
    """Two districts, two rounds, a few assessed enterprises, a city and a 华容区 official."""
    with app.app_context():
        old, new = RoundFactory(year=2090), RoundFactory(year=2091)
        huarong = [EnterpriseFactory(district="华容区", industry_division="30") for _ in range(3)]
        echeng = [
            EnterpriseFactory(district="鄂城区", industry_division="31", name=f"鄂城测试{i}有限公司")
            for i in range(3)
        ]
        small = EnterpriseFactory(
            district="华容区", employees=30, revenue_band="300-2000", above_designated_size=False
        )
        for index, enterprise in enumerate(huarong + echeng):
            scored_assessment(enterprise, new, seed=index, quality=0.3 + 0.1 * index)
            scored_assessment(enterprise, old, seed=100 + index, quality=0.6)
        scored_assessment(small, new, status="draft", quality=0.6)
        city = official(None, is_reviewer=True)
        district = official("华容区", is_reviewer=True)
        reader = official("华容区", is_reviewer=False)
        db.session.commit()
        return {
            "new": new.id,
            "huarong": [e.id for e in huarong],
            "echeng": [e.id for e in echeng],
            "small": small.id,
            "city": city.username,
            "district": district.username,
            "reader": reader.username,
        }


def _counted_links(html: str) -> list[tuple[str, int]]:
    return [
        (unescape(href), int(count))
        for count, href in re.findall(r'<a class="num" data-count="(\d+)" href="([^"]+)"', html)
    ]


def _total(html: str) -> int:
    return int(re.search(r'data-total="(\d+)"', html).group(1))


def test_every_dashboard_number_equals_the_length_of_its_list(app, client, world):
    for username in (world["city"], world["district"]):
        client = app.test_client()
        login(client, username, DEFAULT_PASSWORD)
        page = client.get("/officials/")
        assert page.status_code == 200
        links = _counted_links(page.get_data(as_text=True))
        assert len(links) > 20
        assert any(count > 0 for _, count in links)
        for href, count in links:
            listing = client.get(href)
            assert listing.status_code == 200, href
            assert _total(listing.get_data(as_text=True)) == count, href


def test_a_district_official_sees_only_their_district(app, client, world):
    login(client, world["district"], DEFAULT_PASSWORD)
    assert client.get("/officials/?district=鄂城区").status_code == 404
    assert client.get("/api/v1/stats?district=鄂城区").status_code == 404
    assert client.get("/officials/enterprises?district=鄂城区").status_code == 404
    assert client.get("/officials/export.csv?district=鄂城区").status_code == 404
    for enterprise_id in world["echeng"]:
        assert client.get(f"/officials/enterprises/{enterprise_id}").status_code == 404
    listing = client.get("/officials/enterprises?status=assessed").get_data(as_text=True)
    assert "鄂城测试" not in listing and _total(listing) == 3
    body = client.get("/api/v1/stats").get_json()
    assert body["filters"]["district"] == "华容区"
    assert body["counts"]["assessed"] == 3
    assert [row["key"] for row in body["by_district"]] == ["华容区"]
    exported = client.get("/officials/export.csv?status=registered").get_data(as_text=True)
    assert "鄂城测试" not in exported
    with app.app_context():
        echeng_assessment = db.session.scalar(
            select(Assessment.id).where(Assessment.enterprise_id == world["echeng"][0])
        )
    assert client.post(f"/officials/assessments/{echeng_assessment}/verify").status_code == 404


def test_city_official_sees_every_district_and_the_api_body_is_the_same_for_anyone(app, client, world):
    login(client, world["city"], DEFAULT_PASSWORD)
    city_body = client.get("/api/v1/stats").get_json()
    assert city_body["counts"]["assessed"] == 6
    assert city_body["counts"]["drafts"] == 1
    assert {row["key"] for row in city_body["by_district"]} >= {"华容区", "鄂城区"}
    assert [row["round"] for row in city_body["trend"]][-2:] == [2090, 2091]
    same_filters = client.get("/api/v1/stats?district=华容区").get_data()
    client = app.test_client()
    login(client, world["district"], DEFAULT_PASSWORD)
    assert client.get("/api/v1/stats").get_data() == same_filters
    assert client.get("/api/v1/stats?district=华容区&round=2091").get_data() == same_filters


def test_one_more_submission_moves_each_affected_count_by_exactly_one(app, client, world):
    login(client, world["city"], DEFAULT_PASSWORD)
    before = client.get("/api/v1/stats").get_json()
    with app.app_context():
        from portal.models import Enterprise, Round

        round_ = db.session.scalar(select(Round).where(Round.year == 2091))
        enterprise = EnterpriseFactory(district="华容区", industry_division="30")
        db.session.commit()
        added = scored_assessment(enterprise, round_, seed=77, quality=0.6)
        level, above = added.gated_level, added.above_designated_size
        assert db.session.get(Enterprise, enterprise.id) is not None
    after = client.get("/api/v1/stats").get_json()
    assert after["counts"]["registered"] == before["counts"]["registered"] + 1
    assert after["counts"]["submitted"] == before["counts"]["submitted"] + 1
    assert after["counts"]["assessed"] == before["counts"]["assessed"] + 1
    assert after["counts"]["verified"] == before["counts"]["verified"]
    assert after["counts"]["assessed_above"] == before["counts"]["assessed_above"] + (1 if above else 0)
    for key in before["levels"]:
        assert after["levels"][key] == before["levels"][key] + (1 if int(key) == level else 0)
    huarong_before = next(row for row in before["by_district"] if row["key"] == "华容区")
    huarong_after = next(row for row in after["by_district"] if row["key"] == "华容区")
    assert huarong_after["assessed"] == huarong_before["assessed"] + 1
    echeng_before = next(row for row in before["by_district"] if row["key"] == "鄂城区")
    echeng_after = next(row for row in after["by_district"] if row["key"] == "鄂城区")
    assert echeng_after == echeng_before
    assert after["mean_score"] != before["mean_score"] or added.overall_score == before["mean_score"]


def test_an_assessment_in_a_closed_round_cannot_be_returned_but_can_be_verified(app, client, world):
    with app.app_context():
        first, second = (
            db.session.scalar(
                select(Assessment).where(Assessment.enterprise_id == eid, Assessment.round.has(year=2091))
            ).id
            for eid in world["huarong"][:2]
        )
        db.session.get(Assessment, first).round.status = "closed"
        db.session.commit()
    login(client, world["district"], DEFAULT_PASSWORD)
    page = client.get(f"/officials/enterprises/{world['huarong'][0]}").get_data(as_text=True)
    assert 'id="return-closed"' in page
    assert f"/officials/assessments/{first}/return" not in page
    client.get("/lang/en")
    refused = client.post(
        f"/officials/assessments/{first}/return", data={"comment": "请补充"}, follow_redirects=True
    )
    assert "round is closed" in refused.get_data(as_text=True)
    done = client.post(f"/officials/assessments/{second}/verify", data={"comment": "核验通过"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, first).status == "submitted"
        assert db.session.get(Assessment, second).status == "verified"


def test_review_transitions_are_audited_and_corrections_rescore_the_verified_result(app, client, world):
    with app.app_context():
        first, second = (
            db.session.scalar(
                select(Assessment).where(Assessment.enterprise_id == eid, Assessment.round.has(year=2091))
            ).id
            for eid in world["huarong"][:2]
        )
        original = db.session.get(Assessment, first)
        original_score = original.overall_score
        questionnaire = questionnaires.load(original.questionnaire_id, original.questionnaire_version)
        warnings = (original.result or {}).get("warnings")
        question = next(
            q
            for q in questionnaire.questions
            if q.type == "boolean" and q.points > 0 and q.id in original.answers
        )
        flipped = "false" if original.answers[question.id] else "true"
    # a read-only official cannot review
    login(client, world["reader"], DEFAULT_PASSWORD)
    assert client.post(f"/officials/assessments/{first}/verify").status_code == 403
    client = app.test_client()
    login(client, world["district"], DEFAULT_PASSWORD)
    page = client.get(f"/officials/enterprises/{world['huarong'][0]}").get_data(as_text=True)
    assert "合理性提示" in page
    assert all(warning["message"]["zh"] in page for warning in warnings or [])
    client.post(
        f"/officials/assessments/{first}/visit",
        data={"visited_on": "2091-05-02", "people": "王伟, 李娜", "findings": "现场核查 MES 未上线"},
    )
    client.post(
        f"/officials/assessments/{first}/correct",
        data={"question_id": question.id, "value": flipped, "reason": "现场核实"},
    )
    assert (
        client.post(f"/officials/assessments/{first}/verify", data={"comment": "核验通过"}).status_code == 302
    )
    assert (
        client.post(f"/officials/assessments/{second}/return", data={"comment": "请补充设备数据"}).status_code
        == 302
    )
    with app.app_context():
        verified = db.session.get(Assessment, first)
        returned = db.session.get(Assessment, second)
        assert verified.status == "verified" and verified.is_current
        assert verified.answers[question.id] == original.answers[question.id]  # self-reported kept
        expected = results.compute(
            *results.definitions(
                verified.questionnaire_id, verified.questionnaire_version, verified.catalogue_version
            ),
            {**verified.answers, question.id: flipped == "true"},
            verified.context,
        )
        assert verified.overall_score == expected["overall_score"]
        assert returned.status == "returned" and not returned.is_current
        assert returned.return_comment == "请补充设备数据"
        actions = {
            (event.action, event.object_id): event
            for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("assessment.%")))
        }
        assert actions[("assessment.verify", str(first))].detail["from"] == "submitted"
        assert actions[("assessment.verify", str(first))].detail["self_reported_score"] == original_score
        assert actions[("assessment.return", str(second))].detail["comment"] == "请补充设备数据"
        assert ("assessment.correct_answer", str(first)) in actions
        assert ("assessment.site_visit", str(first)) in actions
    page = client.get(f"/officials/enterprises/{world['huarong'][0]}").get_data(as_text=True)
    assert "现场核查 MES 未上线" in page and "现场核实" in page
    counts = client.get("/api/v1/stats").get_json()["counts"]
    assert counts["verified"] == 1 and counts["assessed"] == 2


def test_stats_api_errors_are_json_and_the_openapi_document_describes_it(app, client, world):
    login(client, world["district"], DEFAULT_PASSWORD)
    for query in ("district=鄂城区", "district=火星区", "round=1999"):
        response = client.get(f"/api/v1/stats?{query}")
        assert response.status_code == 404 and response.mimetype == "application/json", query
        assert response.get_json()["error"].startswith("Not found"), query
    for query in ("industry=99", "size=huge", "round=abc"):
        response = client.get(f"/api/v1/stats?{query}")
        assert response.status_code == 400 and response.get_json()["error"], query
    unknown = client.get("/api/v1/no-such-endpoint")
    assert unknown.status_code == 404 and unknown.get_json() == {"error": "Not found."}
    wrong_method = client.delete("/api/v1/stats")
    assert wrong_method.status_code == 405 and wrong_method.get_json() == {"error": "Method not allowed."}
    assert "<html" in client.get("/officials/no-such-page").get_data(as_text=True).lower()

    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/stats"]["get"]
    assert [parameter["name"] for parameter in operation["parameters"]] == [
        "district",
        "industry",
        "size",
        "above_designated_size",
        "round",
    ]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["Stats"]
    body = client.get("/api/v1/stats").get_json()
    assert set(schema["required"]) <= set(body) <= set(schema["properties"])
    assert set(body["counts"]) == set(schema["properties"]["counts"]["properties"])
    assert set(body["filters"]) == set(schema["properties"]["filters"]["properties"])


def test_exports_have_the_chinese_header_and_the_filtered_rows(app, client, world):
    login(client, world["city"], DEFAULT_PASSWORD)
    response = client.get("/officials/export.csv?status=assessed&district=鄂城区")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "所属区"]
    assert len(rows) == 1 + 3 and all(row[2] == "鄂城区" for row in rows[1:])
    english = client.get("/officials/export.csv?status=assessed&lang=en").get_data(as_text=True)
    assert english.lstrip("\ufeff").startswith("USCC,Enterprise name,District")
    workbook = load_workbook(
        io.BytesIO(client.get("/officials/export.xlsx?status=assessed&district=华容区").data)
    )
    sheet = workbook["企业名单"]
    values = list(sheet.values)
    assert values[0][1] == "企业名称" and len(values) == 4
    assert {row[2] for row in values[1:]} == {"华容区"}
    assert "字段说明" in workbook.sheetnames


def test_csv_exports_declare_utf8_once_and_start_with_a_bom_for_excel(
    app, client, world, tmp_path, monkeypatch
):
    login(client, world["city"], DEFAULT_PASSWORD)
    inline = client.get("/officials/export.csv?status=assessed")
    assert inline.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert inline.data.startswith("\ufeff".encode())
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 2)
    monkeypatch.setitem(app.config, "JOBS_MODE", "inline")
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    job_url = client.get("/officials/export.csv?status=assessed").headers["Location"]
    from_job = client.get(job_url + "/download")
    assert from_job.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert from_job.data.startswith("\ufeff".encode())
    assert (
        from_job.data.decode("utf-8-sig").splitlines()[1:] == inline.data.decode("utf-8-sig").splitlines()[1:]
    )


def test_a_long_export_runs_as_a_job_with_progress_and_download(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 2)
    app.config["JOBS_MODE"] = "inline"
    try:
        login(client, world["city"], DEFAULT_PASSWORD)
        response = client.get("/officials/export.xlsx?status=assessed")
        assert response.status_code == 302 and "/officials/jobs/" in response.headers["Location"]
        job_page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-status="done"' in job_page
        download = client.get(response.headers["Location"] + "/download")
        values = list(load_workbook(io.BytesIO(download.data))["企业名单"].values)
        assert len(values) == 1 + 6
        client = app.test_client()
        with app.app_context():
            other = UserFactory(role="official", scope="city").username
            db.session.commit()
        login(client, other, DEFAULT_PASSWORD)
        assert client.get(response.headers["Location"]).status_code == 404
    finally:
        app.config.pop("JOBS_MODE", None)
