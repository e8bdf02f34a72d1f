"""Every shipped questionnaire (and the demo fixture) validates, and every show_if can be made true and
false by some answers. (Speed is measured in bench/, not asserted in tests.)"""

import itertools
import json

import pytest

import questionnaires
from questionnaires import loader
from questionnaires.conditions import visible_question_ids
from questionnaires.model import BOOLEAN, MULTI, NA, NUMBER, PERCENT, SIZE_CLASSES

from .conftest import VALID_ROOT

ABSENT = object()  # "leave this answer out"
SHIPPED = [(loader.ROOT, qid, version) for qid, version in questionnaires.available()]
ALL = SHIPPED + [(VALID_ROOT, "demo", "1.10")]


def test_shipped_files_have_no_issue():
    assert [str(issue) for issue in questionnaires.validate_all()] == []


def _other_option(question, excluded):
    for option in question.options:
        if option.value not in excluded and not option.exclusive:
            return option.value
    return None


def _leaf(node, want, questionnaire):
    """Candidate assignments {(kind, key): value} that make one comparison `want`."""
    operand = next(k for k in node if k in ("answer", "context"))
    operator = next(k for k in node if k != operand)
    key, expected = (operand, node[operand]), node[operator]
    question = questionnaire.question(node[operand]) if operand == "answer" else None
    if isinstance(expected, dict):  # {answer: other}: compare two numbers
        other = ("answer", expected["answer"])
        high, low = {"gt": (2, 1), "gte": (2, 1), "lt": (1, 2), "lte": (1, 2), "eq": (1, 1), "ne": (1, 2)}[
            operator
        ]
        flip = {"gt": (1, 2), "gte": (1, 2), "lt": (2, 1), "lte": (2, 1), "eq": (1, 2), "ne": (1, 1)}[
            operator
        ]
        left, right = (high, low) if want else flip
        return [{key: left, other: right}]

    def other_value(excluded):
        if question is not None and question.options:
            value = _other_option(question, excluded)
            return [] if value is None else [value]
        if question is not None and question.type == BOOLEAN:
            return [v for v in (True, False) if v not in excluded]
        if operand == "context" and node[operand] == "size_class":
            return [v for v in SIZE_CLASSES if v not in excluded][:1]
        if operand == "context":
            return ["__other__"]
        numbers = [v for v in excluded if isinstance(v, int | float) and not isinstance(v, bool)]
        return [max(numbers, default=0) + 1]

    if operator == "answered":
        return [{key: ABSENT}] if want != expected else [{key: _any_value(question)}]
    if operator in ("eq", "ne"):
        same = operator == "eq"
        return [{key: expected}] if want == same else [{key: v} for v in other_value([expected])]
    if operator in ("in", "not_in"):
        inside = operator == "in"
        return [{key: expected[0]}] if want == inside else [{key: v} for v in other_value(expected)]
    if operator == "includes":
        if want:
            return [{key: [expected]}]
        return [{key: []}] + [{key: [v]} for v in other_value([expected])]
    offsets = {"gt": (1, 0), "gte": (0, -1), "lt": (-1, 0), "lte": (0, 1)}[operator]
    return [{key: expected + offsets[0 if want else 1]}]


def _any_value(question):
    if question.type == MULTI:
        return [question.options[0].value]
    if question.options:
        return question.options[0].value
    if question.type == BOOLEAN:
        return True
    if question.type in (NUMBER, PERCENT):
        return question.min or 0
    return "text"


def _merge(parts):
    merged = {}
    for part in parts:
        for key, value in part.items():
            if key in merged and merged[key] != value:
                return None
            merged[key] = value
    return merged


def _assignments(node, want, questionnaire):
    if "all" in node or "any" in node:
        children = node.get("all", node.get("any"))
        conjunctive = ("all" in node) == want
        options = [_assignments(child, want, questionnaire)[:3] for child in children]
        if conjunctive:
            return [m for combo in itertools.product(*options) if (m := _merge(combo)) is not None]
        return [a for option in options for a in option]
    if "not" in node:
        return _assignments(node["not"], not want, questionnaire)
    return _leaf(node, want, questionnaire)


def _with_parents(assignment, questionnaire, depth=0):
    """Extend an assignment so the questions it answers are themselves shown."""
    if depth > 10:
        return assignment
    merged = dict(assignment)
    for (kind, key), value in assignment.items():
        if kind != "answer" or value is ABSENT:
            continue
        show_if = questionnaire.question(key).show_if
        if show_if is None:
            continue
        for parent in _assignments(show_if, True, questionnaire):
            candidate = _merge([merged, _with_parents(parent, questionnaire, depth + 1)])
            if candidate is not None:
                merged = candidate
                break
    return merged


def _split(assignment):
    answers = {k: v for (kind, k), v in assignment.items() if kind == "answer" and v is not ABSENT}
    context = {k: v for (kind, k), v in assignment.items() if kind == "context" and v is not ABSENT}
    return answers, context


def _shown(questionnaire, question, want):
    for assignment in _assignments(question.show_if, want, questionnaire):
        answers, context = _split(_with_parents(assignment, questionnaire))
        if (question.id in visible_question_ids(questionnaire, answers, context)) == want:
            questionnaires.validate_answers(questionnaire, {k: v for k, v in answers.items() if v != NA})
            return True
    return False


@pytest.mark.parametrize(("root", "qid", "version"), ALL, ids=[f"{q}-{v}" for _, q, v in ALL])
def test_every_show_if_can_be_true_and_false(root, qid, version):
    questionnaire = questionnaires.load(qid, version, root=root)
    conditional = [q for q in questionnaire.questions if q.show_if is not None]
    assert conditional, "expected at least one conditional question"
    for question in conditional:
        assert _shown(questionnaire, question, True), f"{question.id} can never be shown"
        assert _shown(questionnaire, question, False), f"{question.id} can never be hidden"


@pytest.mark.parametrize(("root", "qid", "version"), ALL, ids=[f"{q}-{v}" for _, q, v in ALL])
def test_api_dict_of_every_questionnaire_serialises(root, qid, version):
    questionnaire = questionnaires.load(qid, version, root=root)
    document = json.loads(json.dumps(questionnaires.to_api_dict(questionnaire)))
    assert sum(len(s["questions"]) for s in document["sections"]) == len(questionnaire.questions)


CATALOGUES = [
    (root, qid, version)
    for root, qid in sorted({(root, qid) for root, qid, _ in ALL})
    for version in questionnaires.catalogue_versions(qid, root=root)
]


@pytest.mark.parametrize(("root", "qid", "version"), CATALOGUES, ids=[f"{q}-{v}" for _, q, v in CATALOGUES])
def test_catalogues_load_and_cite_existing_dimensions_and_clauses(root, qid, version):
    catalogue = questionnaires.load_catalogue(qid, version, root=root)
    dimensions = set(questionnaires.current(qid, root=root).dimensions_by_id)
    assert catalogue.measures
    assert {m.dimension for m in catalogue.measures} <= dimensions
    assert {m.plan_clause for m in catalogue.measures} <= set(questionnaires.plan_clauses())
