"""score_and_store: the stored JSON, aggregation columns and dimension rows equal what the engine computes."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Setting
from portal.services import results
from tests.factories import EnterpriseFactory, RoundFactory


def _draft(app, quality: float = 0.6, seed: int = 7, **enterprise_fields) -> Assessment:
    enterprise = EnterpriseFactory(**enterprise_fields)
    round_ = RoundFactory()
    questionnaire_id, version, catalogue_version = results.published_versions()
    questionnaire = questionnaires.load(questionnaire_id, version)
    answers = scoring.random_answers(
        questionnaire, random.Random(seed), quality=quality, context=results.scoring_context(enterprise)
    )
    assessment = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id=questionnaire_id,
        questionnaire_version=version,
        catalogue_version=catalogue_version,
        status="draft",
        answers=answers,
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def test_published_versions_default_to_the_newest_files(app):
    with app.app_context():
        questionnaire_id, version, catalogue_version = results.published_versions()
        assert questionnaire_id == results.DEFAULT_QUESTIONNAIRE_ID
        assert version == questionnaires.current(questionnaire_id).version
        assert catalogue_version == questionnaires.current_catalogue(questionnaire_id).version


def test_published_versions_read_the_settings(app):
    with app.app_context():
        newest = questionnaires.current(results.DEFAULT_QUESTIONNAIRE_ID).version
        db.session.add(Setting(key=results.SETTING_QUESTIONNAIRE_VERSION, value=newest))
        db.session.add(Setting(key=results.SETTING_CATALOGUE_VERSION, value="1999.1"))
        db.session.flush()
        assert results.published_versions() == (results.DEFAULT_QUESTIONNAIRE_ID, newest, "1999.1")


def test_score_and_store_writes_the_engine_result_and_its_columns(app):
    with app.app_context():
        assessment = _draft(app, industry_division="31", district="鄂城区", size_class="small")
        stored = results.score_and_store(assessment)
        db.session.commit()

        questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
        catalogue = questionnaires.load_catalogue(assessment.questionnaire_id, assessment.catalogue_version)
        expected = scoring.score(
            questionnaire,
            assessment.answers,
            {
                "industry_division": "31",
                "district": "鄂城区",
                "size_class": "small",
                "above_designated_size": True,
            },
            catalogue=catalogue,
        ).to_dict()
        db.session.expire_all()
        reloaded = db.session.get(Assessment, assessment.id)
        assert stored == expected
        assert reloaded.result == expected
        assert reloaded.result_hash == expected["result_hash"]
        assert reloaded.engine_version == scoring.ENGINE_VERSION
        assert reloaded.overall_score == expected["overall_score"]
        assert reloaded.band_level == expected["level"]["band"]
        assert reloaded.gated_level == expected["level"]["gated"]
        assert reloaded.context["industry_division"] == "31"
        assert (reloaded.district, reloaded.industry_division, reloaded.size_class) == (
            "鄂城区",
            "31",
            "small",
        )
        assert reloaded.above_designated_size is True
        for flag_id, flag in expected["plan_flags"].items():
            assert reloaded.flags[flag_id] is flag["value"]
        assert reloaded.cloud_enterprise is expected["plan_flags"]["cloud_enterprise"]["value"]
        assert reloaded.mlps_filed is expected["plan_flags"]["mlps_filed"]["value"]
        assert reloaded.cloud_layer == expected["indicators"]["cloud_layer"]
        assert reloaded.nc_rate == expected["indicators"]["key_process_nc_rate"]
        assert reloaded.equipment_digitization_rate == expected["indicators"]["equipment_digitization_rate"]
        assert reloaded.uses_erp is expected["indicators"]["uses_erp"]
        rows = db.session.execute(
            select(AssessmentDimensionScore.dimension_id, AssessmentDimensionScore.score).where(
                AssessmentDimensionScore.assessment_id == assessment.id
            )
        ).all()
        assert dict(rows) == {d["id"]: d["score"] for d in expected["dimensions"] if d["score"] is not None}


def test_rescoring_replaces_the_dimension_rows_and_keeps_the_snapshot(app):
    with app.app_context():
        assessment = _draft(app, quality=0.2, seed=3)
        results.score_and_store(assessment)
        db.session.flush()
        first_hash = assessment.result_hash
        assessment.answers = scoring.random_answers(
            questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version),
            random.Random(4),
            quality=0.9,
            context=assessment.context,
        )
        second = results.score_and_store(assessment)
        db.session.flush()
        assert assessment.result_hash == second["result_hash"] != first_hash
        count = db.session.scalar(
            select(db.func.count())
            .select_from(AssessmentDimensionScore)
            .where(AssessmentDimensionScore.assessment_id == assessment.id)
        )
        assert count == len([d for d in second["dimensions"] if d["score"] is not None])


def test_incomplete_answers_raise_and_store_nothing(app):
    with app.app_context():
        assessment = _draft(app)
        assessment.answers = {}
        with pytest.raises(scoring.IncompleteAnswersError):
            results.score_and_store(assessment)
        assert assessment.result is None
        partial = results.score_and_store(assessment, allow_incomplete=True)
        assert partial["missing"]


def test_refresh_current_marks_only_submitted_or_verified(app):
    with app.app_context():
        assessment = _draft(app)
        results.refresh_current(assessment.enterprise_id, assessment.round_id)
        db.session.refresh(assessment)
        assert assessment.is_current is False
        assessment.status = "submitted"
        db.session.flush()
        results.refresh_current(assessment.enterprise_id, assessment.round_id)
        db.session.refresh(assessment)
        assert assessment.is_current is True
        assessment.status = "returned"
        db.session.flush()
        results.refresh_current(assessment.enterprise_id, assessment.round_id)
        db.session.refresh(assessment)
        assert assessment.is_current is False


def test_corrected_answers_are_scored_but_the_self_reported_ones_are_kept(app):
    with app.app_context():
        assessment = _draft(app, quality=0.2, seed=5, district="鄂城区")
        results.score_and_store(assessment)
        self_reported = dict(assessment.answers)
        snapshot = dict(assessment.context)
        questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
        corrected = scoring.random_answers(questionnaire, random.Random(6), quality=0.9, context=snapshot)
        assessment.enterprise.district = "华容区"  # edited after submission: not part of the verified result
        stored = results.score_and_store(assessment, answers=corrected)
        db.session.flush()
        catalogue = questionnaires.load_catalogue(assessment.questionnaire_id, assessment.catalogue_version)
        expected = scoring.score(questionnaire, corrected, snapshot, catalogue=catalogue).to_dict()
        assert stored["result_hash"] == expected["result_hash"] == assessment.result_hash
        assert assessment.overall_score == expected["overall_score"]
        assert assessment.answers == self_reported and assessment.district == "鄂城区"
