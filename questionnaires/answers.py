"""Answer checks shared by the portal (autosave, submit) and scoring: values, completeness, plausibility."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from .conditions import (
    MISSING,
    OPERAND_KEYS,
    Resolver,
    compile_condition,
    compile_table_condition,
    derive_context,
    iter_operands,
    visible_question_ids,
)
from .errors import AnswerValidationError
from .loader import DEFAULT_TEXT_MAX_LENGTH
from .model import (
    BOOLEAN,
    MULTI,
    NA,
    NUMBER,
    PERCENT,
    SCENE,
    SINGLE,
    TEXT,
    PlausibilityRule,
    Question,
    Questionnaire,
    Text,
)

UNKNOWN_QUESTION = Text("未知的问题。", "Unknown question.")
NOT_AN_OPTION = Text("请选择列表中的选项。", "Choose one of the listed options.")
NOT_A_LIST = Text("请以列表形式选择选项。", "Expected a list of options.")
DUPLICATE_OPTION = Text("同一选项不能重复选择。", "An option was chosen more than once.")
NOT_A_NUMBER = Text("请输入数字。", "Enter a number.")
NOT_TEXT = Text("请输入文字。", "Enter text.")
NOT_BOOLEAN = Text("请选择“是”或“否”。", "Answer yes or no.")
NA_NOT_ALLOWED = Text("此题不能选择“不适用”。", "“Not applicable” is not allowed for this question.")

Check = Callable[[Any], Text | None]


@dataclass(frozen=True)
class PlausibilityWarning:
    """A plausibility rule that holds for the answers: where to link and what to say."""

    rule_id: str
    message: Text
    question_ids: tuple[str, ...]


def _fmt(number: float) -> str:
    return f"{number:g}"


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _option_check(question: Question) -> Check:
    values = frozenset(option.value for option in question.options)

    def check(value: Any) -> Text | None:
        return None if isinstance(value, str) and value in values else NOT_AN_OPTION

    return check


def _multi_check(question: Question) -> Check:
    values = frozenset(option.value for option in question.options)
    exclusive = {option.value: option.label for option in question.options if option.exclusive}

    def check(value: Any) -> Text | None:
        if not isinstance(value, list | tuple):
            return NOT_A_LIST
        if any(not isinstance(item, str) or item not in values for item in value):
            return NOT_AN_OPTION
        if len(set(value)) != len(value):
            return DUPLICATE_OPTION
        if len(value) > 1:
            for item in value:
                if item in exclusive:
                    label = exclusive[item]
                    return Text(
                        f"“{label.zh}”不能与其他选项同时选择。",
                        f"“{label.en}” cannot be combined with other options.",
                    )
        return None

    return check


def _range_text(minimum: float | None, maximum: float | None) -> Text:
    if minimum is not None and maximum is not None:
        return Text(
            f"数值应在 {_fmt(minimum)} 到 {_fmt(maximum)} 之间。",
            f"The value must be between {_fmt(minimum)} and {_fmt(maximum)}.",
        )
    if minimum is not None:
        return Text(f"数值不能小于 {_fmt(minimum)}。", f"The value must be at least {_fmt(minimum)}.")
    return Text(f"数值不能大于 {_fmt(maximum)}。", f"The value must be at most {_fmt(maximum)}.")


def _number_check(question: Question) -> Check:
    minimum, maximum = question.min, question.max
    if question.type == PERCENT:
        minimum = 0.0 if minimum is None else minimum
        maximum = 100.0 if maximum is None else maximum
    out_of_range = _range_text(minimum, maximum) if minimum is not None or maximum is not None else None

    def check(value: Any) -> Text | None:
        if not _is_number(value):
            return NOT_A_NUMBER
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            return out_of_range
        return None

    return check


def _text_check(question: Question) -> Check:
    limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
    too_long = Text(f"文字不能超过 {limit} 个字符。", f"The text must not exceed {limit} characters.")

    def check(value: Any) -> Text | None:
        if not isinstance(value, str):
            return NOT_TEXT
        return too_long if len(value) > limit else None

    return check


def _boolean_check(value: Any) -> Text | None:
    return None if isinstance(value, bool) else NOT_BOOLEAN


def _build_check(question: Question) -> Check:
    if question.type in (SINGLE, SCENE):
        inner = _option_check(question)
    elif question.type == MULTI:
        inner = _multi_check(question)
    elif question.type in (NUMBER, PERCENT):
        inner = _number_check(question)
    elif question.type == TEXT:
        inner = _text_check(question)
    elif question.type == BOOLEAN:
        inner = _boolean_check
    else:  # pragma: no cover - the loader rejects unknown types
        raise ValueError(question.type)
    allows_na = question.allows_na

    def check(value: Any) -> Text | None:
        if isinstance(value, str) and value == NA:
            return None if allows_na else NA_NOT_ALLOWED
        return inner(value)

    return check


def _fast_values(question: Question) -> frozenset[str]:
    """String answers valid without running the check: the options (single, scene) and "na" if allowed."""
    values = {option.value for option in question.options} if question.type in (SINGLE, SCENE) else set()
    if question.allows_na:
        values.add(NA)
    return frozenset(values)


def _fast_check(question: Question, full: Check) -> Check:
    """`full` with a shortcut for the common valid values (same result: None) of multi, number, text, boolean."""
    if question.type == MULTI:
        values = frozenset(option.value for option in question.options)
        exclusive = frozenset(option.value for option in question.options if option.exclusive)

        def multi(value: Any) -> Text | None:
            if value.__class__ is list:
                try:
                    chosen = set(value)
                except TypeError:  # an unhashable item: the full check names the problem
                    return full(value)
                if (
                    len(chosen) == len(value)
                    and chosen <= values
                    and (len(chosen) < 2 or chosen.isdisjoint(exclusive))
                ):
                    return None
            return full(value)

        return multi
    if question.type in (NUMBER, PERCENT):
        low, high = question.min, question.max
        if question.type == PERCENT:
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
        if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
            return full  # unbounded: the full check rules out infinities

        def number(value: Any) -> Text | None:
            cls = value.__class__
            if (cls is int or cls is float) and low <= value <= high:  # NaN fails the comparison
                return None
            return full(value)

        return number
    if question.type == TEXT:
        limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH

        def text(value: Any) -> Text | None:
            if value.__class__ is str and len(value) <= limit and value != NA:
                return None
            return full(value)

        return text
    if question.type == BOOLEAN:
        return lambda value: None if value.__class__ is bool else full(value)
    return full


def _checks(questionnaire: Questionnaire) -> dict[str, tuple[frozenset[str], Check]]:
    # Computed once per loaded questionnaire (which is cached), like the model's cached_property.
    checks = questionnaire.__dict__.get("_answer_checks")
    if checks is None:
        checks = {
            question.id: (_fast_values(question), _fast_check(question, _build_check(question)))
            for question in questionnaire.questions
        }
        questionnaire.__dict__["_answer_checks"] = checks
    return checks


def validate_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> None:
    """Check answer values (not completeness); raise AnswerValidationError listing every bad answer."""
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of question id to value")
    checks = _checks(questionnaire)
    errors: dict[str, Text] = {}
    for question_id, value in answers.items():
        entry = checks.get(question_id)
        if entry is None:
            errors[question_id] = UNKNOWN_QUESTION
        elif value is not None and not (value.__class__ is str and value in entry[0]):
            message = entry[1](value)
            if message is not None:
                errors[question_id] = message
    if errors:
        raise AnswerValidationError(errors)


def _unanswered(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_required(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> list[str]:
    """Ids of shown, required questions without an answer, in questionnaire order."""
    visible = visible_question_ids(questionnaire, answers, context)
    return [
        question.id
        for question in questionnaire.questions
        if question.required and question.id in visible and _unanswered(answers.get(question.id))
    ]


def _number(value: Any) -> float | None:
    cls = value.__class__
    if cls is float or cls is int:  # the common case of _is_number, without the isinstance checks
        return value if math.isfinite(value) else None
    return value if _is_number(value) else None


def _shown_resolver(
    answers: Mapping[str, Any],
    visible: set[str] | frozenset[str],
    context: Mapping[str, Any],
    indicators: Mapping[str, Any] | None = None,
) -> Resolver:
    """The resolver of indicators and plausibility rules: answers of shown questions, context, indicators."""

    def resolve(key: str, value: Any) -> Any:
        if key == "answer":
            if value not in visible:
                return MISSING
            answer = answers.get(value)
            return MISSING if answer is None else answer
        if key == "context":
            found = context.get(value)
            return MISSING if found is None else found
        if key == "indicator" and indicators is not None:
            found = indicators.get(value)
            return MISSING if found is None else found
        if key == "na_count":
            return sum(
                1 for question_id, answer in answers.items() if answer == NA and question_id in visible
            )
        return MISSING

    return resolve


class _CompiledRules(NamedTuple):
    indicators: tuple[tuple[Any, ...], ...]  # (id, kind, question or numerator, denominator, condition)
    plausibility: tuple[tuple[PlausibilityRule, Any], ...]  # (rule, condition over a resolver)
    answer_reads: tuple[str, ...]  # question ids the indicator conditions read
    counts_na: bool  # an indicator condition reads na_count


def _compiled_rules(questionnaire: Questionnaire) -> _CompiledRules:
    """Indicator and plausibility conditions compiled; built once per questionnaire."""
    compiled = questionnaire.__dict__.get("_compiled_rules")
    if compiled is None:
        reads: dict[str, None] = {}
        counts_na = False
        for indicator in questionnaire.indicators:
            if indicator.condition is not None:
                for key, value in iter_operands(indicator.condition):
                    if key == "answer":
                        reads[value] = None
                    counts_na = counts_na or key == "na_count"
        compiled = questionnaire.__dict__["_compiled_rules"] = _CompiledRules(
            indicators=tuple(
                (
                    indicator.id,
                    indicator.kind,
                    indicator.numerator if indicator.kind == "ratio" else indicator.question,
                    indicator.denominator,
                    None if indicator.condition is None else compile_table_condition(indicator.condition),
                )
                for indicator in questionnaire.indicators
            ),
            plausibility=tuple(
                (rule, compile_condition(rule.condition)) for rule in questionnaire.plausibility
            ),
            answer_reads=tuple(reads),
            counts_na=counts_na,
        )
    return compiled


def _indicator_tables(
    rules: _CompiledRules,
    answers: Mapping[str, Any],
    visible: set[str] | frozenset[str],
    context: Mapping[str, Any],
) -> dict[str, Mapping[Any, Any]]:
    """Operand tables for the indicator conditions: shown answers and context; other operands are missing."""
    shown = {}
    for question_id in rules.answer_reads:
        if question_id in visible:
            answer = answers.get(question_id)
            if answer is not None:
                shown[question_id] = answer
    tables: dict[str, Mapping[Any, Any]] = dict.fromkeys(OPERAND_KEYS, _NOTHING)
    tables["answer"] = shown
    tables["context"] = context
    if rules.counts_na:
        count = sum(1 for question_id, answer in answers.items() if answer == NA and question_id in visible)
        tables["na_count"] = {True: count}
    return tables


_NOTHING: Mapping[Any, Any] = MappingProxyType({})


def compute_indicators(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    visible: set[str] | frozenset[str] | None = None,
) -> dict[str, Any]:
    """Indicator values from the shown answers: ratio -> percent (1 decimal) or None, value, condition -> bool."""
    if visible is None:
        visible = visible_question_ids(questionnaire, answers, context)
    rules = _compiled_rules(questionnaire)
    tables = None
    values: dict[str, Any] = {}
    for indicator_id, kind, question_id, denominator_id, condition in rules.indicators:
        if kind == "ratio":
            numerator = _number(answers.get(question_id)) if question_id in visible else None
            denominator = _number(answers.get(denominator_id)) if denominator_id in visible else None
            if numerator is None or denominator is None or denominator <= 0:
                values[indicator_id] = None
            else:
                values[indicator_id] = round(100.0 * numerator / denominator, 1)
        elif kind == "value":
            value = answers.get(question_id) if question_id in visible else None
            values[indicator_id] = None if value is None or value == NA else value
        else:
            if tables is None:
                tables = _indicator_tables(rules, answers, visible, derive_context(questionnaire, context))
            values[indicator_id] = condition(tables)
    return values


def plausibility_warnings(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> list[PlausibilityWarning]:
    """Warnings of the plausibility rules whose condition holds for the shown answers."""
    if not questionnaire.plausibility:
        return []
    visible = visible_question_ids(questionnaire, answers, context)
    indicators = compute_indicators(questionnaire, answers, context, visible=visible)
    resolve = _shown_resolver(answers, visible, derive_context(questionnaire, context), indicators)
    return [
        PlausibilityWarning(rule.id, rule.message, rule.question_ids)
        for rule, condition in _compiled_rules(questionnaire).plausibility
        if condition(resolve)
    ]
