"""Traceability from the plan to the questionnaire: clause -> questions -> flags -> measures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .clauses import plan_clauses
from .conditions import iter_operands
from .loader import version_key
from .model import Catalogue, Indicator, Questionnaire


@dataclass(frozen=True)
class TraceRow:
    """One plan clause and what in the questionnaire and catalogue follows from it."""

    clause_id: str
    heading: str
    question_ids: tuple[str, ...]
    flag_ids: tuple[str, ...]
    measure_ids: tuple[str, ...]


def _indicator_inputs(indicator: Indicator) -> set[str]:
    if indicator.kind == "ratio":
        return {indicator.numerator, indicator.denominator}
    if indicator.kind == "value":
        return {indicator.question}
    return {value for key, value in iter_operands(indicator.condition) if key == "answer"}


def _reads(
    condition: Mapping[str, Any] | None, indicators: Mapping[str, set[str]]
) -> tuple[set[str], set[str]]:
    """Return (question ids, flag ids) a condition reads, following indicators to their questions."""
    questions: set[str] = set()
    flags: set[str] = set()
    if condition is None:
        return questions, flags
    for key, value in iter_operands(condition):
        if key == "answer":
            questions.add(value)
        elif key == "indicator":
            questions |= indicators.get(value, set())
        elif key == "flag":
            flags.add(value)
    return questions, flags


def traceability(questionnaire: Questionnaire, catalogue: Catalogue | None = None) -> list[TraceRow]:
    """Rows for every cited plan clause, in clause order: the questions, flags and measures behind it."""
    clauses = plan_clauses()
    indicators = {indicator.id: _indicator_inputs(indicator) for indicator in questionnaire.indicators}
    measures = catalogue.measures if catalogue is not None else ()
    cited: set[str] = set()
    for question in questionnaire.questions:
        cited.update(question.source.plan_clauses)
    for flag in questionnaire.flags:
        cited.update(flag.source.plan_clauses)
    cited.update(measure.plan_clause for measure in measures)

    flag_reads = {flag.id: _reads(flag.condition, indicators)[0] for flag in questionnaire.flags}
    measure_reads = {measure.id: _reads(measure.applies_if, indicators) for measure in measures}
    rows = []
    for clause_id in sorted(cited, key=version_key):
        question_ids = [q.id for q in questionnaire.questions if clause_id in q.source.plan_clauses]
        asked = set(question_ids)
        flag_ids = [
            flag.id
            for flag in questionnaire.flags
            if clause_id in flag.source.plan_clauses or flag_reads[flag.id] & asked
        ]
        flagged = set(flag_ids)
        measure_ids = [
            measure.id
            for measure in measures
            if measure.plan_clause == clause_id
            or measure_reads[measure.id][0] & asked
            or measure_reads[measure.id][1] & flagged
        ]
        clause = clauses.get(clause_id)
        rows.append(
            TraceRow(
                clause_id,
                clause.heading if clause else "",
                tuple(question_ids),
                tuple(flag_ids),
                tuple(measure_ids),
            )
        )
    return rows
