"""Peer benchmark from stored results: SQL aggregates, groups under 5 suppressed, fallback chain."""

from __future__ import annotations

import statistics

from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore
from portal.services import benchmarks
from tests.factories import EnterpriseFactory, RoundFactory


def _stored(round_, score, *, division, district="鄂城区", size="small", status="submitted", dims=None):
    enterprise = EnterpriseFactory(industry_division=division, district=district)
    assessment = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id="ezhou-dmi",
        questionnaire_version="2025.1",
        status=status,
        answers={},
        overall_score=score,
        gated_level=1,
        industry_division=division,
        district=district,
        size_class=size,
        is_current=status in ("submitted", "verified"),
    )
    db.session.add(assessment)
    db.session.flush()
    for dimension_id, value in (dims or {}).items():
        db.session.add(
            AssessmentDimensionScore(assessment_id=assessment.id, dimension_id=dimension_id, score=value)
        )
    return assessment


def test_small_industry_group_is_suppressed_and_falls_back_to_the_sector_family(app):
    benchmarks.invalidate()
    with app.app_context():
        round_, other_round = RoundFactory(), RoundFactory()
        own = _stored(round_, 50.0, division="34", district="华容区", dims={"strategy": 40.0})
        # Two more peers in division 34 (3 in all, under the disclosure minimum of 5).
        _stored(round_, 30.0, division="34", dims={"strategy": 20.0})
        _stored(round_, 70.0, division="34", dims={"strategy": 60.0})
        # Same sector family (machinery: 34, 35, 38, ...): five more.
        family_scores = [20.0, 40.0, 50.0, 60.0, 90.0]
        for value in family_scores:
            _stored(round_, value, division="35", dims={"strategy": value})
        # Other sector family, a draft and another round: never peers of the sector group.
        _stored(round_, 99.0, division="13", size="large")
        _stored(round_, 1.0, division="34", status="draft")
        _stored(other_round, 5.0, division="34")

        result = benchmarks.peer_benchmark(own)
        industry = result["industry"]
        peers = [50.0, 30.0, 70.0, *family_scores]
        assert industry["group"]["kind"] == "sector" and industry["group"]["value"] == "machinery"
        assert industry["fallback"] is True
        assert industry["skipped"] == [{"kind": "industry", "value": "34", "label": None, "n": 3}]
        assert industry["n"] == len(peers)
        assert industry["mean"] == round(statistics.fmean(peers), 1)
        assert industry["median"] == statistics.median(peers)
        below = sum(1 for value in peers if value < 50.0)
        equal = sum(1 for value in peers if value == 50.0)
        assert industry["percentile"] == round(100 * (below + equal / 2) / len(peers), 1)

        # The district group (华容区: only this enterprise) is never shown: the city is used.
        district = result["district"]
        assert district["group"]["kind"] == "city"
        assert district["skipped"][0]["kind"] == "district" and district["skipped"][0]["n"] == 1
        assert district["n"] == len(peers) + 1  # the division-13 enterprise is a city peer
        assert result["city"]["median"] == statistics.median([*peers, 99.0])
        assert result["size"]["group"]["kind"] == "size" and result["size"]["n"] == len(peers)

        assert result["dimension_medians"] == {
            "strategy": statistics.median([40.0, 20.0, 60.0, *family_scores])
        }


def test_no_group_large_enough_shows_nothing(app):
    benchmarks.invalidate()
    with app.app_context():
        round_ = RoundFactory()
        own = _stored(round_, 42.0, division="27")
        for value in (10.0, 20.0, 30.0):
            _stored(round_, value, division="27")
        result = benchmarks.peer_benchmark(own)
        for entry in ("industry", "size", "district", "city"):
            assert result[entry]["group"] is None
            assert result[entry]["mean"] is None and result[entry]["median"] is None
        assert [group["n"] for group in result["industry"]["skipped"]] == [4, 4, 4]
        assert result["dimension_medians"] == {}


def test_cached_statistics_equal_the_direct_sql_aggregates(app):
    benchmarks.invalidate()
    with app.app_context():
        round_ = RoundFactory()
        own = _stored(round_, 47.3, division="31", district="华容区", size="medium", dims={"cloud": 30.0})
        for index in range(12):
            value = float(20 + 5 * index)
            _stored(round_, value, division=("31", "32", "13")[index % 3], size=("small", "medium")[index % 2],
                    dims={"cloud": value})  # fmt: skip
        cached = benchmarks.peer_benchmark(own)
        for key, extra in benchmarks._group_conditions(own):
            direct = benchmarks.group_statistics(own, key, extra)
            entry = {"industry": "industry", "size": "size", "district": "district", "city": "city"}.get(
                key["kind"]
            )
            if entry and cached[entry]["group"] and cached[entry]["group"]["kind"] == key["kind"]:
                assert cached[entry]["n"] == direct["count"]
                assert cached[entry]["median"] == round(direct["median"], 1)
        used = cached["industry"]["group"]["kind"]
        extra = dict((k["kind"], e) for k, e in benchmarks._group_conditions(own))[used]
        assert cached["dimension_medians"] == benchmarks.dimension_medians(own, extra)
