"""Build the report context: plain dicts of display-ready text from a stored result (pure, no app, no DB).

Input shapes:
- enterprise: {"name", "uscc", "district", "industry", "size_class", "contact"} (display text; a size
  class code such as "medium" is translated).
- assessment: {"id", "round", "round_year", "submitted_on", "answers"}.
- result: `scoring.Result.to_dict()`.
- questionnaire / catalogue: `questionnaires.model.Questionnaire` / `Catalogue` (catalogue may be None).
- plan_clauses: clause id -> object or dict with `heading` and `text` (`questionnaires.plan_clauses()`).
- benchmark: {"overall": Benchmark.to_dict(), "dimensions": {dimension id: Benchmark.to_dict()}} or None.
- comparison: `scoring.Comparison.to_dict()` plus optional "previous_round" / "previous_submitted_on", or None.
- city_indicators: indicator id -> {"city", "industry", "target", "target_clause"} (None where disclosure
  control suppresses a value), or None.
- verification: {"verified": bool, "by": str, "on": str} or None.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.i18n import translator
from portal.reports.labels import labels_for
from questionnaires import quote_sentence


def _tx(value: Any, lang: str) -> str:
    """Pick the language from a Text object or a {"zh", "en"} dict; pass strings through."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("zh") or "")
    if hasattr(value, "get") and hasattr(value, "zh"):
        return value.get(lang)
    return str(value)


def _number(value: Any, digits: int = 1) -> str:
    """Format a number without trailing zeros ("—" for None)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.{digits}f}"


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """Read `name` from an object or a mapping."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def format_answer(question: Any, answer: Any, lang: str, labels: Mapping[str, str]) -> str:
    """Return an answer as the respondent would read it (option labels, units, yes/no)."""
    if answer is None or answer == "":
        return labels["unanswered"]
    if answer == "na":
        return labels["na"]
    kind = question.type if question is not None else None
    if kind in ("single", "scene"):
        option = question.option(str(answer))
        return _tx(option.label, lang) if option else str(answer)
    if kind == "multi":
        values = list(answer) if isinstance(answer, (list, tuple)) else [answer]
        if not values:
            return labels["none"]
        names = [_tx(o.label, lang) if (o := question.option(str(v))) else str(v) for v in values]
        return ("、" if lang == "zh" else ", ").join(names)
    if kind == "boolean" or isinstance(answer, bool):
        return labels["yes"] if answer else labels["no"]
    if kind == "percent":
        return f"{_number(answer)}%"
    if kind == "number":
        unit = _tx(question.unit, lang) if question.unit else ""
        return f"{_number(answer)}{' ' if unit and lang == 'en' else ''}{unit}"
    return str(answer)


def clause_label(clause_id: str, lang: str) -> str:
    """Return a plan clause id as printed: "3.4.2", "专栏3-4" for box3-4, "表1" for table-1."""
    pgettext = translator(lang).pgettext
    if clause_id.startswith("box"):
        return pgettext("plan clause", "Box %(n)s", n=clause_id[3:])
    if clause_id.startswith("table-"):
        return pgettext("plan clause", "Table %(n)s", n=clause_id[6:])
    return clause_id


def size_class_name(size_class: str, lang: str) -> str:
    """The printed name of a size class code (large, medium, small, micro); other text passes through."""
    pgettext = translator(lang).pgettext
    names = {
        "large": pgettext("size class", "Large"),
        "medium": pgettext("size class", "Medium"),
        "small": pgettext("size class", "Small"),
        "micro": pgettext("size class", "Micro"),
    }
    return names.get(size_class, size_class)


def level_name(questionnaire: Any, level: int | None, lang: str) -> str:
    """Return the questionnaire's name of maturity level `level`."""
    for entry in questionnaire.levels:
        if entry.level == level:
            return _tx(entry.name, lang)
    return "—" if level is None else str(level)


def _dimension_level_text(dimension: Any, level: int | None, lang: str) -> str:
    descriptions = getattr(dimension, "level_descriptions", ()) or ()
    if level is None or not descriptions or not 1 <= level <= len(descriptions):
        return ""
    return _tx(descriptions[level - 1], lang)


def _indicator_value(
    questionnaire: Any, indicator: Any, value: Any, lang: str, labels: Mapping[str, str]
) -> str:
    if value is None:
        return "—"
    if indicator.kind == "condition" or isinstance(value, bool):
        return labels["yes"] if value else labels["no"]
    if indicator.kind == "value" and indicator.question:
        question = questionnaire.questions_by_id.get(indicator.question)
        if question is not None and question.type in ("single", "scene", "multi"):
            return format_answer(question, value, lang, labels)
    unit = indicator.unit or ""
    return f"{_number(value)}{unit}"


def _benchmark_median(benchmark: Mapping[str, Any] | None, dimension_id: str) -> float | None:
    if not benchmark:
        return None
    entry = (benchmark.get("dimensions") or {}).get(dimension_id)
    if not entry or entry.get("group") is None:
        return None
    return entry.get("median")


def build_report_context(
    enterprise: Mapping[str, Any],
    assessment: Mapping[str, Any],
    result: Mapping[str, Any],
    questionnaire: Any,
    catalogue: Any,
    plan_clauses: Mapping[str, Any],
    benchmark: Mapping[str, Any] | None,
    comparison: Mapping[str, Any] | None,
    city_indicators: Mapping[str, Any] | None,
    verification: Mapping[str, Any] | None,
    report_number: str,
    lang: str = "zh",
    *,
    generated_on: date | None = None,
) -> dict[str, Any]:
    """Turn stored data into the display-ready dict `render_report_pdf` takes (every text already in `lang`)."""
    lang = "en" if lang == "en" else "zh"
    labels = labels_for(lang)
    answers: Mapping[str, Any] = assessment.get("answers") or {}
    questions = questionnaire.questions_by_id
    dimension_defs = questionnaire.dimensions_by_id

    def question_title(question_id: str) -> str:
        question = questions.get(question_id)
        return _tx(question.title, lang) if question else question_id

    # Dimensions with their explanation.
    total_weight = sum(d.get("weight") or 0 for d in result["dimensions"]) or 1
    dimensions = []
    for dim in result["dimensions"]:
        definition = dimension_defs.get(dim["id"])
        earned, lost, not_applicable = [], [], []
        for item in dim.get("contributions") or []:
            question = questions.get(item["question_id"])
            row = {
                "question": question_title(item["question_id"]),
                "answer": format_answer(question, item.get("answer"), lang, labels),
                "earned": _number(item.get("earned")),
                "possible": _number(item.get("possible")),
            }
            if item.get("earned") is None or item.get("possible") == 0:
                not_applicable.append(row)
            elif item["earned"] >= item["possible"] - 1e-9:
                earned.append(row)
            else:
                lost.append(row)
        dimensions.append(
            {
                "id": dim["id"],
                "name": _tx(dim.get("name"), lang)
                or (_tx(definition.name, lang) if definition else dim["id"]),
                "score": dim.get("score"),
                "score_text": _number(dim.get("score")),
                "level": dim.get("level"),
                "weight_pct": _number(100 * (dim.get("weight") or 0) / total_weight),
                "description": _tx(definition.description, lang)
                if definition and definition.description
                else "",
                "level_description": _dimension_level_text(definition, dim.get("level"), lang),
                "peer_median": _benchmark_median(benchmark, dim["id"]),
                "earned": earned,
                "lost": lost,
                "not_applicable": not_applicable,
            }
        )
    dimension_by_id = {d["id"]: d for d in dimensions}
    scored = [d for d in dimensions if d["score"] is not None]
    strongest = sorted(scored, key=lambda d: (-d["score"], d["id"]))[:3]
    weakest = sorted(scored, key=lambda d: (d["score"], d["id"]))[:3]

    # Level.
    level = result["level"]
    next_level = level.get("next_level")
    blocking = [_tx(gate.get("label"), lang) for gate in level.get("blocking_gates") or []]
    level_ctx = {
        "gated": level["gated"],
        "band": level["band"],
        "name": _tx(level.get("name"), lang) or level_name(questionnaire, level["gated"], lang),
        "band_name": level_name(questionnaire, level["band"], lang),
        "next_level": next_level,
        "blocking_gates": blocking,
        "blocked_text": labels["blocked_by"].format(level=next_level) if next_level else labels["top_level"],
        "names": [_tx(entry.name, lang) for entry in sorted(questionnaire.levels, key=lambda e: e.level)],
        "count": len(questionnaire.levels),
    }

    # Plan flags and indicators.
    indicator_defs = {indicator.id: indicator for indicator in questionnaire.indicators}
    indicator_values = result.get("indicators") or {}
    plan_flags = []
    for flag in questionnaire.flags:
        state = (result.get("plan_flags") or {}).get(flag.id) or {}
        detail = state.get("detail")
        detail_text = ""
        if detail is not None and flag.value_from in indicator_defs:
            detail_text = _indicator_value(
                questionnaire, indicator_defs[flag.value_from], detail, lang, labels
            )
        elif detail is not None:
            detail_text = str(detail)
        plan_flags.append(
            {"name": _tx(flag.name, lang), "value": bool(state.get("value")), "detail": detail_text}
        )
    indicators = []
    for indicator in questionnaire.indicators:
        extra = (city_indicators or {}).get(indicator.id) or {}

        def fmt(value: Any, indicator: Any = indicator) -> str:
            return _indicator_value(questionnaire, indicator, value, lang, labels)

        indicators.append(
            {
                "name": _tx(indicator.name, lang),
                "value": fmt(indicator_values.get(indicator.id)),
                "city": fmt(extra.get("city")),
                "industry": fmt(extra.get("industry")),
                "target": fmt(extra.get("target")),
                "target_clause": clause_label(str(extra.get("target_clause") or ""), lang),
                "formula": _tx(indicator.formula, lang),
            }
        )

    # Recommended measures.
    measure_defs = {m.id: m for m in (catalogue.measures if catalogue is not None else ())}
    measures = []
    for rec in result.get("recommendations") or []:
        definition = measure_defs.get(rec["id"])
        clause = plan_clauses.get(rec.get("plan_clause") or "")
        title = _tx(rec.get("title"), lang)
        text = _tx(rec.get("text"), lang) or (_tx(definition.text, lang) if definition else "")
        policy = _tx(rec.get("policy"), lang)
        dimension = dimension_by_id.get(rec.get("dimension"), {})
        why = [
            {
                "question": question_title(qid),
                "answer": format_answer(questions.get(qid), answers.get(qid), lang, labels),
            }
            for qid in rec.get("triggered_by") or []
        ]
        current = dimension.get("level")
        target = definition.target_level if definition else None
        level_reason = (
            labels["why_level"].format(dimension=dimension.get("name", ""), current=current, target=target)
            if current is not None and target is not None
            else ""
        )
        priority_names = labels["priority_names"].split("|")
        priority = rec.get("priority") or 1
        measures.append(
            {
                "id": rec["id"],
                "title": title,
                "text": text,
                "dimension_id": rec.get("dimension"),
                "dimension": dimension.get("name", rec.get("dimension") or ""),
                "do_next": bool(rec.get("do_next")),
                "priority": priority_names[max(0, min(len(priority_names) - 1, priority - 1))],
                "plan_clause": clause_label(str(rec.get("plan_clause") or ""), lang),
                "plan_heading": _attr(clause, "heading", "") if clause is not None else "",
                "plan_quote": quote_sentence(_attr(clause, "text", "") or "", title + text + policy)
                if clause is not None
                else "",
                "policy": policy,
                "why": why,
                "level_reason": level_reason,
            }
        )
    measures_by_dimension = []
    for dim in dimensions:
        group = [m for m in measures if m["dimension_id"] == dim["id"]]
        if group:
            measures_by_dimension.append({"name": dim["name"], "measures": group})

    # Free-text notes (unscored text questions).
    notes = [
        {"question": _tx(q.title, lang), "answer": str(answers[q.id])}
        for q in questionnaire.questions
        if q.type == "text" and isinstance(answers.get(q.id), str) and answers[q.id].strip()
    ]

    # Benchmark summary.
    overall_benchmark = (benchmark or {}).get("overall") if benchmark else None
    peer = None
    if overall_benchmark and overall_benchmark.get("group") is not None:
        group = overall_benchmark["group"]
        peer = {
            "text": labels["peer_group_text"].format(
                group=_tx(group.get("label"), lang) or str(group.get("value") or ""),
                n=overall_benchmark.get("n"),
                percentile=_number(overall_benchmark.get("percentile"), 0),
            ),
            "median": _number(overall_benchmark.get("median")),
        }

    # Comparison with the previous round.
    change = None
    if comparison:
        overall = comparison.get("overall") or {}
        level_change = comparison.get("level") or {}
        rec_changes = comparison.get("recommendations") or {}
        change = {
            "previous_round": comparison.get("previous_round") or labels["previous"],
            "overall": {
                "previous": _number(overall.get("previous")),
                "current": _number(overall.get("current")),
                "delta": overall.get("delta"),
                "delta_text": _signed(overall.get("delta")),
            },
            "level": {"previous": level_change.get("previous"), "current": level_change.get("current")},
            "dimensions": [
                {
                    "name": _tx(entry.get("name"), lang)
                    or dimension_by_id.get(entry.get("id"), {}).get("name", entry.get("id")),
                    "previous": _number(entry.get("previous")),
                    "current": _number(entry.get("current")),
                    "delta": entry.get("delta"),
                    "delta_text": _signed(entry.get("delta")),
                }
                for entry in comparison.get("dimensions") or []
            ],
            "done": [
                _tx(entry.get("title"), lang) or entry.get("id") for entry in rec_changes.get("done") or []
            ],
            "new": [
                _tx(entry.get("title"), lang) or entry.get("id") for entry in rec_changes.get("new") or []
            ],
        }

    verified = bool(verification and verification.get("verified"))
    status = (
        labels["verified_by"].format(by=verification.get("by", ""), on=verification.get("on", ""))
        if verified and verification
        else labels["unverified"]
    )
    size_class = enterprise.get("size_class") or ""
    size_text = size_class_name(size_class, lang)
    questionnaire_title = _tx(questionnaire.title, lang)
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "report_number": report_number,
        "verify_path": f"/reports/verify?number={report_number}",
        "generated_on": (generated_on or date.today()).isoformat(),
        "enterprise": {
            "name": str(enterprise.get("name") or ""),
            "uscc": str(enterprise.get("uscc") or ""),
            "district": str(enterprise.get("district") or ""),
            "industry": str(enterprise.get("industry") or ""),
            "size_class": size_text,
            "contact": str(enterprise.get("contact") or ""),
        },
        "assessment": {
            "id": assessment.get("id"),
            "round": str(assessment.get("round") or ""),
            "submitted_on": str(assessment.get("submitted_on") or ""),
            "questionnaire": questionnaire_title,
            "questionnaire_version": f"{questionnaire.id} {questionnaire.version}",
            "engine_version": str(result.get("engine_version") or ""),
        },
        "verification": {"verified": verified, "status": status, "by": (verification or {}).get("by", "")},
        "overall_score": result.get("overall_score"),
        "overall_text": _number(result.get("overall_score")),
        "level": level_ctx,
        "dimensions": dimensions,
        "strongest": strongest,
        "weakest": weakest,
        "plan_flags": plan_flags,
        "indicators": indicators,
        "do_next": [m for m in measures if m["do_next"]],
        "measures_by_dimension": measures_by_dimension,
        "measure_count": len(measures),
        "notes": notes,
        "peer": peer,
        "comparison": change,
        "radar": {
            "dimensions": [{"label": d["name"], "value": d["score"]} for d in dimensions],
            "overlay": [d["peer_median"] for d in dimensions]
            if any(d["peer_median"] is not None for d in dimensions)
            else None,
        },
        "methodology": {
            "dimensions": [{"name": d["name"], "weight_pct": d["weight_pct"]} for d in dimensions],
            "levels": [
                {
                    "level": entry.level,
                    "name": _tx(entry.name, lang),
                    "min_score": _number(entry.min_score),
                    "gates": [_tx(gate.label, lang) for gate in entry.gates],
                }
                for entry in sorted(questionnaire.levels, key=lambda e: e.level)
            ],
            "data_sources": labels["data_sources_text"].format(
                questionnaire=questionnaire_title,
                version=questionnaire.version,
                engine=result.get("engine_version") or "",
            ),
        },
    }


def _signed(value: Any) -> str:
    """Format a change with its sign ("—" for None)."""
    if value is None:
        return "—"
    return f"{float(value):+.1f}"
