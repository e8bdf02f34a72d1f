"""seed-demo with scored answers: deterministic, idempotent, national level shares, stored = engine."""

from __future__ import annotations

import hashlib
from collections import Counter

from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Enterprise, Round
from portal.services import demo, demo_assessments, results

SEED = 2025


def _seed(count: int, **options: object) -> tuple[list[Round], int]:
    demo.seed_enterprises(count, SEED)
    rounds = demo.seed_rounds()
    return rounds, demo_assessments.seed_assessments(rounds, SEED, **options)


def _fingerprint() -> str:
    rows = db.session.execute(
        select(
            Enterprise.uscc,
            Round.year,
            Assessment.status,
            Assessment.result_hash,
            Assessment.is_current,
            Assessment.answers,
        )
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .join(Round, Round.id == Assessment.round_id)
        .order_by(Enterprise.uscc, Round.year)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _shares(round_id: int | None = None) -> dict[int, float]:
    query = select(Assessment.gated_level, func.count()).where(Assessment.is_current.is_(True))
    if round_id is not None:
        query = query.where(Assessment.round_id == round_id)
    counts: Counter[int] = Counter()
    for level, count in db.session.execute(query.group_by(Assessment.gated_level)):
        counts[min(level, 4)] += count
    total = sum(counts.values())
    return {level: 100.0 * counts[level] / total for level in (1, 2, 3, 4)}


def test_seeded_levels_follow_the_national_2022_distribution(app):
    with app.app_context():
        rounds, created = _seed(2000)
        assert created > 3000
        closed = next(round_ for round_ in rounds if round_.status == "closed")
        expected = {level: 100 * share for level, share in demo_assessments.NATIONAL_2022_SHARES.items()}
        for shares in (_shares(closed.id), _shares()):
            for level in (1, 2, 3, 4):
                assert abs(shares[level] - expected[level]) <= 5, (level, shares)


def test_rounds_show_statuses_and_an_improving_trend(app):
    with app.app_context():
        rounds, _ = _seed(400)
        closed, open_ = sorted(rounds, key=lambda round_: round_.year)
        statuses = dict(
            db.session.execute(
                select(Assessment.status, func.count())
                .where(Assessment.round_id == open_.id)
                .group_by(Assessment.status)
            ).all()
        )
        assert {"draft", "submitted", "verified"} <= set(statuses)
        closed_statuses = set(
            db.session.scalars(select(Assessment.status).where(Assessment.round_id == closed.id).distinct())
        )
        assert closed_statuses <= {"submitted", "verified"}
        assert db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.round_id == closed.id)
        ) == db.session.scalar(select(func.count()).select_from(Enterprise))
        drafts = db.session.scalars(select(Assessment).where(Assessment.status == "draft")).all()
        assert all(draft.result is None and not draft.is_current and draft.answers for draft in drafts)

        def mean_score(round_id: int) -> float:
            return db.session.scalar(
                select(func.avg(Assessment.overall_score)).where(
                    Assessment.round_id == round_id, Assessment.is_current.is_(True)
                )
            )

        assert mean_score(open_.id) > mean_score(closed.id)


def test_seeding_is_deterministic_idempotent_and_independent_of_workers(app, monkeypatch):
    with app.app_context():
        rounds, created = _seed(150)
        first = _fingerprint()
        assert demo_assessments.seed_assessments(rounds, SEED) == 0
        assert _fingerprint() == first
        db.session.execute(delete(AssessmentDimensionScore))
        db.session.execute(delete(Assessment))
        db.session.commit()
        monkeypatch.setattr(demo_assessments, "PARALLEL_MINIMUM", 0)
        monkeypatch.setattr(demo_assessments, "CHUNK", 40)
        assert demo_assessments.seed_assessments(rounds, SEED, workers=2) == created
        assert _fingerprint() == first


def test_stored_results_equal_the_engine(app):
    with app.app_context():
        _seed(60)
        assessments = db.session.scalars(
            select(Assessment).where(Assessment.status.in_(results.COUNTED_STATUSES))
        ).all()
        assert assessments
        for assessment in assessments:
            questionnaire, catalogue = results.definitions(
                assessment.questionnaire_id, assessment.questionnaire_version, assessment.catalogue_version
            )
            expected = results.compute(questionnaire, catalogue, assessment.answers, assessment.context)
            assert assessment.result == expected
            columns = results.result_columns(expected, assessment.context)
            for column, value in columns.items():
                assert getattr(assessment, column) == value, column
            stored = {row.dimension_id: row.score for row in assessment.dimension_scores}
            assert stored == {d["id"]: d["score"] for d in expected["dimensions"] if d["score"] is not None}
