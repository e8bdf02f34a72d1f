"""Compare two stored results (`Result.to_dict()` outputs) of the same enterprise over time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _delta(previous: float | None, current: float | None, digits: int = 1) -> float | None:
    if previous is None or current is None:
        return None
    return round(current - previous, digits)


@dataclass(frozen=True)
class DimensionChange:
    """One dimension's score and level before and after (None on the side where it is absent)."""

    id: str
    name: Mapping[str, str] | None
    previous: float | None
    current: float | None
    delta: float | None
    previous_level: int | None
    current_level: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": None if self.name is None else dict(self.name),
            "previous": self.previous,
            "current": self.current,
            "delta": self.delta,
            "previous_level": self.previous_level,
            "current_level": self.current_level,
        }


@dataclass(frozen=True)
class QuestionChange:
    """A scored question answered in both results, matched across versions through previous_id."""

    question_id: str
    previous_question_id: str
    dimension: str
    previous_fraction: float | None
    current_fraction: float | None
    delta: float | None
    previous_answer: Any
    current_answer: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "previous_question_id": self.previous_question_id,
            "dimension": self.dimension,
            "previous_fraction": self.previous_fraction,
            "current_fraction": self.current_fraction,
            "delta": self.delta,
            "previous_answer": self.previous_answer,
            "current_answer": self.current_answer,
        }


@dataclass(frozen=True)
class Comparison:
    """Overall, level, dimension and question changes and which recommendations were done or are new."""

    previous_questionnaire: Mapping[str, Any]
    current_questionnaire: Mapping[str, Any]
    overall_previous: float | None
    overall_current: float | None
    overall_delta: float | None
    level_previous: int | None
    level_current: int | None
    dimensions: tuple[DimensionChange, ...]
    questions: tuple[QuestionChange, ...]
    recommendations_done: tuple[Mapping[str, Any], ...]
    recommendations_new: tuple[Mapping[str, Any], ...]
    recommendations_open: tuple[Mapping[str, Any], ...]

    @property
    def level_change(self) -> int | None:
        """Gated level now minus gated level before."""
        if self.level_previous is None or self.level_current is None:
            return None
        return self.level_current - self.level_previous

    def dimension(self, dimension_id: str) -> DimensionChange:
        """The change of one dimension (KeyError when in neither result)."""
        for change in self.dimensions:
            if change.id == dimension_id:
                return change
        raise KeyError(dimension_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "questionnaire": {
                "previous": dict(self.previous_questionnaire),
                "current": dict(self.current_questionnaire),
            },
            "overall": {
                "previous": self.overall_previous,
                "current": self.overall_current,
                "delta": self.overall_delta,
            },
            "level": {
                "previous": self.level_previous,
                "current": self.level_current,
                "change": self.level_change,
            },
            "dimensions": [change.to_dict() for change in self.dimensions],
            "questions": [change.to_dict() for change in self.questions],
            "recommendations": {
                "done": [dict(entry) for entry in self.recommendations_done],
                "new": [dict(entry) for entry in self.recommendations_new],
                "open": [dict(entry) for entry in self.recommendations_open],
            },
        }


def _recommendation_brief(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "title": entry.get("title"), "dimension": entry.get("dimension")}


def compare(
    previous: Mapping[str, Any], current: Mapping[str, Any], *, question_map: Mapping[str, str] | None = None
) -> Comparison:
    """Compare two `Result.to_dict()` outputs; `question_map` maps previous question ids to current ones."""
    previous_dimensions = {entry["id"]: entry for entry in previous.get("dimensions", [])}
    current_dimensions = {entry["id"]: entry for entry in current.get("dimensions", [])}
    ordered_ids = list(current_dimensions) + [
        key for key in previous_dimensions if key not in current_dimensions
    ]
    dimensions = []
    for dimension_id in ordered_ids:
        before = previous_dimensions.get(dimension_id, {})
        after = current_dimensions.get(dimension_id, {})
        dimensions.append(
            DimensionChange(
                id=dimension_id,
                name=after.get("name") or before.get("name"),
                previous=before.get("score"),
                current=after.get("score"),
                delta=_delta(before.get("score"), after.get("score")),
                previous_level=before.get("level"),
                current_level=after.get("level"),
            )
        )

    mapping = dict(question_map or {})
    previous_contributions: dict[str, Mapping[str, Any]] = {}
    for entry in previous_dimensions.values():
        for contribution in entry.get("contributions", []):
            question_id = contribution["question_id"]
            previous_contributions[mapping.get(question_id, question_id)] = contribution
    questions = []
    for dimension_id, entry in current_dimensions.items():
        for contribution in entry.get("contributions", []):
            before = previous_contributions.get(contribution["question_id"])
            if before is None:
                continue
            questions.append(
                QuestionChange(
                    question_id=contribution["question_id"],
                    previous_question_id=before["question_id"],
                    dimension=dimension_id,
                    previous_fraction=before.get("fraction"),
                    current_fraction=contribution.get("fraction"),
                    delta=_delta(before.get("fraction"), contribution.get("fraction"), 6),
                    previous_answer=before.get("answer"),
                    current_answer=contribution.get("answer"),
                )
            )

    previous_recommendations = {entry["id"]: entry for entry in previous.get("recommendations", [])}
    current_recommendations = {entry["id"]: entry for entry in current.get("recommendations", [])}
    previous_level = (previous.get("level") or {}).get("gated")
    current_level = (current.get("level") or {}).get("gated")
    return Comparison(
        previous_questionnaire=dict(previous.get("questionnaire") or {}),
        current_questionnaire=dict(current.get("questionnaire") or {}),
        overall_previous=previous.get("overall_score"),
        overall_current=current.get("overall_score"),
        overall_delta=_delta(previous.get("overall_score"), current.get("overall_score")),
        level_previous=previous_level,
        level_current=current_level,
        dimensions=tuple(dimensions),
        questions=tuple(questions),
        recommendations_done=tuple(
            _recommendation_brief(entry)
            for key, entry in previous_recommendations.items()
            if key not in current_recommendations
        ),
        recommendations_new=tuple(
            _recommendation_brief(entry)
            for key, entry in current_recommendations.items()
            if key not in previous_recommendations
        ),
        recommendations_open=tuple(
            _recommendation_brief(entry)
            for key, entry in current_recommendations.items()
            if key in previous_recommendations
        ),
    )
