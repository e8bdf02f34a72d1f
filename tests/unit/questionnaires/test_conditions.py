"""compile_condition agrees with evaluate on random condition trees over random operand values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import questionnaires
from questionnaires.conditions import (
    MISSING,
    answer_resolver,
    compile_condition,
    compile_table_condition,
    derive_context,
    evaluate,
    visible_question_ids,
)
from questionnaires.model import NA

NAMES = ("a", "b", "c")
OPERAND_KEYS = ("answer", "context", "indicator", "dimension")
scalars = st.one_of(
    st.sampled_from(["x", "y", "z", NA, ""]),
    st.integers(min_value=-3, max_value=3),
    st.floats(min_value=-3, max_value=3, allow_nan=False),
    st.booleans(),
)
values = st.one_of(scalars, st.lists(st.sampled_from(["x", "y", "z", NA]), max_size=3), st.just(MISSING))
operands = st.tuples(st.sampled_from(OPERAND_KEYS), st.sampled_from(NAMES))


@st.composite
def comparisons(draw):
    key, name = draw(operands)
    operator = draw(
        st.sampled_from(["eq", "ne", "in", "not_in", "includes", "gt", "gte", "lt", "lte", "answered"])
    )
    if operator == "answered":
        expected = draw(st.booleans())
    elif operator in ("in", "not_in"):
        expected = draw(st.lists(scalars, max_size=4))
    elif draw(st.integers(0, 4)) == 0:
        ref_key, ref_name = draw(operands)
        expected = {ref_key: ref_name}
    else:
        expected = draw(scalars)
    return {key: name, operator: expected}


trees = st.recursive(
    comparisons(),
    lambda children: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(children, max_size=4)),
        st.builds(lambda items: {"any": items}, st.lists(children, max_size=4)),
        st.builds(lambda child: {"not": child}, children),
    ),
    max_leaves=8,
)
environments = st.fixed_dictionaries(
    {key: st.fixed_dictionaries(dict.fromkeys(NAMES, values)) for key in OPERAND_KEYS}
)


@settings(max_examples=400, deadline=None)
@given(tree=trees, environment=environments)
def test_compiled_condition_agrees_with_evaluate(tree, environment):
    def resolve(key, value):
        return environment[key][value]

    assert compile_condition(tree)(resolve) == evaluate(tree, resolve)


@settings(max_examples=400, deadline=None)
@given(tree=trees, environment=environments)
def test_table_compiled_condition_agrees_with_evaluate(tree, environment):
    """Operand tables: a None or absent entry is missing."""
    tables = {
        key: {name: (None if value is MISSING else value) for name, value in entries.items() if name != "c"}
        for key, entries in environment.items()
    }

    def resolve(key, value):
        found = tables[key].get(value)
        return MISSING if found is None else found

    assert compile_table_condition(tree)(tables) == evaluate(tree, resolve)


def test_deep_trees_are_interpreted_with_the_same_result():
    tree = {"answer": "a", "eq": "x"}
    for _ in range(60):
        tree = {"not": {"all": [tree]}}
    tables = {"answer": {"a": "x"}}
    assert compile_table_condition(tree)(tables) is True
    assert compile_condition(tree)(lambda key, value: tables[key].get(value, MISSING)) is True


@settings(max_examples=200, deadline=None)
@given(tree=trees, answers=st.fixed_dictionaries({}, optional=dict.fromkeys(NAMES, values)))
def test_compiled_condition_agrees_with_evaluate_on_answers(tree, answers):
    resolve = answer_resolver(
        {key: value for key, value in answers.items() if value is not MISSING}, {"a": "x", "b": 2}
    )
    assert compile_condition(tree)(resolve) == evaluate(tree, resolve)


def test_malformed_trees_are_rejected_at_compile_time():
    for node in ({"answer": "a"}, {"answer": "a", "eq": 1, "ne": 2}, {"answer": "a", "bogus": 1}):
        for compile_tree in (compile_condition, compile_table_condition):
            with pytest.raises(ValueError):
                compile_tree({"any": [{"answer": "b", "eq": 1}, node]})


def test_visibility_matches_an_interpreted_walk():
    """The compiled show_if walk gives the same visible questions as evaluating each show_if in order."""
    questionnaire = questionnaires.load("ezhou-dmi", "2025.1")
    for division in ("31", "26", "13", None):
        for systems in (["mes", "erp"], ["erp"], NA):
            answers = {"systems": systems}
            context = {"industry_division": division}
            shown: dict = {}
            resolve = answer_resolver(shown, derive_context(questionnaire, context))
            expected = set()
            for question in questionnaire.questions:
                if question.show_if is None or evaluate(question.show_if, resolve):
                    expected.add(question.id)
                    if question.id in answers:
                        shown[question.id] = answers[question.id]
            assert visible_question_ids(questionnaire, answers, context) == expected
