"""`flask rescore`: 0 changed right after seeding; changed results updated; verified results never changed."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.cli_data import register
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore
from portal.services import demo, demo_assessments, results


def _seed(count: int = 80) -> None:
    demo.seed_enterprises(count, 11)
    demo_assessments.seed_assessments(demo.seed_rounds(), 11)


def _tamper(status: str) -> Assessment:
    """Make one stored result stale, as an older engine would have left it."""
    assessment = db.session.scalars(
        select(Assessment).where(Assessment.status == status).order_by(Assessment.id).limit(1)
    ).one()
    stale = dict(assessment.result, overall_score=1.0, result_hash="stale")
    db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(result=stale, result_hash="stale", overall_score=1.0, gated_level=1)
    )
    db.session.execute(
        update(AssessmentDimensionScore)
        .where(AssessmentDimensionScore.assessment_id == assessment.id)
        .values(score=0.0)
    )
    db.session.commit()
    db.session.expire_all()
    return assessment


def test_rescore_right_after_seeding_changes_nothing(app):
    register(app)
    with app.app_context():
        _seed()
        counted = db.session.scalar(
            select(db.func.count())
            .select_from(Assessment)
            .where(Assessment.status.in_(results.COUNTED_STATUSES))
        )
    result = app.test_cli_runner().invoke(args=["rescore"])
    assert result.exit_code == 0, result.output
    assert f"{counted} scored, 0 changed, 0 verified differing (not changed)" in result.output


def test_rescore_updates_a_stale_submitted_result(app):
    with app.app_context():
        _seed()
        assessment = _tamper("submitted")
        dry = results.rescore(dry_run=True, batch_size=25)
        assert (dry.changed, dry.verified_differing) == (1, 0)
        assert db.session.get(Assessment, assessment.id).result_hash == "stale"

        report = results.rescore(batch_size=25)
        assert (report.changed, report.verified_differing) == (1, 0)
        db.session.expire_all()
        fresh = db.session.get(Assessment, assessment.id)
        questionnaire, catalogue = results.definitions(
            fresh.questionnaire_id, fresh.questionnaire_version, fresh.catalogue_version
        )
        expected = results.compute(questionnaire, catalogue, fresh.answers, fresh.context)
        assert fresh.result == expected
        assert fresh.result_hash == expected["result_hash"]
        assert fresh.overall_score == expected["overall_score"]
        assert fresh.gated_level == expected["level"]["gated"]
        assert {row.dimension_id: row.score for row in fresh.dimension_scores} == {
            d["id"]: d["score"] for d in expected["dimensions"] if d["score"] is not None
        }
        assert results.rescore().changed == 0


def test_rescore_never_changes_a_verified_result(app):
    register(app)
    with app.app_context():
        _seed()
        assessment = _tamper("verified")
        assessment_id = assessment.id
    result = app.test_cli_runner().invoke(args=["rescore"])
    assert result.exit_code == 0, result.output
    assert "0 changed, 1 verified differing (not changed)" in result.output
    assert f"verified assessment {assessment_id}: stored 1.0 (level 1)" in result.output
    with app.app_context():
        kept = db.session.get(Assessment, assessment_id)
        assert kept.result_hash == "stale"
        assert kept.overall_score == 1.0
        assert {row.score for row in kept.dimension_scores} == {0.0}


def test_rescore_filters_by_questionnaire_version(app):
    with app.app_context():
        _seed(30)
        assert results.rescore(questionnaire_id="no-such-questionnaire").scored == 0
        questionnaire_id, version, _ = results.published_versions()
        assert results.rescore(questionnaire_id=questionnaire_id, version=version).scored > 0


def test_parallel_rescore_gives_the_same_report(app, monkeypatch):
    with app.app_context():
        _seed(60)
        stale = _tamper("submitted").id
        _tamper("verified")
        monkeypatch.setattr(results, "PARALLEL_RESCORE_MINIMUM", 0)
        report = results.rescore(batch_size=16, workers=2)
        assert (report.changed, report.verified_differing, report.failed) == (1, 1, 0)
        db.session.expire_all()
        assert db.session.get(Assessment, stale).result_hash != "stale"
        assert results.rescore(batch_size=16, workers=2).changed == 0
