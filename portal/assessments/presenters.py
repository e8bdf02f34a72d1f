"""Plain data for the results page, built from the stored result (templates get dicts, not ORM objects)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

import questionnaires
from portal.reports import charts
from portal.services import assessments as service
from questionnaires.model import NA, Question


def answer_text(question: Question, value: Any, lang: str) -> str:
    """A stored answer as the respondent would read it."""
    if value is None:
        return _("Not answered")
    if value == NA:
        return _("Not applicable")
    match question.type:
        case "single" | "scene":
            option = question.option(value)
            return option.label.get(lang) if option else str(value)
        case "multi":
            if not value:
                return _("None of these")
            labels = [
                question.option(item).label.get(lang) if question.option(item) else item for item in value
            ]
            return "、".join(labels) if lang == "zh" else ", ".join(labels)
        case "boolean":
            return _("Yes") if value else _("No")
        case "number" | "percent":
            unit = "%" if question.type == "percent" else (question.unit.get(lang) if question.unit else "")
            number = f"{value:g}" if isinstance(value, float) else str(value)
            return f"{number} {unit}".strip() if unit and unit != "%" else f"{number}{unit}"
    return str(value)


def _peer_benchmark(assessment: Any) -> dict[str, Any] | None:
    try:
        from portal.services import benchmarks
    except ImportError:  # the benchmarks service is optional for this page
        return None
    try:
        return benchmarks.peer_benchmark(assessment)
    except Exception:  # noqa: BLE001 - a failing peer query must not hide the enterprise's own result
        return None


def _median(benchmark: dict[str, Any] | None, dimension_id: str) -> float | None:
    """The peer median of one dimension (benchmarks.peer_benchmark's `dimension_medians`), or None."""
    if not benchmark:
        return None
    median = (benchmark.get("dimension_medians") or {}).get(dimension_id)
    return None if median is None else float(median)


def _indicator_text(indicator: Any, value: Any, questionnaire: Any, lang: str) -> str:
    if value is None:
        return "–"
    if indicator.kind == "condition" or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if indicator.kind == "value" and indicator.question:
        question = questionnaire.questions_by_id.get(indicator.question)
        if question is not None:
            return answer_text(question, value, lang)
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number}{indicator.unit or ''}"


def results_view(assessment: Any, lang: str) -> dict[str, Any]:
    """Everything the results page shows, as plain data."""
    result = assessment.result or {}
    questionnaire = service.questionnaire_of(assessment)
    clauses = questionnaires.plan_clauses()
    level = result.get("level") or {}
    level_names = {entry.level: entry.name.get(lang) for entry in questionnaire.levels}
    benchmark = _peer_benchmark(assessment)
    dimensions = []
    for entry in result.get("dimensions") or []:
        contributions = []
        for contribution in entry.get("contributions") or []:
            question = questionnaire.questions_by_id.get(contribution["question_id"])
            if question is None:
                continue
            contributions.append(
                {
                    "question_id": question.id,
                    "title": question.title.get(lang),
                    "answer": answer_text(question, contribution.get("answer"), lang),
                    "earned": contribution.get("earned"),
                    "possible": contribution.get("possible"),
                }
            )
        dimensions.append(
            {
                "id": entry["id"],
                "name": (entry.get("name") or {}).get(lang) or entry["id"],
                "score": entry.get("score"),
                "level": entry.get("level"),
                "peer_median": _median(benchmark, entry["id"]),
                "contributions": contributions,
            }
        )
    has_peers = any(d["peer_median"] is not None for d in dimensions)
    radar = charts.radar_chart(
        [{"label": d["name"], "value": d["score"]} for d in dimensions],
        overlay=[d["peer_median"] for d in dimensions] if has_peers else None,
        title=_("Dimension scores"),
        value_name=_("Your score"),
        overlay_name=_("Peer median"),
    )
    bars = charts.bar_chart(
        [{"label": d["name"], "value": d["score"], "reference": d["peer_median"]} for d in dimensions],
        title=_("Scores compared with peers"),
        value_name=_("Your score"),
        reference_name=_("Peer median"),
    )
    indicators = [
        {
            "name": indicator.name.get(lang),
            "value": _indicator_text(
                indicator, (result.get("indicators") or {}).get(indicator.id), questionnaire, lang
            ),
        }
        for indicator in questionnaire.indicators
    ]
    flags = []
    for flag in questionnaire.flags:
        stored = (result.get("plan_flags") or {}).get(flag.id) or {}
        flags.append({"name": flag.name.get(lang), "value": bool(stored.get("value"))})
    do_next = []
    for recommendation in result.get("recommendations") or []:
        if not recommendation.get("do_next"):
            continue
        clause = clauses.get(recommendation.get("plan_clause") or "")
        do_next.append(
            {
                "title": (recommendation.get("title") or {}).get(lang),
                "text": (recommendation.get("text") or {}).get(lang),
                "policy": (recommendation.get("policy") or {}).get(lang)
                if recommendation.get("policy")
                else None,
                "clause_id": recommendation.get("plan_clause"),
                "clause_heading": clause.heading if clause else None,
                "clause_text": questionnaires.quote_sentence(
                    clause.text,
                    "".join(
                        (recommendation.get(key) or {}).get("zh") or "" for key in ("title", "text", "policy")
                    ),
                )
                if clause
                else None,
            }
        )
    blocking = [(gate.get("label") or {}).get(lang) for gate in level.get("blocking_gates") or []]
    comparison = service.comparison(assessment)
    # The overall comparison is the industry chain (industry -> sector family -> city).
    overall_benchmark = (benchmark or {}).get("industry") if benchmark else None
    return {
        "overall": result.get("overall_score"),
        "band": level.get("band"),
        "gated": level.get("gated"),
        "gated_name": level_names.get(level.get("gated")) or (level.get("name") or {}).get(lang),
        "band_name": level_names.get(level.get("band")),
        "next_level": level.get("next_level"),
        "blocking": blocking,
        "dimensions": dimensions,
        "radar_svg": radar,
        "bar_svg": bars,
        "has_peers": has_peers,
        "peer": overall_benchmark if overall_benchmark and overall_benchmark.get("group") else None,
        "indicators": indicators,
        "flags": flags,
        "do_next": do_next,
        "comparison": comparison,
        "warnings": [(w.get("message") or {}).get(lang) for w in result.get("warnings") or []],
    }
