"""The district/city summary PDF: the dashboard's numbers for the same filters, targets, candidates, scope."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pypdf
import pytest

from portal.extensions import db
from portal.i18n import translator
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    enterprise_user,
    official,
    scored_assessment,
)

from .conftest import login

YEAR = 2094


@pytest.fixture
def world(app) -> dict[str, Any]:
    """华容区: three assessed (one verified) and a draft; 鄂城区: two assessed."""
    with app.app_context():
        round_ = RoundFactory(year=YEAR)
        huarong = [
            EnterpriseFactory(district="华容区", name=f"鄂州市华容区概览{i}有限公司") for i in range(3)
        ]
        echeng = [EnterpriseFactory(district="鄂城区", name=f"鄂城区概览{i}有限公司") for i in range(2)]
        for index, enterprise in enumerate(huarong + echeng):
            scored_assessment(
                enterprise, round_, status="verified" if index == 0 else "submitted", seed=20 + index
            )
        scored_assessment(EnterpriseFactory(district="华容区"), round_, status="draft")
        district = official("华容区")
        city = official(None)
        owner = enterprise_user(huarong[0])
        db.session.commit()
        return {
            "huarong": [e.name for e in huarong],
            "echeng": [e.name for e in echeng],
            "district": district.username,
            "city": city.username,
            "owner": owner.username,
        }


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page, whitespace removed (extraction breaks lines anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in reader.pages]


def dashboard_figures(html: str) -> list[tuple[int, str]]:
    """(count, label) of the dashboard's key-figure cards."""
    pairs = re.findall(
        r'<span class="big"><a class="num" data-count="(\d+)"[^>]*>\d+</a></span><span class="lbl">([^<]+)</span>',
        html,
    )
    return [(int(n), unescape(label)) for n, label in pairs]


def summary(client, query: str) -> list[str]:
    response = client.get(f"/officials/summary.pdf?round={YEAR}{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return pdf_pages(response.data)


def test_the_summary_shows_the_dashboards_numbers_for_the_same_filters(app, client, world):
    login(client, world["district"], DEFAULT_PASSWORD)
    dashboard = client.get(f"/officials/?round={YEAR}").get_data(as_text=True)
    assert 'href="/officials/summary.pdf?district=' in dashboard
    figures = dashboard_figures(dashboard)
    assert [n for n, _ in figures] == [
        4,
        1,
        2,
        1,
    ]  # registered (3 assessed + 1 draft), drafts, submitted, verified
    pages = summary(client, "")
    text = "".join(pages)
    assert "华容区" in pages[0]
    assert "数字化成熟度总览" in pages[0]
    for count, label in figures:
        assert f"{count}{label}" in text, (count, label)
    assert re.search(r"第1页/共\d+页", pages[0])
    assert not any(name in text for name in world["echeng"])

    # A narrower filter moves the same numbers on both.
    dashboard = client.get(f"/officials/?round={YEAR}&above_designated_size=0").get_data(as_text=True)
    text = "".join(summary(client, "&above_designated_size=0"))
    for count, label in dashboard_figures(dashboard):
        assert f"{count}{label}" in text, (count, label)


def test_target_tracker_and_candidate_lists(app, client, world):
    login(client, world["city"], DEFAULT_PASSWORD)
    data = client.get(f"/api/v1/stats?round={YEAR}").get_json()
    text = "".join(summary(client, ""))
    zh = translator("zh").gettext
    assert "全市" in text and "华容区" in text and "鄂城区" in text
    assert zh("Plan target tracker") in text
    for target in data["targets"]:
        assert re.sub(r"\s+", "", target["name"]["zh"]) in text
        assert target["rule"] in text
        if target["deadline"]:
            assert target["deadline"] in text
    # Each candidate list names the enterprises of the dashboard's candidate list for that target.
    checked = 0
    for target in data["targets"]:
        listing = client.get(
            f"/officials/enterprises?status=assessed&round={YEAR}&target={target['key']}&series=candidates"
        ).get_data(as_text=True)
        names = re.findall(r'<tr class="enterprise-row"><td><a href="[^"]+">([^<]+)</a>', listing)
        assert len(names) == target["candidates_count"] or target["unit"] == "percent"
        for name in names:
            assert unescape(name) in text, (target["key"], name)
        checked += len(names)
    assert checked > 0


def test_english_on_request(app, client, world):
    login(client, world["district"], DEFAULT_PASSWORD)
    pages = summary(client, "&lang=en")
    assert "Huarong" in pages[0]
    assert "Digitalmaturityoverview" in pages[0]
    assert "Registeredenterprises" in pages[0]


def test_scope_another_district_is_404(app, client, world):
    login(client, world["district"], DEFAULT_PASSWORD)
    assert client.get(f"/officials/summary.pdf?round={YEAR}&district=鄂城区").status_code == 404
    owner = app.test_client()
    login(owner, world["owner"], DEFAULT_PASSWORD)
    assert owner.get(f"/officials/summary.pdf?round={YEAR}").status_code == 404
    assert app.test_client().get("/officials/summary.pdf").status_code == 302
    city = app.test_client()
    login(city, world["city"], DEFAULT_PASSWORD)
    text = "".join(summary(city, "&district=鄂城区"))
    assert "鄂城区" in text and not any(name in text for name in world["huarong"])
