"""The scoring run: (questionnaire, answers, context[, catalogue]) -> Result.

Order (FORMAT.md): visibility -> items -> dimensions -> overall -> indicators -> flags ->
levels/gates -> measures; plausibility warnings are checked once indicators exist.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

import questionnaires
from questionnaires.conditions import derive_context, visible_question_ids
from questionnaires.model import CONTEXT_KEYS, NA, Catalogue, Questionnaire

from .errors import IncompleteAnswersError, ScoringError
from .plan import catalogue_plan, questionnaire_plan
from .result import (
    Contribution,
    DimensionResult,
    LevelResult,
    PlanFlagResult,
    Recommendation,
    Result,
    fast_constructor,
)

ENGINE_VERSION = "1.0.0"
DO_NEXT_COUNT = 5

# Positional constructors of the result objects (same objects, built without the frozen __init__).
_new_dimension = fast_constructor(DimensionResult)
_new_flag = fast_constructor(PlanFlagResult)
_new_level = fast_constructor(LevelResult)
_new_recommendation = fast_constructor(Recommendation)
_new_result = fast_constructor(Result)
_FLAG_TRUE = PlanFlagResult(True)
_FLAG_FALSE = PlanFlagResult(False)


def _validate(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> None:
    # Looked up at call time: the loader package owns the one answer validator.
    questionnaires.validate_answers(questionnaire, answers)


def score(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
    *,
    catalogue: Catalogue | None = None,
    allow_incomplete: bool = False,
) -> Result:
    """Score one answer set; raises AnswerValidationError for bad values, IncompleteAnswersError for gaps."""
    plan = questionnaire_plan(questionnaire)
    if catalogue is not None and catalogue.questionnaire_id != questionnaire.id:
        raise ScoringError(f"catalogue {catalogue.id} is for questionnaire {catalogue.questionnaire_id}")
    _validate(questionnaire, answers)
    given = {key: (context or {}).get(key) for key in CONTEXT_KEYS}
    if given["industry_division"] is not None:
        given["industry_division"] = str(given["industry_division"])  # GB/T 4754 codes are strings ("31")
    derived = derive_context(questionnaire, given)
    context_values = {key: value for key, value in derived.items() if value is not None}

    # Visibility: hidden answers are kept by the caller but treated as missing from here on.
    visible = visible_question_ids(questionnaire, answers, derived) if plan.has_show_if else plan.all_ids
    # Shown answers: visible and answered (same rule as questionnaires.missing_required: blank text
    # counts as unanswered; validated answers to other questions cannot be blank).
    shown = {key: value for key, value in answers.items() if value is not None and key in visible}
    for question_id in plan.blank_possible:
        answer = shown.get(question_id)
        if answer.__class__ is str and not answer.strip():
            del shown[question_id]
    missing: list[str] = []
    absent = plan.required_set.difference(shown)
    if absent:
        absent = absent.intersection(visible)
        if absent:
            missing = [question_id for question_id in plan.required_ids if question_id in absent]
            if not allow_incomplete:
                raise IncompleteAnswersError(missing)

    levels = plan.levels
    thresholds = plan.level_thresholds
    if thresholds is not None:
        min_scores, level_numbers = thresholds
    floor = math.floor
    dimension_scores: dict[str, float] = {}
    dimension_levels: dict[str, int] = {}
    dimensions: list[DimensionResult] = []
    weighted_total = 0.0
    weight_total = 0.0
    for (dimension, steps), weight in zip(plan.dimension_steps, plan.dimension_weights, strict=True):
        earned_sum = 0.0
        possible_sum = 0.0
        contributions: list[Contribution] = []
        for question_id, fixed, contribute in steps:  # questionnaire order
            answer = shown.get(question_id)
            if answer is None:
                continue
            contribution = None if answer.__class__ is list else fixed.get(answer)
            if contribution is None:
                contribution = contribute(answer)
            contributions.append(contribution)
            earned = contribution[1]
            if earned is not None:
                earned_sum += earned
                possible_sum += contribution[2]
        dimension_score: float | None = None
        dimension_level: int | None = None
        if possible_sum > 0:
            raw = 100.0 * earned_sum / possible_sum
            dimension_score = floor(raw * 10 + 0.5) / 10  # round_half_up, inlined
            if thresholds is None:
                dimension_level = _level_for(levels, dimension_score)
            else:  # the last level whose min score is reached, else the lowest
                position = bisect_right(min_scores, dimension_score)
                dimension_level = level_numbers[position - 1 if position else 0]
            dimension_scores[dimension.id] = dimension_score
            dimension_levels[dimension.id] = dimension_level
            weighted_total += weight * raw
            weight_total += weight
        dimensions.append(
            _new_dimension(
                dimension.id,
                dimension.name,
                dimension.weight,
                dimension_score,
                dimension_level,
                tuple(contributions),
            )
        )
    if dimension_scores:
        dimension_scores["*"] = min(dimension_scores.values())
        dimension_levels["*"] = min(dimension_levels.values())
    overall = round_half_up(weighted_total / weight_total) if weight_total > 0 else None

    # Operand tables of gates, flags, measures, plausibility (None or absent = missing); visible answers only.
    na_count = list(shown.values()).count(NA)  # == NA per answer, in C
    flag_values: dict[str, bool] = {}
    tables: dict[str, Mapping[Any, Any]] = {
        "answer": shown,
        "context": context_values,
        "na_count": {True: na_count},
        "dimension": dimension_scores,
        "dimension_level": dimension_levels,
        "overall": {} if overall is None else {True: overall},
        "indicator": {},  # filled below, once the indicators exist
        "flag": flag_values,
    }

    # The loader package owns indicator semantics (ratio percent, value, condition).
    indicators = questionnaires.compute_indicators(questionnaire, answers, derived, visible=visible)
    tables["indicator"] = indicators
    plan_flags: dict[str, PlanFlagResult] = {}
    for flag, condition in plan.flags:
        flag_value = condition(tables)
        flag_values[flag.id] = flag_value
        detail = indicators.get(flag.value_from) if flag.value_from else None
        if detail is None:  # immutable, so one object per truth value serves every result
            plan_flags[flag.id] = (
                _FLAG_TRUE
                if flag_value is True
                else _FLAG_FALSE
                if flag_value is False
                else PlanFlagResult(flag_value)
            )
        else:
            plan_flags[flag.id] = _new_flag(flag_value, detail)

    warnings = tuple([warning for warning, condition in plan.plausibility if condition(tables)])

    level = _gated_level(levels, plan.gates, overall, tables)

    recommendations: tuple[Recommendation, ...] = ()
    if catalogue is not None:
        recommendations = _recommendations(
            catalogue, plan.normalised_weights, dimension_levels, context_values, tables
        )

    return _new_result(
        questionnaire.id,  # questionnaire_id
        questionnaire.version,  # questionnaire_version
        None if catalogue is None else catalogue.id,  # catalogue_id
        None if catalogue is None else catalogue.version,  # catalogue_version
        ENGINE_VERSION,  # engine_version
        context_values,  # context
        overall,  # overall_score
        level,
        tuple(dimensions),
        indicators,
        plan_flags,
        recommendations,
        warnings,
        tuple(missing),
    )


def round_half_up(value: float) -> float:
    """Round to one decimal, halves up (38.25 -> 38.3), as people check scores by hand."""
    return math.floor(value * 10 + 0.5) / 10


def _level_for(levels: tuple[Any, ...], value: float) -> int:
    found = levels[0].level
    for level in levels:
        if level.min_score <= value:
            found = level.level
        else:
            break
    return found


def _gated_level(
    levels: tuple[Any, ...],
    gates: tuple[Any, ...],
    overall: float | None,
    tables: Mapping[str, Mapping[Any, Any]],
) -> LevelResult:
    band = levels[0].level if overall is None else _level_for(levels, overall)
    gated_index = 0
    blocking: tuple[Any, ...] = ()
    # CMMM: a level counts only when the gates of every lower level hold too.
    for index in range(1, len(levels)):
        failing = tuple(gate for gate, condition in gates[index] if not condition(tables))
        if failing or levels[index].level > band:
            blocking = failing
            break
        gated_index = index
    gated = levels[gated_index]
    next_level = levels[gated_index + 1].level if gated_index + 1 < len(levels) else None
    return _new_level(band, gated.level, gated.name, blocking, next_level)


def _recommendations(
    catalogue: Catalogue,
    normalised_weights: Mapping[str, float],
    dimension_levels: Mapping[str, int],
    context_values: Mapping[str, Any],
    tables: Mapping[str, Mapping[Any, Any]],
) -> tuple[Recommendation, ...]:
    size_class = context_values.get("size_class")
    division = context_values.get("industry_division")
    division = None if division is None else str(division)
    # (-rank score, measure id, position): sorting gives rank score descending, then id
    ranked: list[tuple[float, str, int, int, Any]] = []
    for dimension_id, steps in catalogue_plan(catalogue).steps:
        current = dimension_levels.get(dimension_id)
        if current is None:  # nothing scored in the dimension (all "na" or hidden): no basis for a gap
            continue
        weight = normalised_weights.get(dimension_id, 0.0)
        for (
            target_level,
            size_classes,
            divisions,
            applies_if,
            priority,
            measure_id,
            position,
            measure_plan,
        ) in steps:
            gap = target_level - current
            if gap <= 0:
                break  # sorted by target level, highest first
            if size_classes is not None and size_class not in size_classes:
                continue
            if divisions is not None and division not in divisions:
                continue
            if applies_if(tables):
                ranked.append((-round(gap * weight * priority, 6), measure_id, position, gap, measure_plan))
    ranked.sort()
    return tuple(
        [
            _new_recommendation(
                measure_plan.measure, gap, -negative_rank, index < DO_NEXT_COUNT, measure_plan.triggered_by
            )
            for index, (negative_rank, _, _, gap, measure_plan) in enumerate(ranked)
        ]
    )


def rescore_differs(stored: Mapping[str, Any], new_result: Result) -> bool:
    """True when a stored `Result.to_dict()` differs from a fresh result (compared by result_hash)."""
    return stored.get("result_hash") != new_result.result_hash
