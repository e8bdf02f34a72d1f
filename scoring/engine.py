"""The scoring run: (questionnaire, answers, context[, catalogue]) -> Result.

Order (FORMAT.md): visibility -> items -> dimensions -> overall -> indicators -> flags ->
levels/gates -> measures; plausibility warnings are checked once indicators exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import questionnaires
from questionnaires.conditions import MISSING, derive_context, evaluate, visible_question_ids
from questionnaires.model import CONTEXT_KEYS, MULTI, NA, Catalogue, Questionnaire

from .errors import IncompleteAnswersError, ScoringError
from .indicators import indicator_values
from .plan import catalogue_plan, questionnaire_plan
from .result import (
    Contribution,
    DimensionResult,
    LevelResult,
    PlanFlagResult,
    PlausibilityWarning,
    Recommendation,
    Result,
)

ENGINE_VERSION = "1.0.0"
DO_NEXT_COUNT = 5


def _validate(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> None:
    # Looked up at call time: the loader package owns the one answer validator.
    questionnaires.validate_answers(questionnaire, answers)


def _is_unanswered(answer: Any) -> bool:
    return answer is None or answer == ""


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
    derived = derive_context(questionnaire, {key: (context or {}).get(key) for key in CONTEXT_KEYS})
    context_values = {key: value for key, value in derived.items() if value is not None}

    # Visibility: hidden answers are kept by the caller but treated as missing from here on.
    visible = visible_question_ids(questionnaire, answers, derived) if plan.has_show_if else plan.all_ids
    shown: dict[str, Any] = {}
    missing: list[str] = []
    for question_id in plan.question_ids:
        if question_id in visible:
            answer = answers.get(question_id)
            if not _is_unanswered(answer):
                shown[question_id] = answer
    for question_id in plan.required_ids:
        if question_id in visible and question_id not in shown:
            missing.append(question_id)
    if missing and not allow_incomplete:
        raise IncompleteAnswersError(missing)

    # Items and dimensions.
    dimension_count = len(plan.dimension_ids)
    earned_sums = [0.0] * dimension_count
    possible_sums = [0.0] * dimension_count
    contributions: list[list[Contribution]] = [[] for _ in range(dimension_count)]
    for item in plan.items:
        answer = shown.get(item.question_id, MISSING)
        if answer is MISSING:
            continue
        index = item.dimension_index
        if answer == NA:
            contributions[index].append(Contribution(item.question_id, None, 0.0, None, NA))
            continue
        if item.type == MULTI:
            rank = item.option_rank
            answer = tuple(sorted(answer, key=lambda value: rank.get(value, len(rank))))
        fraction = item.fraction(answer)
        earned = round(fraction * item.points, 6)
        earned_sums[index] += earned
        possible_sums[index] += item.points
        contributions[index].append(
            Contribution(item.question_id, earned, item.points, round(fraction, 6), answer)
        )

    levels = plan.levels
    dimension_scores: dict[str, float] = {}
    dimension_levels: dict[str, int] = {}
    dimensions: list[DimensionResult] = []
    weighted_total = 0.0
    weight_total = 0.0
    for index, dimension in enumerate(questionnaire.dimensions):
        possible = possible_sums[index]
        dimension_score: float | None = None
        dimension_level: int | None = None
        if possible > 0:
            raw = 100.0 * earned_sums[index] / possible
            dimension_score = round(raw, 1)
            dimension_level = _level_for(levels, dimension_score)
            dimension_scores[dimension.id] = dimension_score
            dimension_levels[dimension.id] = dimension_level
            weight = plan.dimension_weights[index]
            weighted_total += weight * raw
            weight_total += weight
        dimensions.append(
            DimensionResult(
                dimension.id,
                dimension.name,
                dimension.weight,
                dimension_score,
                dimension_level,
                tuple(contributions[index]),
            )
        )
    if dimension_scores:
        dimension_scores["*"] = min(dimension_scores.values())
        dimension_levels["*"] = min(dimension_levels.values())
    overall = round(weighted_total / weight_total, 1) if weight_total > 0 else None

    # The one resolver for gates, flags, measures and plausibility: visible answers only.
    na_count = sum(1 for answer in shown.values() if answer == NA)
    indicators: dict[str, Any] = {}
    flag_values: dict[str, bool] = {}
    tables: dict[str, Mapping[Any, Any]] = {
        "answer": shown,
        "context": context_values,
        "na_count": {True: na_count},
        "dimension": dimension_scores,
        "dimension_level": dimension_levels,
        "overall": {} if overall is None else {True: overall},
        "indicator": {},
        "flag": flag_values,
    }

    def resolve(key: str, value: Any) -> Any:
        found = tables[key].get(value, MISSING)
        return MISSING if found is None else found

    # Filled in order, so a condition indicator sees the indicators defined before it.
    tables["indicator"] = indicators
    indicator_values(plan.indicators, shown, resolve, indicators)

    plan_flags: dict[str, PlanFlagResult] = {}
    for flag in questionnaire.flags:
        flag_value = evaluate(flag.condition, resolve)
        flag_values[flag.id] = flag_value
        detail = indicators.get(flag.value_from) if flag.value_from else None
        plan_flags[flag.id] = PlanFlagResult(flag_value, detail)

    warnings = tuple(
        PlausibilityWarning(rule.id, rule.message, tuple(rule.question_ids))
        for rule in questionnaire.plausibility
        if evaluate(rule.condition, resolve)
    )

    level = _gated_level(levels, overall, resolve)

    recommendations: tuple[Recommendation, ...] = ()
    if catalogue is not None:
        recommendations = _recommendations(
            catalogue, plan.normalised_weights, dimension_levels, context_values, resolve
        )

    return Result(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        catalogue_id=None if catalogue is None else catalogue.id,
        catalogue_version=None if catalogue is None else catalogue.version,
        engine_version=ENGINE_VERSION,
        context=context_values,
        overall_score=overall,
        level=level,
        dimensions=tuple(dimensions),
        indicators=indicators,
        plan_flags=plan_flags,
        recommendations=recommendations,
        warnings=warnings,
        missing=tuple(missing),
    )


def _level_for(levels: tuple[Any, ...], value: float) -> int:
    found = levels[0].level
    for level in levels:
        if level.min_score <= value:
            found = level.level
        else:
            break
    return found


def _gated_level(levels: tuple[Any, ...], overall: float | None, resolve: Any) -> LevelResult:
    band = levels[0].level if overall is None else _level_for(levels, overall)
    gated_index = 0
    blocking: tuple[Any, ...] = ()
    # CMMM: a level counts only when the gates of every lower level hold too.
    for index in range(1, len(levels)):
        failing = tuple(gate for gate in levels[index].gates if not evaluate(gate.condition, resolve))
        if failing or levels[index].level > band:
            blocking = failing
            break
        gated_index = index
    gated = levels[gated_index]
    next_level = levels[gated_index + 1].level if gated_index + 1 < len(levels) else None
    return LevelResult(band, gated.level, gated.name, blocking, next_level)


def _recommendations(
    catalogue: Catalogue,
    normalised_weights: Mapping[str, float],
    dimension_levels: Mapping[str, int],
    context_values: Mapping[str, Any],
    resolve: Any,
) -> tuple[Recommendation, ...]:
    size_class = context_values.get("size_class")
    division = context_values.get("industry_division")
    division = None if division is None else str(division)
    ranked: list[tuple[float, str, Any, int]] = []
    for measure_plan in catalogue_plan(catalogue).measures:
        measure = measure_plan.measure
        current = dimension_levels.get(measure.dimension)
        if current is None:  # nothing scored in the dimension (all "na" or hidden): no basis for a gap
            continue
        gap = measure.target_level - current
        if gap <= 0:
            continue
        if measure_plan.size_classes and size_class not in measure_plan.size_classes:
            continue
        if measure_plan.industry_divisions and division not in measure_plan.industry_divisions:
            continue
        if not evaluate(measure.applies_if, resolve):
            continue
        rank_score = round(gap * normalised_weights.get(measure.dimension, 0.0) * measure.priority, 6)
        ranked.append((rank_score, measure.id, measure_plan, gap))
    ranked.sort(key=lambda entry: (-entry[0], entry[1]))
    return tuple(
        Recommendation(
            id=measure_plan.measure.id,
            title=measure_plan.measure.title,
            text=measure_plan.measure.text,
            dimension=measure_plan.measure.dimension,
            priority=measure_plan.measure.priority,
            plan_clause=measure_plan.measure.plan_clause,
            policy=measure_plan.measure.policy,
            gap=gap,
            rank_score=rank_score,
            do_next=position < DO_NEXT_COUNT,
            triggered_by=measure_plan.triggered_by,
        )
        for position, (rank_score, _, measure_plan, gap) in enumerate(ranked)
    )


def rescore_differs(stored: Mapping[str, Any], new_result: Result) -> bool:
    """True when a stored `Result.to_dict()` differs from a fresh result (compared by result_hash)."""
    return stored.get("result_hash") != new_result.result_hash
