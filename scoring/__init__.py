"""Pure scoring engine: (questionnaire, answers, context[, catalogue]) -> Result. Standard library only."""

from .benchmark import Benchmark, benchmark, sector_family, sector_family_label
from .compare import Comparison, compare
from .engine import ENGINE_VERSION, rescore_differs, score
from .errors import IncompleteAnswersError, ScoringError
from .result import (
    Contribution,
    DimensionResult,
    LevelResult,
    PlanFlagResult,
    PlausibilityWarning,
    Recommendation,
    Result,
    canonical_hash,
)
from .samples import random_answers

__all__ = [
    "ENGINE_VERSION",
    "Benchmark",
    "Comparison",
    "Contribution",
    "DimensionResult",
    "IncompleteAnswersError",
    "LevelResult",
    "PlanFlagResult",
    "PlausibilityWarning",
    "Recommendation",
    "Result",
    "ScoringError",
    "benchmark",
    "canonical_hash",
    "compare",
    "random_answers",
    "rescore_differs",
    "score",
    "sector_family",
    "sector_family_label",
]
