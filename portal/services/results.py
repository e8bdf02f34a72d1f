"""The one place that scores an assessment and stores its result (JSON, aggregation columns, dimension rows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Enterprise, Setting, utcnow
from questionnaires.model import Catalogue, Questionnaire

DEFAULT_QUESTIONNAIRE_ID = "ezhou-dmi"
SETTING_QUESTIONNAIRE_ID = "published_questionnaire_id"
SETTING_QUESTIONNAIRE_VERSION = "published_questionnaire_version"
SETTING_CATALOGUE_VERSION = "published_catalogue_version"
COUNTED_STATUSES = ("submitted", "verified")

# Plan flags stored as their own boolean columns (the rest live in the `flags` JSON only).
FLAG_COLUMNS = (
    "cloud_enterprise",
    "integration_demo_candidate",
    "smart_factory_candidate",
    "fiveg_factory_candidate",
    "identifier_adopter",
    "mlps_filed",
    "mlps_passed",
)
# Assessment column <- indicator id.
INDICATOR_COLUMNS = {
    "cloud_layer": "cloud_layer",
    "equipment_digitization_rate": "equipment_digitization_rate",
    "equipment_networking_rate": "equipment_networking_rate",
    "nc_rate": "key_process_nc_rate",
    "uses_erp": "uses_erp",
    "uses_mes": "uses_mes",
    "uses_plm": "uses_plm",
    "uses_scm": "uses_scm",
}
CONTEXT_COLUMNS = ("district", "industry_division", "size_class", "above_designated_size")


def scoring_context(enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise profile the engine scores with (snapshotted on the assessment)."""
    return {
        "industry_division": enterprise.industry_division,
        "size_class": enterprise.size_class,
        "district": enterprise.district,
        "above_designated_size": bool(enterprise.above_designated_size),
    }


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def result_columns(result: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Assessment aggregation columns for a `Result.to_dict()` (pure; used by bulk seeding too).

    `context` is the snapshotted scoring context; without it the result's own context is used.
    """
    plan_flags = result.get("plan_flags") or {}
    indicators = result.get("indicators") or {}
    level = result.get("level") or {}
    source = context if context is not None else (result.get("context") or {})
    columns: dict[str, Any] = {
        "overall_score": result.get("overall_score"),
        "band_level": level.get("band"),
        "gated_level": level.get("gated"),
        "flags": {flag_id: bool(flag.get("value")) for flag_id, flag in plan_flags.items()},
        "engine_version": result.get("engine_version"),
        "result_hash": result.get("result_hash"),
    }
    for column in FLAG_COLUMNS:
        flag = plan_flags.get(column)
        columns[column] = None if flag is None else bool(flag.get("value"))
    for column, indicator_id in INDICATOR_COLUMNS.items():
        value = indicators.get(indicator_id)
        if column == "cloud_layer":
            columns[column] = None if value is None else str(value)
        elif column.startswith("uses_"):
            columns[column] = _as_bool(value)
        else:
            columns[column] = _as_float(value)
    for column in CONTEXT_COLUMNS:
        value = source.get(column)
        columns[column] = _as_bool(value) if column == "above_designated_size" else value
    return columns


def dimension_rows(assessment_id: int, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows for assessment_dimension_scores (dimensions without a score are left out; pure)."""
    return [
        {"assessment_id": assessment_id, "dimension_id": dimension["id"], "score": float(dimension["score"])}
        for dimension in result.get("dimensions") or ()
        if dimension.get("score") is not None
    ]


def _setting(key: str) -> str | None:
    return db.session.scalar(select(Setting.value).where(Setting.key == key))


def published_versions() -> tuple[str, str, str | None]:
    """(questionnaire id, version, catalogue version) new assessments use: Settings, else the newest files."""
    questionnaire_id = _setting(SETTING_QUESTIONNAIRE_ID) or DEFAULT_QUESTIONNAIRE_ID
    version = _setting(SETTING_QUESTIONNAIRE_VERSION) or questionnaires.current(questionnaire_id).version
    catalogue_version = _setting(SETTING_CATALOGUE_VERSION)
    if catalogue_version is None:
        try:
            catalogue_version = questionnaires.current_catalogue(questionnaire_id).version
        except questionnaires.QuestionnaireNotFound:
            catalogue_version = None
    return questionnaire_id, version, catalogue_version


def definitions(
    questionnaire_id: str, version: str, catalogue_version: str | None
) -> tuple[Questionnaire, Catalogue | None]:
    """The questionnaire and catalogue an assessment is scored with (the loader caches them)."""
    questionnaire = questionnaires.load(questionnaire_id, version)
    catalogue = (
        questionnaires.load_catalogue(questionnaire_id, catalogue_version) if catalogue_version else None
    )
    return questionnaire, catalogue


def compute(
    questionnaire: Questionnaire,
    catalogue: Catalogue | None,
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    allow_incomplete: bool = False,
) -> dict[str, Any]:
    """Score one answer set and return `Result.to_dict()` (the stored JSON)."""
    return scoring.score(
        questionnaire, answers, context, catalogue=catalogue, allow_incomplete=allow_incomplete
    ).to_dict()


def store_result(assessment: Assessment, result: dict[str, Any]) -> None:
    """Write a result onto an assessment: JSON, columns and dimension rows (replaced); no commit."""
    assessment.result = result
    for column, value in result_columns(result, assessment.context).items():
        setattr(assessment, column, value)
    if assessment.id is None:
        db.session.flush()
    db.session.execute(
        delete(AssessmentDimensionScore).where(AssessmentDimensionScore.assessment_id == assessment.id)
    )
    rows = dimension_rows(assessment.id, result)
    if rows:
        db.session.execute(insert(AssessmentDimensionScore), rows)
    db.session.expire(assessment, ["dimension_scores"])


def score_and_store(assessment: Assessment, *, allow_incomplete: bool = False) -> dict[str, Any]:
    """Snapshot the enterprise's context, score the answers and store the result; the caller commits.

    Raises questionnaires.AnswerValidationError or scoring.IncompleteAnswersError (nothing is written then).
    """
    if assessment.catalogue_version is None:
        _, _, assessment.catalogue_version = published_versions()
    questionnaire, catalogue = definitions(
        assessment.questionnaire_id, assessment.questionnaire_version, assessment.catalogue_version
    )
    enterprise = assessment.enterprise
    if enterprise is None:
        enterprise = db.session.get(Enterprise, assessment.enterprise_id)
    context = scoring_context(enterprise)
    result = compute(
        questionnaire, catalogue, assessment.answers or {}, context, allow_incomplete=allow_incomplete
    )
    assessment.context = context
    store_result(assessment, result)
    return result


def refresh_current(enterprise_id: int, round_id: int) -> None:
    """Mark the enterprise's counted assessment of the round (submitted or verified) as current; no commit."""
    db.session.execute(
        update(Assessment)
        .where(Assessment.enterprise_id == enterprise_id, Assessment.round_id == round_id)
        .values(is_current=Assessment.status.in_(COUNTED_STATUSES), updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
