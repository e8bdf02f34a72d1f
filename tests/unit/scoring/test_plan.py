"""The compiled plan gives exactly what the plain definitions give: item contributions, result objects."""

from __future__ import annotations

import itertools

import pytest

from questionnaires.model import MULTI, NA, Text
from scoring.plan import _contribute, _item_plan, questionnaire_plan
from scoring.result import (
    Contribution,
    DimensionResult,
    LevelResult,
    PlanFlagResult,
    Result,
    fast_constructor,
)


def scored_items(questionnaire):
    index = {dimension.id: position for position, dimension in enumerate(questionnaire.dimensions)}
    for question in questionnaire.questions:
        item = _item_plan(question, index.get(question.dimension, 0)) if question.dimension in index else None
        if item is not None:
            yield question, item


def valid_answers(question):
    if question.type == MULTI:
        combinable = [option.value for option in question.options if not option.exclusive]
        for size in range(len(combinable) + 1):
            for choice in itertools.combinations(combinable, size):
                yield list(choice)
                yield list(reversed(choice))
        for option in question.options:
            if option.exclusive:
                yield [option.value]
    elif question.bands:
        edges = {edge for band in question.bands for edge in (band.min, band.max) if edge is not None}
        for edge in sorted(edges):
            yield from (edge, edge - 0.5, edge + 0.5, int(edge))
        yield from (0, 0.0, 100, 100.0, 33.3)
    else:
        yield from (option.value for option in question.options)
        yield from (True, False)
    if question.allows_na:
        yield NA


@pytest.mark.parametrize("which", ["fixture", "shipped"])
def test_specialised_contributions_equal_the_item_definition(which, questionnaire, shipped):
    subject = questionnaire if which == "fixture" else shipped[0]
    checked = 0
    for question, item in scored_items(subject):
        contribute = _contribute(item, question)
        for answer in valid_answers(question):
            if question.type not in (MULTI,) and not question.bands and answer not in item.fixed:
                continue  # booleans offered to option questions and the like
            expected = item.contribution(answer)
            found = item.fixed.get(answer) if answer.__class__ is not list else None
            got = found if found is not None else contribute(answer)
            assert got == expected, (question.id, answer)
            assert type(got.answer) is type(expected.answer)
            checked += 1
    assert checked > 50


def test_plan_walks_every_scored_item_once_in_questionnaire_order(shipped):
    questionnaire = shipped[0]
    plan = questionnaire_plan(questionnaire)
    walked = [question_id for _, steps in plan.dimension_steps for question_id, _, _ in steps]
    scored = [question.id for question, _ in scored_items(questionnaire)]
    assert sorted(walked) == sorted(scored)
    order = {question.id: position for position, question in enumerate(questionnaire.questions)}
    for _, steps in plan.dimension_steps:
        positions = [order[question_id] for question_id, _, _ in steps]
        assert positions == sorted(positions)


def test_fast_constructors_build_equal_frozen_objects():
    text = Text("维度", "Dimension")
    contribution = Contribution("q", 1.0, 2.0, 0.5, "a")
    cases = [
        (DimensionResult, ("d", text, 1.0, 50.0, 3, (contribution,))),
        (PlanFlagResult, (True, 12.5)),
        (LevelResult, (2, 2, text, (), 3)),
    ]
    for cls, values in cases:
        built = fast_constructor(cls)(*values)
        assert built == cls(*values)
        assert hash(built) == hash(cls(*values))
        assert repr(built) == repr(cls(*values))
        with pytest.raises(AttributeError):
            built.__setattr__(next(iter(built.__dataclass_fields__)), None)
    level = LevelResult(1, 1, text, (), 2)
    values = ("q", "1", None, None, "1.0.0", {}, None, level, (), {}, {}, (), (), ())
    assert fast_constructor(Result)(*values).to_dict() == Result(*values).to_dict()
