"""The validation shortcuts and the shown-answer indicators give what the full definitions give."""

from __future__ import annotations

import random

import questionnaires
import scoring
from questionnaires.answers import _build_check, _fast_check, _fast_values
from questionnaires.conditions import answer_resolver, derive_context, evaluate, visible_question_ids
from questionnaires.model import NA

ODD_VALUES = [NA, "", " ", "x", 0, 1, -1, 1.5, 100, 101, 1e9, float("nan"), float("inf"), True, False]
ODD_VALUES += [[], [NA], ["x"], [1], [[1]], ("a",), {"a": 1}, "a" * 3000]


def candidate_values(question):
    options = [option.value for option in question.options]
    yield from ODD_VALUES
    yield from options
    for size in range(len(options) + 1):
        yield options[:size]
        yield list(reversed(options[:size]))
    if options:
        yield [options[0], options[0]]
    for band in question.bands:
        for edge in (band.min, band.max):
            if edge is not None:
                yield from (edge, edge - 0.1, edge + 0.1)


def test_shortcuts_agree_with_the_full_checks(demo):
    shipped = questionnaires.load("ezhou-dmi", "2025.1")
    checked = 0
    for questionnaire in (demo, shipped):
        for question in questionnaire.questions:
            full = _build_check(question)
            fast = _fast_check(question, full)
            accepted = _fast_values(question)
            for value in candidate_values(question):
                assert fast(value) == full(value), (question.id, value)
                if value.__class__ is str and value in accepted:
                    assert full(value) is None, (question.id, value)
                checked += 1
    assert checked > 1000


def test_indicators_equal_an_interpreted_evaluation_over_the_shown_answers():
    questionnaire = questionnaires.load("ezhou-dmi", "2025.1")
    rng = random.Random(11)
    for index in range(60):
        context = {"industry_division": ("31", "26", "13")[index % 3], "size_class": "small"}
        answers = scoring.random_answers(questionnaire, rng, quality=rng.random(), context=context)
        visible = visible_question_ids(questionnaire, answers, context)
        shown = {key: value for key, value in answers.items() if key in visible and value is not None}
        resolve = answer_resolver(shown, derive_context(questionnaire, context))
        values = questionnaires.compute_indicators(questionnaire, answers, context)
        for indicator in questionnaire.indicators:
            if indicator.kind == "condition":
                assert values[indicator.id] == evaluate(indicator.condition, resolve), indicator.id
            elif indicator.kind == "value":
                expected = shown.get(indicator.question)
                assert values[indicator.id] == (None if expected == NA else expected)
