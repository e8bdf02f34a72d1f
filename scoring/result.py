"""Immutable result objects of one scoring run and their canonical JSON form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from questionnaires.model import Gate, Measure, Text


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"zh": text.zh, "en": text.en}


def _json_answer(answer: Any) -> Any:
    return list(answer) if isinstance(answer, tuple) else answer


class Contribution(NamedTuple):
    """What one shown, answered, scored question adds to its dimension ("na": earned None, possible 0)."""

    question_id: str
    earned: float | None
    possible: float
    fraction: float | None
    answer: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "earned": self.earned,
            "possible": self.possible,
            "fraction": self.fraction,
            "answer": _json_answer(self.answer),
        }


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's score (0-100, one decimal, None when no item counts) and level."""

    id: str
    name: Text
    weight: float
    score: float | None
    level: int | None
    contributions: tuple[Contribution, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": _text(self.name),
            "weight": self.weight,
            "score": self.score,
            "level": self.level,
            # Contribution.to_dict inlined: a result has ~50 of them
            "contributions": [
                {
                    "question_id": question_id,
                    "earned": earned,
                    "possible": possible,
                    "fraction": fraction,
                    "answer": list(answer) if isinstance(answer, tuple) else answer,
                }
                for question_id, earned, possible, fraction, answer in self.contributions
            ],
        }


@dataclass(frozen=True)
class LevelResult:
    """Band level (from the overall index), gated level (gates of lower levels first) and what blocks."""

    band: int
    gated: int
    name: Text
    blocking_gates: tuple[Gate, ...]
    next_level: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "gated": self.gated,
            "name": _text(self.name),
            "blocking_gates": [{"id": gate.id, "label": _text(gate.label)} for gate in self.blocking_gates],
            "next_level": self.next_level,
        }


@dataclass(frozen=True)
class Recommendation:
    """A catalogue measure that applies, with its gap to the target level and its rank."""

    measure: Measure
    gap: int
    rank_score: float
    do_next: bool
    triggered_by: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.measure.id

    @property
    def title(self) -> Text:
        return self.measure.title

    @property
    def text(self) -> Text:
        return self.measure.text

    @property
    def dimension(self) -> str:
        return self.measure.dimension

    @property
    def priority(self) -> int:
        return self.measure.priority

    @property
    def plan_clause(self) -> str:
        return self.measure.plan_clause

    @property
    def policy(self) -> Text | None:
        return self.measure.policy

    def to_dict(self) -> dict[str, Any]:
        measure = self.measure
        return {
            "id": measure.id,
            "title": _text(measure.title),
            "text": _text(measure.text),
            "dimension": measure.dimension,
            "priority": measure.priority,
            "plan_clause": measure.plan_clause,
            "policy": _text(measure.policy),
            "gap": self.gap,
            "rank_score": self.rank_score,
            "do_next": self.do_next,
            "triggered_by": list(self.triggered_by),
        }


@dataclass(frozen=True)
class PlausibilityWarning:
    """A plausibility rule that fired, linking to the questions involved."""

    id: str
    message: Text
    question_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "message": _text(self.message), "question_ids": list(self.question_ids)}


@dataclass(frozen=True)
class PlanFlagResult:
    """A plan flag's truth value and the indicator value reported beside it."""

    value: bool
    detail: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "detail": self.detail}


@dataclass(frozen=True)
class Result:
    """The full outcome of scoring one answer set; `to_dict()` is what the app stores."""

    questionnaire_id: str
    questionnaire_version: str
    catalogue_id: str | None
    catalogue_version: str | None
    engine_version: str
    context: Mapping[str, Any]
    overall_score: float | None
    level: LevelResult
    dimensions: tuple[DimensionResult, ...]
    indicators: Mapping[str, Any]
    plan_flags: Mapping[str, PlanFlagResult]
    recommendations: tuple[Recommendation, ...]
    warnings: tuple[PlausibilityWarning, ...]
    missing: tuple[str, ...] = field(default=())

    def dimension(self, dimension_id: str) -> DimensionResult:
        """Return the result of one dimension (KeyError when unknown)."""
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    @property
    def do_next(self) -> tuple[Recommendation, ...]:
        """The top recommendations ("do next")."""
        return tuple(recommendation for recommendation in self.recommendations if recommendation.do_next)

    def _body(self) -> dict[str, Any]:
        catalogue = (
            None
            if self.catalogue_id is None
            else {"id": self.catalogue_id, "version": self.catalogue_version}
        )
        return {
            "questionnaire": {"id": self.questionnaire_id, "version": self.questionnaire_version},
            "catalogue": catalogue,
            "engine_version": self.engine_version,
            "context": dict(self.context),
            "overall_score": self.overall_score,
            "level": self.level.to_dict(),
            "dimensions": [dimension.to_dict() for dimension in self.dimensions],
            "indicators": dict(self.indicators),
            "plan_flags": {flag_id: flag.to_dict() for flag_id, flag in self.plan_flags.items()},
            "recommendations": [recommendation.to_dict() for recommendation in self.recommendations],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "missing": list(self.missing),
        }

    def canonical_json(self) -> str:
        """The canonical JSON of `to_dict()` without `result_hash` (what the hash is taken of)."""
        from .canonical import result_canonical_json

        return result_canonical_json(self)

    @cached_property
    def result_hash(self) -> str:
        """SHA-256 of the canonical JSON of `to_dict()` without the hash itself."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A fresh JSON-able dict of the whole result, including `result_hash`."""
        body = self._body()
        body["result_hash"] = self.result_hash
        return body


def canonical_json(data: Any) -> str:
    """The canonical JSON text used for hashing: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of `data`, leaving out a `result_hash` key."""
    if "result_hash" in data:
        data = {key: value for key, value in data.items() if key != "result_hash"}
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A positional constructor for the frozen dataclass `cls`: `build(*values) == cls(*values)`.

    The generated `__init__` of a frozen dataclass sets each field through `object.__setattr__`;
    this one sets the instance dict in one step (about twice as fast), for the objects the engine
    builds on every scoring. Only for dataclasses without `__post_init__` and with every field given.
    """
    names = [item.name for item in fields(cls)]  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has __post_init__")
    arguments = ", ".join(names)
    items = ", ".join(f"{name!r}: {name}" for name in names)
    source = (
        f"def build({arguments}):\n"
        f"    instance = new(cls)\n"
        f"    set_attribute(instance, '__dict__', {{{items}}})\n"
        f"    return instance\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "set_attribute": object.__setattr__, "cls": cls}
    exec(source, namespace)  # noqa: S102 - source built from the dataclass's own field names
    build = namespace["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    return build
