"""Per-questionnaire and per-catalogue precomputation ("plans"), compiled once and reused.

Only the static structure is cached here (lookup tables, sorted levels, operand lists); results
are never cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from questionnaires.conditions import iter_operands
from questionnaires.model import (
    BOOLEAN,
    MULTI,
    NUMBER,
    PERCENT,
    SCENE,
    SINGLE,
    Catalogue,
    Indicator,
    MaturityLevel,
    Measure,
    Question,
    Questionnaire,
)

_MAX_PLANS = 32


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

    def fraction(self, answer: Any) -> float:
        """The share (0..1) of the points the (validated, non-"na") answer earns."""
        item_type = self.type
        if item_type == SINGLE or item_type == SCENE:
            return self.fractions.get(answer, 0.0)
        if item_type == MULTI:
            fractions = self.fractions
            total = 0.0
            for value in answer:
                total += fractions.get(value, 0.0)
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
    bands = tuple(
        (band.min, band.max, float(band.fraction))
        for band in sorted(question.bands, key=lambda band: float("-inf") if band.min is None else band.min)
    )
    return ItemPlan(
        question_id=question.id,
        dimension_index=dimension_index,
        points=float(question.points),
        type=question.type,
        fractions=fractions,
        option_rank={option.value: index for index, option in enumerate(question.options)},
        cap=float(question.cap),
        bands=bands,
        true_fraction=float(question.true_fraction),
    )


@dataclass(frozen=True)
class QuestionnairePlan:
    """Everything about a questionnaire that does not depend on the answers."""

    questionnaire: Questionnaire
    question_ids: tuple[str, ...]
    all_ids: frozenset[str]
    has_show_if: bool
    required_ids: tuple[str, ...]
    text_ids: frozenset[str]
    items: tuple[ItemPlan, ...]
    dimension_ids: tuple[str, ...]
    dimension_weights: tuple[float, ...]
    normalised_weights: dict[str, float]
    levels: tuple[MaturityLevel, ...]  # ascending by level
    indicators: tuple[Indicator, ...]


def _compile_questionnaire(questionnaire: Questionnaire) -> QuestionnairePlan:
    dimension_index = {dimension.id: index for index, dimension in enumerate(questionnaire.dimensions)}
    items = []
    for question in questionnaire.questions:
        if question.dimension in dimension_index:
            item = _item_plan(question, dimension_index[question.dimension])
            if item is not None:
                items.append(item)
    total_weight = sum(dimension.weight for dimension in questionnaire.dimensions)
    return QuestionnairePlan(
        questionnaire=questionnaire,
        question_ids=tuple(question.id for question in questionnaire.questions),
        all_ids=frozenset(question.id for question in questionnaire.questions),
        has_show_if=any(question.show_if is not None for question in questionnaire.questions),
        required_ids=tuple(question.id for question in questionnaire.questions if question.required),
        text_ids=frozenset(question.id for question in questionnaire.questions if question.type == "text"),
        items=tuple(items),
        dimension_ids=tuple(dimension.id for dimension in questionnaire.dimensions),
        dimension_weights=tuple(float(dimension.weight) for dimension in questionnaire.dimensions),
        normalised_weights={
            dimension.id: (dimension.weight / total_weight if total_weight else 0.0)
            for dimension in questionnaire.dimensions
        },
        levels=tuple(sorted(questionnaire.levels, key=lambda level: level.level)),
        indicators=questionnaire.indicators,
    )


@dataclass(frozen=True)
class MeasurePlan:
    """A measure with its filters as sets and the question ids its condition reads."""

    measure: Measure
    size_classes: frozenset[str]
    industry_divisions: frozenset[str]
    triggered_by: tuple[str, ...]


@dataclass(frozen=True)
class CataloguePlan:
    """A catalogue's measures, prepared for filtering."""

    catalogue: Catalogue
    measures: tuple[MeasurePlan, ...]


def answer_operands(condition: Any) -> tuple[str, ...]:
    """Question ids read through `answer` operands in a condition tree (first occurrence order)."""
    seen: dict[str, None] = {}
    for key, value in iter_operands(condition):
        if key == "answer":
            seen.setdefault(value, None)
    return tuple(seen)


def _compile_catalogue(catalogue: Catalogue) -> CataloguePlan:
    return CataloguePlan(
        catalogue=catalogue,
        measures=tuple(
            MeasurePlan(
                measure=measure,
                size_classes=frozenset(measure.size_classes),
                industry_divisions=frozenset(str(division) for division in measure.industry_divisions),
                triggered_by=answer_operands(measure.applies_if),
            )
            for measure in sorted(catalogue.measures, key=lambda measure: measure.id)
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
