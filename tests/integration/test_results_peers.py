"""The results page compares each dimension with the peer median once five peers have submitted."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore
from portal.services import benchmarks, results
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user

from .conftest import login


def _peer(round_, dimension_scores: dict[str, float], overall: float) -> None:
    enterprise = EnterpriseFactory(industry_division="34")
    peer = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id="ezhou-dmi",
        questionnaire_version="2025.1",
        status="submitted",
        answers={},
        overall_score=overall,
        gated_level=2,
        industry_division="34",
        district=enterprise.district,
        size_class=enterprise.size_class,
        is_current=True,
    )
    db.session.add(peer)
    db.session.flush()
    for dimension_id, score in dimension_scores.items():
        db.session.add(
            AssessmentDimensionScore(assessment_id=peer.id, dimension_id=dimension_id, score=score)
        )


def _own_submitted(app, peers: int) -> tuple[str, int, list[str]]:
    benchmarks.invalidate()
    with app.app_context():
        round_ = RoundFactory(year=2033)
        enterprise = EnterpriseFactory(industry_division="34")
        user = enterprise_user(enterprise)
        own = Assessment(
            enterprise=enterprise,
            round=round_,
            questionnaire_id="ezhou-dmi",
            questionnaire_version="2025.1",
            status="draft",
            answers={},
            industry_division="34",
            district=enterprise.district,
            size_class=enterprise.size_class,
        )
        db.session.add(own)
        db.session.flush()
        results.score_and_store(own, allow_incomplete=True)
        own.status = "submitted"
        own.is_current = True
        dimension_ids = [d["id"] for d in own.result["dimensions"]]
        for index in range(peers):
            _peer(round_, {d: 40.0 + 10 * index for d in dimension_ids}, 40.0 + 10 * index)
        db.session.commit()
        return user.username, own.id, dimension_ids


def test_results_radar_shows_the_peer_median_with_five_peers(app, client):
    username, assessment_id, dimension_ids = _own_submitted(app, peers=5)
    login(client, username, DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    radar = re.search(r"<svg[^>]*chart-radar.*?</svg>", page, re.S).group(0)
    # The dashed peer polygon and the legend are drawn; the table shows the median 60.0 of 40..80.
    assert 'stroke-dasharray="5 3"' in radar
    assert "同行中位数" in radar or "Peer median" in radar
    assert page.count("<td>60.0</td>") >= len(dimension_ids)


def test_results_radar_has_no_peer_series_with_four_peers(app, client):
    username, assessment_id, _ = _own_submitted(app, peers=4)
    login(client, username, DEFAULT_PASSWORD)
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    radar = re.search(r"<svg[^>]*chart-radar.*?</svg>", page, re.S).group(0)
    assert 'stroke-dasharray="5 3"' not in radar
