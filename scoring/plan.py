"""Per-questionnaire and per-catalogue precomputation ("plans"), compiled once and reused.

Only the static structure is cached here (lookup tables, sorted levels, operand lists, compiled
condition closures); results and condition values are never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from questionnaires.conditions import compile_table_condition, iter_operands
from questionnaires.model import (
    BOOLEAN,
    MULTI,
    NA,
    NUMBER,
    PERCENT,
    SCENE,
    SINGLE,
    TEXT,
    Catalogue,
    Dimension,
    Gate,
    MaturityLevel,
    Measure,
    PlanFlag,
    Question,
    Questionnaire,
)

from .result import Contribution, PlausibilityWarning

_MAX_PLANS = 32

# A compiled condition over the engine's operand tables (see compile_table_condition)
TableCondition = Callable[[Mapping[str, Mapping[Any, Any]]], bool]


@dataclass(frozen=True)
class ItemPlan:
    """How to turn one scored question's answer into a fraction of its points."""

    question_id: str
    dimension_index: int
    points: float
    type: str
    fractions: dict[str, float]  # single / scene / multi: option value -> fraction
    option_rank: dict[str, int]  # multi: option value -> position, to order answers canonically
    cap: float
    bands: tuple[tuple[float | None, float | None, float], ...]
    true_fraction: float
    # Contributions that depend only on the answer value (single, scene, boolean, "na"), built once.
    fixed: dict[Any, Contribution]

    def contribution(self, answer: Any) -> Contribution:
        """The contribution of a validated answer (multi answers are put in option order)."""
        found = self.fixed.get(answer) if not isinstance(answer, list | tuple) else None
        if found is not None:
            return found
        if self.type == MULTI:  # validated: every value is an option
            answer = tuple(sorted(answer, key=self.option_rank.__getitem__))
        fraction = round(self.fraction(answer), 6)
        return Contribution(self.question_id, round(fraction * self.points, 6), self.points, fraction, answer)

    def fraction(self, answer: Any) -> float:
        """The share (0..1) of the points the (validated, non-"na") answer earns."""
        item_type = self.type
        if item_type == SINGLE or item_type == SCENE:
            return self.fractions.get(answer, 0.0)
        if item_type == MULTI:
            total = sum(map(self.fractions.__getitem__, answer), 0.0)
            return total if total < self.cap else self.cap
        if item_type == BOOLEAN:
            return self.true_fraction if answer is True else 0.0
        first = True
        for low, high, fraction in self.bands:
            # min < value <= max; the lowest band also includes its lower end (FORMAT.md "Band")
            if (low is None or answer > low or (first and answer == low)) and (
                high is None or answer <= high
            ):
                return fraction
            first = False
        return 0.0


_MAX_TABLED_OPTIONS = 12  # multi questions with more combinable options compute each answer


def _contribute(item: ItemPlan, question: Question) -> Callable[[Any], Contribution]:
    """`item.contribution` for answers not in `item.fixed`, specialised for multi and banded answers.

    A multi question's contributions are tabled for every valid choice (each subset of the
    combinable options, and each exclusive option alone) when there are at most 12 such options;
    a banded question's earned points are worked out per band. Both give exactly what
    `item.contribution` gives (the unit tests compare them).
    """
    new = tuple.__new__
    question_id, points = item.question_id, item.points
    if item.type == MULTI:
        combinable = [option.value for option in question.options if not option.exclusive]
        if len(combinable) > _MAX_TABLED_OPTIONS:
            return item.contribution
        choices: list[tuple[str, ...]] = [()]
        for value in combinable:
            choices += [choice + (value,) for choice in choices]
        choices += [(option.value,) for option in question.options if option.exclusive]
        table = {frozenset(choice): item.contribution(list(choice)) for choice in choices}
        compute = item.contribution

        def multi(answer: Any) -> Contribution:
            try:
                found = table.get(frozenset(answer))
            except TypeError:  # pragma: no cover - validated answers hold strings
                found = None
            if found is None or len(found.answer) != len(answer):  # repeated values: not tabled
                return compute(answer)
            return found

        return multi
    if item.bands:
        bands = []
        for low, high, fraction in item.bands:
            rounded = round(fraction, 6)
            bands.append((low, high, round(rounded * points, 6), rounded))
        outside = (round(0.0 * points, 6), 0.0)
        general = item.contribution

        def banded(answer: Any) -> Contribution:
            cls = answer.__class__
            if cls is not int and cls is not float:  # "na" is fixed; anything else takes the general path
                return general(answer)
            first = True
            for low, high, earned, fraction in bands:
                # min < value <= max; the lowest band also includes its lower end (FORMAT.md "Band")
                if (low is None or answer > low or (first and answer == low)) and (
                    high is None or answer <= high
                ):
                    return new(Contribution, (question_id, earned, points, fraction, answer))
                first = False
            return new(Contribution, (question_id, outside[0], points, outside[1], answer))

        return banded
    return item.contribution


def _item_plan(question: Question, dimension_index: int) -> ItemPlan | None:
    if not question.scored:
        return None
    if question.type in (NUMBER, PERCENT) and not question.bands:
        return None
    fractions: dict[str, float] = {}
    for option in question.options:
        if question.type in (SINGLE, SCENE) and option.level is not None:
            fractions[option.value] = option.level / 4
        else:
            fractions[option.value] = float(option.fraction)
    points = float(question.points)
    fixed: dict[Any, Contribution] = {NA: Contribution(question.id, None, 0.0, None, NA)}
    if question.type in (SINGLE, SCENE):
        for value, fraction in fractions.items():
            fixed[value] = Contribution(
                question.id, round(fraction * points, 6), points, round(fraction, 6), value
            )
    elif question.type == BOOLEAN:
        true_fraction = float(question.true_fraction)
        fixed[True] = Contribution(question.id, round(true_fraction * points, 6), points, true_fraction, True)
        fixed[False] = Contribution(question.id, 0.0, points, 0.0, False)
    bands = tuple(
        (band.min, band.max, float(band.fraction))
        for band in sorted(question.bands, key=lambda band: float("-inf") if band.min is None else band.min)
    )
    return ItemPlan(
        question_id=question.id,
        dimension_index=dimension_index,
        points=points,
        type=question.type,
        fractions=fractions,
        option_rank={option.value: index for index, option in enumerate(question.options)},
        cap=float(question.cap),
        bands=bands,
        true_fraction=float(question.true_fraction),
        fixed=fixed,
    )


@dataclass(frozen=True)
class QuestionnairePlan:
    """Everything about a questionnaire that does not depend on the answers."""

    questionnaire: Questionnaire
    all_ids: frozenset[str]
    has_show_if: bool
    required_ids: tuple[str, ...]  # questionnaire order
    required_set: frozenset[str]
    # Questions whose valid answer may be a blank string (counted as unanswered): text, blank option values
    blank_possible: tuple[str, ...]
    # Per dimension: (dimension, steps); a step is (question id, the item's fixed contributions, a
    # function for the other answers), in questionnaire order
    dimension_steps: tuple[
        tuple[Dimension, tuple[tuple[str, dict[Any, Contribution], Callable[[Any], Contribution]], ...]], ...
    ]
    dimension_ids: tuple[str, ...]
    dimension_weights: tuple[float, ...]
    normalised_weights: dict[str, float]
    levels: tuple[MaturityLevel, ...]  # ascending by level
    # (min scores, level numbers) when the min scores ascend with the levels, for a bisection
    level_thresholds: tuple[tuple[float, ...], tuple[int, ...]] | None
    gates: tuple[tuple[tuple[Gate, TableCondition], ...], ...]  # per level, same order as `levels`
    flags: tuple[tuple[PlanFlag, TableCondition], ...]
    # The warning a rule gives (immutable, the same for every answer set) and its condition
    plausibility: tuple[tuple[PlausibilityWarning, TableCondition], ...]


def _compile_questionnaire(questionnaire: Questionnaire) -> QuestionnairePlan:
    dimension_index = {dimension.id: index for index, dimension in enumerate(questionnaire.dimensions)}
    steps: list[list[tuple[str, dict[Any, Contribution], Callable[[Any], Contribution]]]] = [
        [] for _ in questionnaire.dimensions
    ]
    for question in questionnaire.questions:
        if question.dimension in dimension_index:
            item = _item_plan(question, dimension_index[question.dimension])
            if item is not None:
                steps[item.dimension_index].append((question.id, item.fixed, _contribute(item, question)))
    required_ids = tuple(question.id for question in questionnaire.questions if question.required)
    levels = tuple(sorted(questionnaire.levels, key=lambda level: level.level))
    total_weight = sum(dimension.weight for dimension in questionnaire.dimensions)
    return QuestionnairePlan(
        questionnaire=questionnaire,
        all_ids=frozenset(question.id for question in questionnaire.questions),
        has_show_if=any(question.show_if is not None for question in questionnaire.questions),
        required_ids=required_ids,
        required_set=frozenset(required_ids),
        blank_possible=tuple(
            question.id
            for question in questionnaire.questions
            if question.type == TEXT or any(not option.value.strip() for option in question.options)
        ),
        dimension_steps=tuple(zip(questionnaire.dimensions, map(tuple, steps), strict=True)),
        dimension_ids=tuple(dimension.id for dimension in questionnaire.dimensions),
        dimension_weights=tuple(float(dimension.weight) for dimension in questionnaire.dimensions),
        normalised_weights={
            dimension.id: (dimension.weight / total_weight if total_weight else 0.0)
            for dimension in questionnaire.dimensions
        },
        levels=levels,
        level_thresholds=(
            (tuple(level.min_score for level in levels), tuple(level.level for level in levels))
            if all(
                lower.min_score <= upper.min_score for lower, upper in zip(levels, levels[1:], strict=False)
            )
            else None
        ),
        gates=tuple(
            tuple((gate, compile_table_condition(gate.condition)) for gate in level.gates) for level in levels
        ),
        flags=tuple((flag, compile_table_condition(flag.condition)) for flag in questionnaire.flags),
        plausibility=tuple(
            (
                PlausibilityWarning(rule.id, rule.message, tuple(rule.question_ids)),
                compile_table_condition(rule.condition),
            )
            for rule in questionnaire.plausibility
        ),
    )


@dataclass(frozen=True)
class MeasurePlan:
    """A measure with its filters as sets and the question ids its condition reads."""

    measure: Measure
    size_classes: frozenset[str]
    industry_divisions: frozenset[str]
    triggered_by: tuple[str, ...]
    applies_if: TableCondition
    target_level: int


@dataclass(frozen=True)
class CataloguePlan:
    """A catalogue's measures per dimension, highest target level first (to stop at the current level)."""

    catalogue: Catalogue
    by_dimension: tuple[tuple[str, tuple[MeasurePlan, ...]], ...]
    # The same as flat tuples for the engine's loop, per dimension: (target level, size classes or
    # None, industry divisions or None, condition, priority, measure id, position, measure plan)
    steps: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]


def answer_operands(condition: Any) -> tuple[str, ...]:
    """Question ids read through `answer` operands in a condition tree (first occurrence order)."""
    seen: dict[str, None] = {}
    for key, value in iter_operands(condition):
        if key == "answer":
            seen.setdefault(value, None)
    return tuple(seen)


def _compile_catalogue(catalogue: Catalogue) -> CataloguePlan:
    by_dimension: dict[str, list[MeasurePlan]] = {}
    for measure in sorted(catalogue.measures, key=lambda measure: (-measure.target_level, measure.id)):
        by_dimension.setdefault(measure.dimension, []).append(
            MeasurePlan(
                measure=measure,
                size_classes=frozenset(measure.size_classes),
                industry_divisions=frozenset(str(division) for division in measure.industry_divisions),
                triggered_by=answer_operands(measure.applies_if),
                applies_if=compile_table_condition(measure.applies_if),
                target_level=measure.target_level,
            )
        )
    grouped = tuple((dimension, tuple(plans)) for dimension, plans in sorted(by_dimension.items()))
    # A unique position in walking order breaks ties as a stable sort would (ids are unique anyway).
    flat = [plan for _, plans in grouped for plan in plans]
    positions = {id(plan): position for position, plan in enumerate(flat)}
    return CataloguePlan(
        catalogue=catalogue,
        by_dimension=grouped,
        steps=tuple(
            (
                dimension,
                tuple(
                    (
                        plan.target_level,
                        plan.size_classes or None,
                        plan.industry_divisions or None,
                        plan.applies_if,
                        plan.measure.priority,
                        plan.measure.id,
                        positions[id(plan)],
                        plan,
                    )
                    for plan in plans
                ),
            )
            for dimension, plans in grouped
        ),
    )


_questionnaire_plans: dict[tuple[str, str], QuestionnairePlan] = {}
_catalogue_plans: dict[tuple[str, str], CataloguePlan] = {}


def questionnaire_plan(questionnaire: Questionnaire) -> QuestionnairePlan:
    """The compiled plan of `questionnaire` (recompiled when another object has the same id and version)."""
    key = (questionnaire.id, questionnaire.version)
    plan = _questionnaire_plans.get(key)
    if plan is None or plan.questionnaire is not questionnaire:
        if len(_questionnaire_plans) >= _MAX_PLANS:
            _questionnaire_plans.clear()
        plan = _questionnaire_plans[key] = _compile_questionnaire(questionnaire)
    return plan


def catalogue_plan(catalogue: Catalogue) -> CataloguePlan:
    """The compiled plan of `catalogue`."""
    key = (catalogue.id, catalogue.version)
    plan = _catalogue_plans.get(key)
    if plan is None or plan.catalogue is not catalogue:
        if len(_catalogue_plans) >= _MAX_PLANS:
            _catalogue_plans.clear()
        plan = _catalogue_plans[key] = _compile_catalogue(catalogue)
    return plan
