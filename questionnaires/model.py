"""Frozen dataclasses describing a questionnaire and a recommendation catalogue.

This module is the contract between `questionnaires/` (which loads YAML into these
objects), `scoring/` (which evaluates them) and `portal/` (which renders them).
Standard library only. See questionnaires/FORMAT.md for the YAML that maps onto it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

# Question types (the JSON API uses the same strings).
SINGLE = "single"
MULTI = "multi"
NUMBER = "number"
PERCENT = "percent"
BOOLEAN = "boolean"
SCENE = "scene"
TEXT = "text"
QUESTION_TYPES = (SINGLE, MULTI, NUMBER, PERCENT, BOOLEAN, SCENE, TEXT)

# The value a respondent gives for "not applicable" where a question allows it.
NA = "na"

# Context keys a condition may read (`{"context": KEY, ...}`); `industry_path` is derived
# from `industry_division` through the questionnaire's `industry_paths`.
CONTEXT_KEYS = ("industry_division", "industry_path", "size_class", "district", "above_designated_size")
SIZE_CLASSES = ("large", "medium", "small", "micro")

# A condition is a JSON-like tree (dicts, lists, scalars) kept as plain data so the same
# tree can be served to the browser; see FORMAT.md "Conditions".
Condition = Mapping[str, Any]


@dataclass(frozen=True)
class Text:
    """A text in both UI languages."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        """Return the text in `lang` ("zh" or "en"), falling back to Chinese."""
        return self.en if lang == "en" and self.en else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Source:
    """Where a question (or measure) comes from: plan clause ids and standard references."""

    plan_clauses: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """One answer option of a single / multi / scene question.

    `fraction` is the share (0..1) of the question's points this option earns; for single and
    scene questions it is `level / 4` when `level` is given. For multi questions the fractions of
    the chosen options are added up and capped at the question's `cap`. An `exclusive` option
    ("none of these") cannot be combined with others.
    """

    value: str
    label: Text
    level: int | None = None
    fraction: float = 0.0
    exclusive: bool = False
    help: Text | None = None


@dataclass(frozen=True)
class Band:
    """A numeric band of a number / percent question: `min < value <= max` earns `fraction`.

    `min` None means minus infinity (and the lowest band includes its lower end); `max` None
    means plus infinity.
    """

    min: float | None
    max: float | None
    fraction: float
    label: Text | None = None


@dataclass(frozen=True)
class Question:
    """One question. `points` is its weight inside its dimension (0 = not scored)."""

    id: str
    section: str
    type: str
    title: Text
    dimension: str | None = None
    help: Text | None = None
    definition: Text | None = None
    required: bool = True
    allows_na: bool = False
    points: float = 0.0
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    cap: float = 1.0
    true_fraction: float = 1.0
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    max_length: int | None = None
    show_if: Condition | None = None
    source: Source = field(default_factory=Source)
    previous_id: str | None = None
    line: int | None = None

    @property
    def scored(self) -> bool:
        """True when the question contributes points to its dimension."""
        return self.points > 0 and self.dimension is not None and self.type != TEXT

    def option(self, value: str) -> Option | None:
        """Return the option with `value`, or None."""
        for option in self.options:
            if option.value == value:
                return option
        return None


@dataclass(frozen=True)
class Section:
    """A page of the questionnaire as the respondent walks through it."""

    id: str
    title: Text
    question_ids: tuple[str, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class Dimension:
    """A scored dimension; `weight` is relative (normalised over the dimensions that score)."""

    id: str
    name: Text
    weight: float
    description: Text | None = None
    level_descriptions: tuple[Text, ...] = ()  # five texts, for dimension levels 1..5


@dataclass(frozen=True)
class Gate:
    """A requirement for reaching a maturity level; `condition` must hold."""

    id: str
    label: Text
    condition: Condition


@dataclass(frozen=True)
class MaturityLevel:
    """Maturity level 1..5: score band lower bound (0-100) and the gates it requires."""

    level: int
    name: Text
    description: Text
    min_score: float
    gates: tuple[Gate, ...] = ()


@dataclass(frozen=True)
class Indicator:
    """A key indicator computed from answers.

    kind "ratio": numerator / denominator question ids, as a percentage (None when either is
    missing or the denominator is 0). kind "value": the answer to `question` (number, percent or
    option value). kind "condition": True/False from `condition`.
    """

    id: str
    name: Text
    kind: str
    formula: Text
    unit: str = ""
    numerator: str | None = None
    denominator: str | None = None
    question: str | None = None
    condition: Condition | None = None
    source: Source = field(default_factory=Source)


@dataclass(frozen=True)
class PlanFlag:
    """A plan flag (上云企业, 两化融合 demonstration candidate, ...) and its rule.

    `value_from` names an indicator whose value is reported beside the flag (e.g. the 上云 layer).
    """

    id: str
    name: Text
    condition: Condition
    description: Text | None = None
    value_from: str | None = None
    source: Source = field(default_factory=Source)


@dataclass(frozen=True)
class PlausibilityRule:
    """A cross-question check: a warning is raised when `condition` holds."""

    id: str
    message: Text
    condition: Condition
    question_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    """A whole questionnaire version, immutable once published."""

    id: str
    version: str
    title: Text
    intro: Text
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    levels: tuple[MaturityLevel, ...]
    indicators: tuple[Indicator, ...] = ()
    flags: tuple[PlanFlag, ...] = ()
    plausibility: tuple[PlausibilityRule, ...] = ()
    industry_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_industry_path: str | None = None
    previous_version: str | None = None
    source_file: str | None = None

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        """Questions keyed by id (computed once; the dataclass is frozen)."""
        return {question.id: question for question in self.questions}

    @cached_property
    def dimensions_by_id(self) -> dict[str, Dimension]:
        """Dimensions keyed by id."""
        return {dimension.id: dimension for dimension in self.dimensions}

    def question(self, question_id: str) -> Question:
        """Return the question with `question_id` (KeyError when unknown)."""
        return self.questions_by_id[question_id]

    def dimension(self, dimension_id: str) -> Dimension:
        """Return the dimension with `dimension_id` (KeyError when unknown)."""
        return self.dimensions_by_id[dimension_id]


@dataclass(frozen=True)
class Measure:
    """A recommended measure from the catalogue."""

    id: str
    title: Text
    text: Text
    dimension: str
    plan_clause: str
    priority: int  # 1 (nice to have) .. 3 (urgent)
    target_level: int  # the dimension level the measure brings an enterprise to
    applies_if: Condition
    policy: Text | None = None
    size_classes: tuple[str, ...] = ()  # empty: every size class
    industry_divisions: tuple[str, ...] = ()  # empty: every industry
    line: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """A recommendation catalogue version for one questionnaire id."""

    id: str
    version: str
    questionnaire_id: str
    measures: tuple[Measure, ...]
    source_file: str | None = None
