"""The JSON shape the API serves for a questionnaire (plain dicts, json.dumps-able)."""

from __future__ import annotations

from typing import Any

from .model import Question, Questionnaire, Text


def _text(text: Text | None) -> dict[str, str] | None:
    return text.to_dict() if text is not None else None


def _question(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "dimension": question.dimension,
        "type": question.type,
        "required": question.required,
        "allows_na": question.allows_na,
        "show_if": question.show_if,
        "title": _text(question.title),
        "help": _text(question.help),
        "definition": _text(question.definition),
        "unit": _text(question.unit),
        "options": [
            {"value": option.value, "label": option.label.to_dict(), "exclusive": option.exclusive}
            for option in question.options
        ],
        "min": question.min,
        "max": question.max,
        "max_length": question.max_length,
        "points": question.points,
        "source": {"plan": list(question.source.plan_clauses), "standards": list(question.source.standards)},
    }


def to_api_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """Return the questionnaire as the API's JSON document."""
    questions = questionnaire.questions_by_id
    return {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title.to_dict(),
        "intro": questionnaire.intro.to_dict(),
        "dimensions": [
            {
                "id": dimension.id,
                "name": dimension.name.to_dict(),
                "weight": dimension.weight,
                "description": _text(dimension.description),
            }
            for dimension in questionnaire.dimensions
        ],
        "sections": [
            {
                "id": section.id,
                "title": section.title.to_dict(),
                "intro": _text(section.intro),
                "questions": [_question(questions[question_id]) for question_id in section.question_ids],
            }
            for section in questionnaire.sections
        ],
        "levels": [
            {
                "level": level.level,
                "name": level.name.to_dict(),
                "description": level.description.to_dict(),
                "min_score": level.min_score,
                "gates": [{"id": gate.id, "label": gate.label.to_dict()} for gate in level.gates],
            }
            for level in questionnaire.levels
        ],
        "industry_paths": {path: list(divisions) for path, divisions in questionnaire.industry_paths.items()},
        "default_industry_path": questionnaire.default_industry_path,
    }
