"""Questionnaire definitions as data (YAML) and their loader. No Flask, no SQLAlchemy."""

from .answers import (
    PlausibilityWarning,
    compute_indicators,
    missing_required,
    plausibility_warnings,
    validate_answers,
)
from .api import to_api_dict
from .clauses import PlanClause, plan_clauses, quote_sentence
from .errors import AnswerValidationError, DefinitionError, Issue, QuestionnaireNotFound
from .loader import (
    SCENE_LADDER,
    available,
    catalogue_versions,
    current,
    current_catalogue,
    load,
    load_catalogue,
    load_catalogue_file,
    load_file,
    validate_all,
    version_key,
    versions,
)
from .tracing import TraceRow, traceability

# FORMAT.md and the brief call the plausibility result `Warning`; the longer name avoids
# shadowing the builtin inside this package.
Warning = PlausibilityWarning  # noqa: A001

__all__ = [
    "SCENE_LADDER",
    "AnswerValidationError",
    "DefinitionError",
    "Issue",
    "PlanClause",
    "PlausibilityWarning",
    "QuestionnaireNotFound",
    "TraceRow",
    "Warning",
    "available",
    "catalogue_versions",
    "compute_indicators",
    "current",
    "current_catalogue",
    "load",
    "load_catalogue",
    "load_catalogue_file",
    "load_file",
    "missing_required",
    "plan_clauses",
    "quote_sentence",
    "plausibility_warnings",
    "to_api_dict",
    "traceability",
    "validate_all",
    "validate_answers",
    "version_key",
    "versions",
]
