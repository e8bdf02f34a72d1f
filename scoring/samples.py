"""Random valid answer sets, for benchmarks, property tests and the demo-data seeder."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from questionnaires.answers import plausibility_warnings
from questionnaires.conditions import answer_resolver, derive_context, evaluate
from questionnaires.model import (
    BOOLEAN,
    MULTI,
    NA,
    NUMBER,
    PERCENT,
    SCENE,
    SINGLE,
    TEXT,
    Question,
    Questionnaire,
)

_SAMPLE_TEXTS = ("按计划推进。", "暂无补充。", "Working on it.", "设备改造进行中")


def _option_fraction(question: Question, option: Any) -> float:
    if question.type in (SINGLE, SCENE) and option.level is not None:
        return option.level / 4
    return float(option.fraction)


def _nearest(rng: random.Random, candidates: list[tuple[float, Any]], target: float) -> Any:
    best = min(abs(fraction - target) for fraction, _ in candidates)
    return rng.choice([value for fraction, value in candidates if abs(fraction - target) - best < 1e-9])


def _bounds(question: Question) -> tuple[float, float]:
    low = question.min if question.min is not None else 0.0
    if question.max is not None:
        high = question.max
    else:
        high = 100.0 if question.type == PERCENT else low + 1000.0
    return float(low), float(high)


def _number_in(
    rng: random.Random, question: Question, low: float, high: float, low_open: bool
) -> float | int:
    q_low, q_high = _bounds(question)
    low, high = max(low, q_low), min(high, q_high)
    if question.type == NUMBER and float(q_low).is_integer():
        int_low = int(low) + 1 if low_open and float(low).is_integer() else int(-(-low // 1))
        int_high = int(high // 1)
        if int_low > int_high:
            return int(q_low)
        return rng.randint(int_low, int_high)
    if high < low:
        return q_low
    value = round(rng.uniform(low, high), 1)
    if low_open and value <= low:
        value = min(high, round(low + 0.1, 1))
    return min(max(value, low), high)


def _numeric_answer(rng: random.Random, question: Question, target: float) -> float | int:
    low, high = _bounds(question)
    if not question.bands:
        return _number_in(rng, question, low, low + (high - low) * target, False)
    ordered = sorted(question.bands, key=lambda band: float("-inf") if band.min is None else band.min)
    candidates = [(float(band.fraction), index) for index, band in enumerate(ordered)]
    for _ in range(len(ordered)):
        index = _nearest(rng, candidates, target)
        band = ordered[index]
        band_low = low if band.min is None else max(low, band.min)
        band_high = high if band.max is None else min(high, band.max)
        if band_low <= band_high:
            return _number_in(rng, question, band_low, band_high, band.min is not None and index > 0)
        candidates = [entry for entry in candidates if entry[1] != index]
    return _number_in(rng, question, low, high, False)


def _answer(rng: random.Random, question: Question, quality: float, ratio_of: float | None) -> Any:
    target = min(1.0, max(0.0, rng.gauss(quality, 0.25)))
    if question.type in (SINGLE, SCENE):
        return _nearest(
            rng, [(_option_fraction(question, option), option.value) for option in question.options], target
        )
    if question.type == MULTI:
        chosen = [
            option.value for option in question.options if not option.exclusive and rng.random() < target
        ]
        if chosen:
            return chosen
        exclusive = [option.value for option in question.options if option.exclusive]
        return [rng.choice(exclusive)] if exclusive else []
    if question.type == BOOLEAN:
        return rng.random() < 0.1 + 0.8 * target
    if question.type in (NUMBER, PERCENT):
        if ratio_of is not None:
            low, high = _bounds(question)
            value = min(high, max(low, ratio_of * target))
            return round(value) if question.type == NUMBER else round(value, 1)
        return _numeric_answer(rng, question, target)
    if question.type == TEXT:
        return rng.choice(_SAMPLE_TEXTS)[: question.max_length or 1000]
    raise ValueError(f"unknown question type {question.type!r}")


def random_answers(
    questionnaire: Questionnaire,
    rng: random.Random,
    *,
    quality: float = 0.5,
    context: Mapping[str, Any] | None = None,
    na_rate: float = 0.05,
    skip_optional: float = 0.2,
    plausible: bool = True,
    attempts: int = 20,
) -> dict[str, Any]:
    """A random valid answer set; `quality` 0..1 biases choices toward options worth more points.

    Questions hidden by `show_if` are left unanswered; ratio numerators (e.g. digital equipment)
    stay within their denominators; optional questions are skipped with `skip_optional`. With
    `plausible`, sets that raise a plausibility warning are drawn again (up to `attempts` times).
    """
    derived = derive_context(questionnaire, context or {})
    answers: dict[str, Any] = {}
    for _ in range(max(1, attempts)):
        answers = _draw(questionnaire, rng, quality, derived, na_rate, skip_optional)
        if not plausible or not plausibility_warnings(questionnaire, answers, derived):
            break
    return answers


# Per questionnaire: each question's fixed draw data, computed once (questionnaires are immutable and
# cached by the loader). The draw below makes exactly the random calls `_answer` would, in the same
# order, so the answers for a given seed are unchanged; it only skips rebuilding lists per question.
_PLANS: dict[int, tuple[Questionnaire, list[tuple[Any, ...]]]] = {}


def _plan(questionnaire: Questionnaire) -> list[tuple[Any, ...]]:
    cached = _PLANS.get(id(questionnaire))
    if cached is not None and cached[0] is questionnaire:
        return cached[1]
    denominator_of = {
        indicator.numerator: indicator.denominator
        for indicator in questionnaire.indicators
        if indicator.kind == "ratio" and indicator.numerator and indicator.denominator
    }
    steps: list[tuple[Any, ...]] = []
    for question in questionnaire.questions:
        candidates: tuple[list[float], list[Any]] = ([], [])
        if question.type in (SINGLE, SCENE):
            candidates = (
                [_option_fraction(question, option) for option in question.options],
                [option.value for option in question.options],
            )
        plain = [option.value for option in question.options if not option.exclusive]
        exclusive = [option.value for option in question.options if option.exclusive]
        steps.append(
            (
                question,
                question.id,
                question.type,
                question.show_if,
                question.allows_na,
                question.required,
                denominator_of.get(question.id, ""),
                candidates,
                plain,
                exclusive,
            )
        )
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(questionnaire)] = (questionnaire, steps)
    return steps


def _draw(
    questionnaire: Questionnaire,
    rng: random.Random,
    quality: float,
    derived: Mapping[str, Any],
    na_rate: float,
    skip_optional: float,
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    resolve = answer_resolver(answers, derived)
    uniform = rng.random
    gauss = rng.gauss
    choice = rng.choice
    for (
        question,
        question_id,
        kind,
        show_if,
        allows_na,
        required,
        denominator_id,
        candidates,
        plain,
        exclusive,
    ) in _plan(questionnaire):
        if show_if is not None and not evaluate(show_if, resolve):
            continue
        if allows_na and uniform() < na_rate:
            answers[question_id] = NA
            continue
        if not required and uniform() < skip_optional:
            continue
        if kind in (SINGLE, SCENE):  # inline _answer + _nearest: the same random calls
            target = gauss(quality, 0.25)
            target = 1.0 if target > 1.0 else (0.0 if target < 0.0 else target)
            distances = [abs(fraction - target) for fraction in candidates[0]]
            best = min(distances)
            answers[question_id] = choice(
                [
                    value
                    for value, distance in zip(candidates[1], distances, strict=True)
                    if distance - best < 1e-9
                ]
            )
        elif kind == MULTI:
            target = gauss(quality, 0.25)
            target = 1.0 if target > 1.0 else (0.0 if target < 0.0 else target)
            chosen = [value for value in plain if uniform() < target]
            answers[question_id] = chosen if chosen else ([choice(exclusive)] if exclusive else [])
        elif kind == BOOLEAN:
            target = gauss(quality, 0.25)
            target = 1.0 if target > 1.0 else (0.0 if target < 0.0 else target)
            answers[question_id] = uniform() < 0.1 + 0.8 * target
        else:
            denominator = answers.get(denominator_id)
            numeric = isinstance(denominator, int | float) and not isinstance(denominator, bool)
            answers[question_id] = _answer(rng, question, quality, float(denominator) if numeric else None)
    _repair_orderings(questionnaire, answers)
    return answers


def _repair_orderings(questionnaire: Questionnaire, answers: dict[str, Any]) -> None:
    """Clamp numbers that break plausibility rules of the form {answer: a, gt: {answer: b}}."""
    for _ in range(3):
        changed = False
        for rule in questionnaire.plausibility:
            condition = rule.condition
            right = condition.get("gt") or condition.get("gte")
            if "answer" not in condition or not isinstance(right, Mapping) or "answer" not in right:
                continue
            left_id, right_id = condition["answer"], right["answer"]
            left, limit = answers.get(left_id), answers.get(right_id)
            numeric = all(
                isinstance(value, int | float) and not isinstance(value, bool) for value in (left, limit)
            )
            if numeric and left > limit:
                question = questionnaire.question(left_id)
                low, _ = _bounds(question)
                answers[left_id] = max(limit, low) if question.type == PERCENT else max(int(limit), int(low))
                changed = True
        if not changed:
            return
