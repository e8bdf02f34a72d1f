"""The public report-number check: valid numbers show enterprise, round, level and verification — nothing more."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Assessment
from portal.reports import report_number, service
from tests.integration.test_report_downloads import submitted


def result_block(page: str) -> str:
    """The verification result part of the page."""
    match = re.search(r'id="verify-result".*?</(?:dl|div)>', page, re.S)
    assert match, page
    return match.group(0)


def test_a_valid_number_shows_only_the_public_facts(app, client):
    report = submitted(app)
    with app.app_context():
        assessment = db.session.get(Assessment, report["id"])
        number = service.number_of(assessment)
        round_name = assessment.round.name
    response = client.get("/reports/verify", query_string={"number": number})
    assert response.status_code == 200
    block = result_block(response.get_data(as_text=True))
    assert 'data-valid="true"' in block and "有效" in block
    assert report["name"] in block and round_name in block
    assert "自评结果，未经核验" in block
    assert report["uscc"] not in block  # nothing more than the listed facts
    assert "张伟" not in block and "13800000000" not in block
    assert re.search(r"级", block)  # the maturity level's name

    lower = client.get("/reports/verify", query_string={"number": number.lower()})
    assert 'data-valid="true"' in result_block(lower.get_data(as_text=True))


def test_a_verified_report_says_so(app, client):
    report = submitted(app)
    with app.app_context():
        assessment = db.session.get(Assessment, report["id"])
        assessment.status = "verified"
        assessment.verified_at = assessment.submitted_at
        db.session.commit()
        number = service.number_of(assessment)
    block = result_block(client.get(f"/reports/verify?number={number}").get_data(as_text=True))
    assert "已核验" in block and "未经核验" not in block


def test_forged_unknown_and_malformed_numbers_are_invalid(app, client):
    report = submitted(app)
    with app.app_context():
        number = service.number_of(db.session.get(Assessment, report["id"]))
        secret = app.config["SECRET_KEY"]
    body, check = number.rsplit("-", 1)
    forged_check = body + "-" + ("0000" if check != "0000" else "1111")
    other_id = f"EZ-{report['year']}-{report['id'] + 1:06d}"
    forged_id = other_id + "-" + check  # a real check code moved onto another assessment
    wrong_year = report_number(report["year"] + 1, report["id"], secret)  # well signed, no such round
    unknown = report_number(report["year"], 999999, secret)  # well signed, no such assessment
    wrong_key = report_number(report["year"], report["id"], "another-secret")
    for candidate in (forged_check, forged_id, wrong_year, unknown, wrong_key, "hello", "<script>x</script>"):
        page = client.get("/reports/verify", query_string={"number": candidate}).get_data(as_text=True)
        block = result_block(page)
        assert 'data-valid="false"' in block and "无效" in block, candidate
        assert report["name"] not in page, candidate
    assert "<script>x</script>" not in client.get("/reports/verify?number=<script>x</script>").get_data(
        as_text=True
    )


def test_draft_numbers_are_invalid_and_the_page_is_anonymous_and_english(app, client):
    report = submitted(app)
    with app.app_context():
        assessment = db.session.get(Assessment, report["id"])
        assessment.status = "returned"
        db.session.commit()
        number = service.number_of(assessment)
    page = client.get(f"/reports/verify?number={number}").get_data(as_text=True)
    assert 'data-valid="false"' in result_block(page)
    empty = client.get("/reports/verify?lang=en")
    assert empty.status_code == 200
    text = empty.get_data(as_text=True)
    assert "Check a report number" in text and 'id="verify-result"' not in text
