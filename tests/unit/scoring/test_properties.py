"""Property tests: bounds, monotonicity, "na", measure triggers, order independence, bad input."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import questionnaires
import scoring
from questionnaires.conditions import MISSING, derive_context, evaluate, visible_question_ids
from questionnaires.model import BOOLEAN, MULTI, NA, NUMBER, PERCENT, SCENE, SINGLE

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SHIPPED_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

contexts = st.fixed_dictionaries(
    {
        "industry_division": st.sampled_from(["13", "17", "26", "27", "31", "34", "39", "41"]),
        "size_class": st.sampled_from(["large", "medium", "small", "micro"]),
        "district": st.sampled_from(["鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区"]),
        "above_designated_size": st.booleans(),
    }
)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
qualities = st.floats(min_value=0, max_value=1)


def sample(questionnaire, seed, quality, context):
    return scoring.random_answers(questionnaire, random.Random(seed), quality=quality, context=context)


def option_fraction(question, option):
    if question.type in (SINGLE, SCENE) and option.level is not None:
        return option.level / 4
    return option.fraction


def band_fraction(question, value):
    ordered = sorted(question.bands, key=lambda band: -math.inf if band.min is None else band.min)
    for index, band in enumerate(ordered):
        low_ok = band.min is None or value > band.min or (index == 0 and value == band.min)
        if low_ok and (band.max is None or value <= band.max):
            return band.fraction
    return 0


def improvements(question, answer):
    """Answers to `question` that earn a strictly higher fraction than `answer`."""
    if answer == NA:
        return []
    if question.type in (SINGLE, SCENE):
        current = option_fraction(question, question.option(answer))
        return [o.value for o in question.options if option_fraction(question, o) > current]
    if question.type == MULTI:
        kept = [value for value in answer if not question.option(value).exclusive]
        current = min(question.cap, sum(question.option(v).fraction for v in kept))
        better = []
        for option in question.options:
            if (
                not option.exclusive
                and option.value not in kept
                and option.fraction > 0
                and current < question.cap
            ):
                better.append([*kept, option.value])
        return better
    if question.type == BOOLEAN:
        return [True] if answer is False and question.true_fraction > 0 else []
    if question.type in (NUMBER, PERCENT) and question.bands:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else (100 if question.type == PERCENT else math.inf)
        current = band_fraction(question, answer)
        values = []
        for band in question.bands:
            candidate = band.max if band.max is not None else (band.min + 1)
            if low <= candidate <= high and band_fraction(question, candidate) > current:
                values.append(candidate)
        return values
    return []


def check_never_worse(questionnaire, catalogue, answers, context, rng, limit=None):
    """Improve each scored answer in turn (without changing visibility): nothing may go down."""
    base = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    visible = visible_question_ids(questionnaire, answers, context)
    candidates = [
        (question, better)
        for question in questionnaire.questions
        if question.scored and question.id in answers and question.id in visible
        for better in improvements(question, answers[question.id])
    ]
    if limit is not None and len(candidates) > limit:
        candidates = rng.sample(candidates, limit)
    for question, better in candidates:
        changed = dict(answers, **{question.id: better})
        if visible_question_ids(questionnaire, changed, context) != visible:
            continue
        improved = scoring.score(questionnaire, changed, context, catalogue=catalogue)
        for before, after in zip(base.dimensions, improved.dimensions, strict=True):
            if before.score is not None:
                assert after.score >= before.score, (question.id, better, before.id)
        assert improved.overall_score >= base.overall_score, (question.id, better)
        assert improved.level.band >= base.level.band, (question.id, better)
        assert improved.level.gated >= base.level.gated, (question.id, better)


@SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_random_answers_are_valid_and_scores_in_range(questionnaire, catalogue, seed, quality, context):
    answers = sample(questionnaire, seed, quality, context)
    questionnaires.validate_answers(questionnaire, answers)
    result = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    assert result.missing == ()
    assert 0 <= result.overall_score <= 100
    for dimension in result.dimensions:
        assert dimension.score is None or 0 <= dimension.score <= 100
        assert dimension.score is None or round(dimension.score, 1) == dimension.score
    assert 1 <= result.level.gated <= result.level.band <= 5
    assert sum(rec.do_next for rec in result.recommendations) == min(5, len(result.recommendations))
    ranks = [(-rec.rank_score, rec.id) for rec in result.recommendations]
    assert ranks == sorted(ranks)
    assert all(rec.gap > 0 for rec in result.recommendations)


@SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_improving_an_answer_never_lowers_anything(questionnaire, catalogue, seed, quality, context):
    answers = sample(questionnaire, seed, quality, context)
    check_never_worse(questionnaire, catalogue, answers, context, random.Random(seed))


@SHIPPED_SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_improving_an_answer_never_lowers_anything_shipped(shipped, seed, quality, context):
    questionnaire, catalogue = shipped
    answers = sample(questionnaire, seed, quality, context)
    check_never_worse(questionnaire, catalogue, answers, context, random.Random(seed), limit=25)


@SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_na_leaves_every_other_item_unchanged(questionnaire, seed, quality, context):
    answers = sample(questionnaire, seed, quality, context)
    base = scoring.score(questionnaire, answers, context)
    visible = visible_question_ids(questionnaire, answers, context)
    items = {c.question_id: (c.earned, c.possible) for d in base.dimensions for c in d.contributions}
    for question in questionnaire.questions:
        if not question.allows_na or question.id not in visible or answers.get(question.id) in (None, NA):
            continue
        changed = dict(answers, **{question.id: NA})
        if visible_question_ids(questionnaire, changed, context) != visible:
            continue
        result = scoring.score(questionnaire, changed, context)
        after = {c.question_id: (c.earned, c.possible) for d in result.dimensions for c in d.contributions}
        assert after.pop(question.id) == (None, 0.0)
        assert after == {key: value for key, value in items.items() if key != question.id}


# Fixture measures and the answer change that removes each (the measure's trigger).
FIXES = {
    "backup_data": {"security_measures": ["backup"]},
    "write_plan": {"digital_plan": "draft"},
    "integrate_mes": {"mes_integration": "partial"},
    "steel_energy": {"energy_trend": "better"},
    "adopt_mes": {"uses_mes": True, "mes_integration": "none"},
}


@SETTINGS
@given(seed=seeds, quality=st.floats(min_value=0, max_value=0.5), context=contexts)
def test_changing_the_trigger_removes_the_measure(questionnaire, catalogue, seed, quality, context):
    answers = sample(questionnaire, seed, quality, context)
    result = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    for recommendation in result.recommendations:
        fix = FIXES.get(recommendation.id)
        if fix is None:
            continue
        assert set(recommendation.triggered_by) <= set(fix)
        fixed = scoring.score(questionnaire, dict(answers, **fix), context, catalogue=catalogue)
        assert recommendation.id not in {rec.id for rec in fixed.recommendations}


def answer_trigger(condition):
    """(question id, values that trigger) of a measure condition reading one single-choice answer."""
    nodes = condition["all"] if "all" in condition else [condition]
    for node in nodes:
        if "answer" in node and ("in" in node or "eq" in node):
            values = node.get("in", [node.get("eq")])
            return node["answer"], values
    return None


@SHIPPED_SETTINGS
@given(seed=seeds, quality=st.floats(min_value=0, max_value=0.6), context=contexts)
def test_changing_the_trigger_removes_the_measure_shipped(shipped, seed, quality, context):
    questionnaire, catalogue = shipped
    measures = {measure.id: measure for measure in catalogue.measures}
    answers = sample(questionnaire, seed, quality, context)
    visible = visible_question_ids(questionnaire, answers, context)
    result = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    for recommendation in result.recommendations:
        trigger = answer_trigger(measures[recommendation.id].applies_if)
        if trigger is None:
            continue
        question_id, values = trigger
        assert question_id in recommendation.triggered_by
        question = questionnaire.question(question_id)
        if question.type in (SINGLE, SCENE):
            others = [o.value for o in question.options if o.value not in values]
        elif question.type == BOOLEAN:
            others = [value for value in (True, False) if value not in values]
        else:
            continue
        for other in others:
            changed = dict(answers, **{question_id: other})
            if visible_question_ids(questionnaire, changed, context) != visible:
                continue
            after = scoring.score(questionnaire, changed, context, catalogue=catalogue)
            assert recommendation.id not in {rec.id for rec in after.recommendations}, (question_id, other)


@SETTINGS
@given(seed=seeds, quality=qualities, context=contexts, shuffle_seed=seeds)
def test_answer_order_does_not_matter(questionnaire, catalogue, seed, quality, context, shuffle_seed):
    answers = sample(questionnaire, seed, quality, context)
    shuffler = random.Random(shuffle_seed)
    items = list(answers.items())
    shuffler.shuffle(items)
    shuffled = {
        key: (shuffler.sample(value, len(value)) if isinstance(value, list) else value)
        for key, value in items
    }
    context_items = list(context.items())
    shuffler.shuffle(context_items)
    first = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    second = scoring.score(questionnaire, shuffled, dict(context_items), catalogue=catalogue)
    assert first.result_hash == second.result_hash
    assert first.to_dict() == second.to_dict()
    assert not scoring.rescore_differs(first.to_dict(), second)


@SHIPPED_SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_deterministic_and_hash_is_the_canonical_json(shipped, seed, quality, context):
    questionnaire, catalogue = shipped
    answers = sample(questionnaire, seed, quality, context)
    first = scoring.score(questionnaire, answers, context, catalogue=catalogue).to_dict()
    second = scoring.score(questionnaire, answers, context, catalogue=catalogue).to_dict()
    assert first == second
    # The fast fragment writer must equal plain json.dumps(sort_keys=True) of the dict.
    assert first["result_hash"] == scoring.canonical_hash(first)


def test_rescore_differs_when_an_answer_changes(questionnaire):
    answers = sample(questionnaire, 7, 0.5, {"industry_division": "31"})
    stored = scoring.score(questionnaire, answers, {"industry_division": "31"}).to_dict()
    changed = dict(answers, quality_trend="worse" if answers["quality_trend"] != "worse" else "better")
    assert scoring.rescore_differs(stored, scoring.score(questionnaire, changed, {"industry_division": "31"}))
    assert not scoring.rescore_differs(
        stored, scoring.score(questionnaire, answers, {"industry_division": "31"})
    )


bad_values = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["na", "", "none", "all", "backup", "better"]),
    st.lists(st.sampled_from(["backup", "nothing", "firewall", "x", 3]), max_size=4),
    st.booleans(),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=seeds,
    question_id=st.sampled_from(
        [
            "equipment_total",
            "digital_rate",
            "systems_coverage",
            "uses_mes",
            "security_measures",
            "it_budget_share",
            "remarks",
            "unknown_question",
        ]
    ),
    value=bad_values,
)
def test_bad_values_raise_answer_validation_error_only(questionnaire, catalogue, seed, question_id, value):
    answers = dict(sample(questionnaire, seed, 0.5, {}), **{question_id: value})
    try:
        result = scoring.score(
            questionnaire, answers, {"industry_division": "31"}, catalogue=catalogue, allow_incomplete=True
        )
    except questionnaires.AnswerValidationError as error:
        assert set(error.errors) == {question_id}
    else:
        assert 0 <= result.overall_score <= 100


def test_unknown_question_and_wrong_option_are_validation_errors(questionnaire):
    answers = sample(questionnaire, 3, 0.5, {})
    with pytest.raises(questionnaires.AnswerValidationError) as caught:
        scoring.score(questionnaire, dict(answers, systems_coverage="everything", bogus=1), {})
    assert set(caught.value.errors) == {"systems_coverage", "bogus"}
    with pytest.raises(questionnaires.AnswerValidationError):
        scoring.score(questionnaire, dict(answers, digital_rate=float("nan")), {})
    with pytest.raises(questionnaires.AnswerValidationError):
        scoring.score(questionnaire, dict(answers, digital_rate=101), {})


def interpreted_resolver(questionnaire, answers, result):
    """A resolver rebuilt from the result and the shown answers, for `evaluate` (the interpreter)."""
    visible = visible_question_ids(questionnaire, answers, result.context)
    shown = {
        key: value
        for key, value in answers.items()
        if key in visible and value is not None and not (isinstance(value, str) and not value.strip())
    }
    scores = {d.id: d.score for d in result.dimensions if d.score is not None}
    levels = {d.id: d.level for d in result.dimensions if d.level is not None}
    if scores:
        scores["*"], levels["*"] = min(scores.values()), min(levels.values())
    tables = {
        "answer": shown,
        "context": dict(result.context),
        "na_count": {True: sum(1 for value in shown.values() if value == NA)},
        "dimension": scores,
        "dimension_level": levels,
        "overall": {} if result.overall_score is None else {True: result.overall_score},
        "indicator": dict(result.indicators),
        "flag": {key: flag.value for key, flag in result.plan_flags.items()},
    }

    def resolve(key, value):
        found = tables[key].get(value)
        return MISSING if found is None else found

    return resolve


@SHIPPED_SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_compiled_conditions_agree_with_the_interpreter(shipped, seed, quality, context):
    questionnaire, catalogue = shipped
    answers = sample(questionnaire, seed, quality, context)
    result = scoring.score(questionnaire, answers, context, catalogue=catalogue)
    resolve = interpreted_resolver(questionnaire, answers, result)
    assert {key: flag.value for key, flag in result.plan_flags.items()} == {
        flag.id: evaluate(flag.condition, resolve) for flag in questionnaire.flags
    }
    assert [warning.id for warning in result.warnings] == [
        rule.id for rule in questionnaire.plausibility if evaluate(rule.condition, resolve)
    ]
    levels = sorted(questionnaire.levels, key=lambda level: level.level)
    expected_gated = levels[0].level
    for level in levels[1:]:
        if level.level > result.level.band or not all(evaluate(g.condition, resolve) for g in level.gates):
            break
        expected_gated = level.level
    assert result.level.gated == expected_gated
    recommended = {recommendation.id for recommendation in result.recommendations}
    current = {d.id: d.level for d in result.dimensions}
    for measure in catalogue.measures:
        level = current[measure.dimension]
        if level is None or measure.target_level <= level:
            assert measure.id not in recommended
            continue
        filtered_out = (measure.size_classes and context["size_class"] not in measure.size_classes) or (
            measure.industry_divisions
            and context["industry_division"] not in {str(d) for d in measure.industry_divisions}
        )
        expected = not filtered_out and evaluate(measure.applies_if, resolve)
        assert (measure.id in recommended) == expected, measure.id


@SHIPPED_SETTINGS
@given(seed=seeds, quality=qualities, context=contexts)
def test_indicators_and_warnings_match_the_loader_package(shipped, seed, quality, context):
    questionnaire, _ = shipped
    answers = sample(questionnaire, seed, quality, context)
    result = scoring.score(questionnaire, answers, context)
    derived = derive_context(questionnaire, context)
    assert result.indicators == questionnaires.compute_indicators(questionnaire, answers, derived)
    expected = questionnaires.plausibility_warnings(questionnaire, answers, derived)
    assert [(w.id, w.question_ids) for w in result.warnings] == [
        (w.rule_id, w.question_ids) for w in expected
    ]
    assert list(result.missing) == questionnaires.missing_required(questionnaire, answers, derived) == []
