"""The condition tree language of FORMAT.md: evaluation and static inspection.

One evaluator serves `show_if`, gates, indicators, flags, plausibility rules and measures; the
browser has a port of the `answer`/`context` part (portal/static/js). Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .model import NA

OPERAND_KEYS = ("answer", "context", "na_count", "dimension", "dimension_level", "overall", "indicator", "flag")
OPERATORS = ("eq", "ne", "in", "not_in", "includes", "gt", "gte", "lt", "lte", "answered")
COMBINATORS = ("all", "any", "not")


class _Missing:
    """Marker for an operand with no value (unanswered, hidden, not computable)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

# resolve(operand_key, operand_value) -> value or MISSING
Resolver = Callable[[str, Any], Any]


def evaluate(node: Mapping[str, Any], resolve: Resolver) -> bool:
    """Evaluate a condition tree; `resolve` supplies operand values (MISSING when absent)."""
    if "all" in node:
        return all(evaluate(child, resolve) for child in node["all"])
    if "any" in node:
        return any(evaluate(child, resolve) for child in node["any"])
    if "not" in node:
        return not evaluate(node["not"], resolve)
    operand_key, operator = split_comparison(node)
    left = resolve(operand_key, node[operand_key])
    expected = node[operator]
    if operator == "answered":
        return (left is not MISSING) == bool(expected)
    if left is MISSING:
        return False
    if isinstance(expected, Mapping):
        ref_key, _ = _single_operand(expected)
        expected = resolve(ref_key, expected[ref_key])
        if expected is MISSING:
            return False
    return _compare(operator, left, expected)


def split_comparison(node: Mapping[str, Any]) -> tuple[str, str]:
    """Return (operand key, operator) of a comparison node; ValueError when malformed."""
    operand_keys = [key for key in node if key in OPERAND_KEYS]
    operators = [key for key in node if key in OPERATORS]
    unknown = [key for key in node if key not in OPERAND_KEYS and key not in OPERATORS]
    if unknown or len(operand_keys) != 1 or len(operators) != 1:
        raise ValueError(f"a comparison needs exactly one operand and one operator, got keys {sorted(node)}")
    return operand_keys[0], operators[0]


def _single_operand(node: Mapping[str, Any]) -> tuple[str, Any]:
    if len(node) != 1 or next(iter(node)) not in OPERAND_KEYS:
        raise ValueError(f"a right-hand reference needs exactly one operand key, got {sorted(node)}")
    key = next(iter(node))
    return key, node[key]


def _compare(operator: str, left: Any, expected: Any) -> bool:
    if operator == "eq":
        return left == expected
    if operator == "ne":
        return left != expected
    if operator == "in":
        return left in expected
    if operator == "not_in":
        return left not in expected
    if left == NA:
        return False
    if operator == "includes":
        return isinstance(left, list | tuple) and expected in left
    if isinstance(left, bool) or not isinstance(left, int | float):
        return False
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return False
    if operator == "gt":
        return left > expected
    if operator == "gte":
        return left >= expected
    if operator == "lt":
        return left < expected
    if operator == "lte":
        return left <= expected
    raise ValueError(f"unknown operator {operator!r}")


def iter_operands(node: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield every (operand key, operand value) the tree reads, right-hand references included."""
    for combinator in ("all", "any"):
        if combinator in node:
            for child in node[combinator]:
                yield from iter_operands(child)
            return
    if "not" in node:
        yield from iter_operands(node["not"])
        return
    operand_key, operator = split_comparison(node)
    yield operand_key, node[operand_key]
    expected = node[operator]
    if isinstance(expected, Mapping):
        yield _single_operand(expected)


def answer_resolver(answers: Mapping[str, Any], context: Mapping[str, Any]) -> Resolver:
    """A resolver for `show_if`: answers and context only; na_count counts "na" answers."""

    def resolve(key: str, value: Any) -> Any:
        if key == "answer":
            answer = answers.get(value, MISSING)
            return MISSING if answer is None else answer
        if key == "context":
            found = context.get(value, MISSING)
            return MISSING if found is None else found
        if key == "na_count":
            return sum(1 for answer in answers.values() if answer == NA)
        return MISSING

    return resolve


def derive_context(questionnaire: Any, context: Mapping[str, Any]) -> dict[str, Any]:
    """Return `context` plus `industry_path`, derived from the industry division."""
    derived = dict(context)
    if derived.get("industry_path") is None:
        division = derived.get("industry_division")
        derived["industry_path"] = questionnaire.default_industry_path
        for path, divisions in questionnaire.industry_paths.items():
            if division in divisions:
                derived["industry_path"] = path
                break
    return derived


def visible_question_ids(questionnaire: Any, answers: Mapping[str, Any], context: Mapping[str, Any]) -> set[str]:
    """Ids of the questions shown for these answers and this context.

    Questions are walked in order and a `show_if` sees only the answers of questions shown before
    it, so an answer kept on a hidden question never unlocks another one.
    """
    derived = derive_context(questionnaire, context)
    shown_answers: dict[str, Any] = {}
    resolve = answer_resolver(shown_answers, derived)
    visible: set[str] = set()
    for question in questionnaire.questions:
        if question.show_if is None or evaluate(question.show_if, resolve):
            visible.add(question.id)
            if question.id in answers:
                shown_answers[question.id] = answers[question.id]
    return visible
