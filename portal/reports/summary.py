"""The district/city summary PDF: the dashboard's figures and charts, the plan-target tracker and candidate lists.

Data comes from the same services as the dashboard (portal.services.stats, whose filters carry the
official's scope) and is turned into plain dicts here; the template (templates/pdf/summary.html) only
lays them out. Rendering goes through portal.reports.pdf.render_pdf: bundled fonts, locked fetcher, A4.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import questionnaires
from portal import reference
from portal.i18n import gettext_callables, translator
from portal.models import User
from portal.reports import charts
from portal.reports.pdf import FONT_FAMILY, embed_svg, page_counter_css, pdf_template, render_pdf
from portal.services import stats
from portal.services.results import DEFAULT_QUESTIONNAIRE_ID

CANDIDATE_NAMES = 12  # names shown per target before "and N more"
TARGET_SERIES = ("candidates", "verified", "recognised")


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if digits == 0 or float(value).is_integer():
        return str(int(round(value)))
    return f"{value:.{digits}f}"


def _dimension_names(lang: str) -> dict[str, str]:
    try:
        questionnaire = questionnaires.current(DEFAULT_QUESTIONNAIRE_ID)
    except Exception:  # noqa: BLE001 - labels fall back to ids
        return {}
    return {d.id: d.name.get(lang) for d in questionnaire.dimensions}


def _candidates(user: User, filters: stats.Filters, key: str) -> dict[str, Any]:
    """The first names of a target's candidate list (the dashboard's "candidates" link) and how many more."""
    query = stats.ListQuery(filters=filters, status="assessed", target=key, series="candidates")
    total = stats.list_count(user, query)
    names = [row["name"] for row in stats.list_page(user, query, 1, CANDIDATE_NAMES)]
    return {"names": names, "total": total, "more": max(total - len(names), 0)}


def _gauge(value: float | None, goal: float | None, top: float, percent: bool, name: str) -> str:
    if percent:
        return charts.target_gauge(value, goal, target_name=name, width=260, font_family=FONT_FAMILY)
    return charts.target_gauge(
        value, goal, max_value=top, unit="", digits=0, target_name=name, width=260, font_family=FONT_FAMILY
    )


def _target(user: User, filters: stats.Filters, target: dict[str, Any], lang: str) -> dict[str, Any]:
    """One tracker row: three series against the target line, deadline, counting rule, candidate names."""
    _ = translator(lang).gettext
    percent = target["unit"] == "percent"
    goal = target["value"]
    values = {name: target[name] for name in TARGET_SERIES}
    top = max([goal or 0] + [v or 0 for v in values.values()] + [1])
    series_names = {
        "candidates": _("Self-reported candidates"),
        "verified": _("Verified"),
        "recognised": _("Officially recognised"),
    }
    series = []
    for name in TARGET_SERIES:
        value = values[name]
        if name == "recognised" and (value is None or percent):
            continue
        text = f"{_number(value)}%" if percent and value is not None else _number(value, 0)
        gauge = _gauge(value, goal, top, percent, _("Target"))
        series.append(
            {
                "name": series_names[name],
                "text": text,
                # a rate or mean also says how many enterprises stand behind it
                "count": target.get(f"{name}_count") if percent else None,
                "gauge": embed_svg(gauge, f"{series_names[name]}: {text}; {_('Target')} {_number(goal)}"),
            }
        )
    return {
        "name": target["name"][lang],
        "is_estimate": target["is_estimate"],
        "source": " ".join(filter(None, (target["plan"], target["clause"]))),
        "goal": (f"{_number(goal)}%" if percent else _number(goal, 0)) if goal is not None else None,
        "deadline": target["deadline"],
        "baseline": _number(target["baseline"], 0) if target["baseline"] is not None else None,
        "rule": target["rule"],
        "rule_text": target["rule_text"][lang],
        "series": series,
        "by_layer": target.get("by_layer"),
        "candidates": _candidates(user, filters, target["key"]),
    }


def _breakdown(rows: list[dict[str, Any]], label: Any) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "label": label(row["key"]),
            "mean_text": _number(row["mean_score"]),
            "level_counts": [row["levels"][str(level)] for level in stats.LEVELS],
        }
        for row in rows
    ]


def summary_context(user: User, filters: stats.Filters, lang: str = "zh") -> dict[str, Any]:
    """Everything the summary PDF shows, as plain data, for effective (scoped) filters."""
    lang = "en" if lang == "en" else "zh"
    _ = translator(lang).gettext
    data = stats.dashboard(filters)
    counts = data["counts"]
    names = _dimension_names(lang)
    scope = reference.district_label(filters.district, lang) if filters.district else _("Whole city")
    filter_parts = [
        (_("Industry"), reference.division_label(filters.industry, lang) if filters.industry else _("All")),
        (_("Size class"), reference.size_class_label(filters.size, lang) if filters.size else _("All")),
        (
            _("Above designated size"),
            _("All")
            if filters.above_designated_size is None
            else (_("Yes") if filters.above_designated_size else _("No")),
        ),
    ]
    level_bins = [{"label": _("Level %(n)s", n=level), "count": n} for level, n in data["levels"].items()]
    dims = [{"label": names.get(d, d), "value": mean} for d, mean in data["dimension_means"].items()]
    level_chart = charts.distribution_bars(
        level_bins, title=_("Maturity level distribution"), width=300, height=150, font_family=FONT_FAMILY
    )
    dims_chart = (
        charts.bar_chart(
            dims, title=_("Mean score per dimension"), digits=1, width=640, font_family=FONT_FAMILY
        )
        if dims
        else ""
    )
    coverage = counts["above_coverage"]
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "separator": "; " if lang == "en" else "、",
        "scope": scope,
        "round": filters.round_year,
        "filters": filter_parts,
        "generated_on": date.today().isoformat(),
        "figures": [
            (_("Registered enterprises"), counts["registered"]),
            (_("In progress / returned"), counts["drafts"]),
            (_("Submitted (unverified)"), counts["submitted"]),
            (_("Verified"), counts["verified"]),
            (_("Assessed"), counts["assessed"]),
        ],
        "coverage": {
            "text": f"{_number(coverage)}%" if coverage is not None else "–",
            "assessed": counts["assessed_above"],
            "registered": counts["registered_above"],
        },
        "mean": _number(data["mean_score"]),
        "median": _number(data["median_score"]),
        "levels": [(item["label"], item["count"]) for item in level_bins],
        "dimensions": [(item["label"], _number(item["value"])) for item in dims],
        "charts": {
            "levels": embed_svg(
                level_chart,
                _("Maturity level distribution")
                + ": "
                + "; ".join(f"{b['label']} {b['count']}" for b in level_bins),
            ),
            "dimensions": embed_svg(
                dims_chart,
                _("Mean score per dimension") + ": " + "; ".join(f"{d['label']} {d['value']}" for d in dims),
            )
            if dims_chart
            else None,
        },
        "targets": [_target(user, filters, target, lang) for target in data["targets"]],
        "by_district": [
            {
                **row,
                "label": reference.district_label(row["key"], lang),
                "mean_text": _number(row["mean_score"]),
                "coverage_text": f"{_number(row['coverage'])}%" if row["coverage"] is not None else "–",
            }
            for row in data["by_district"]
        ],
        "by_industry": _breakdown(data["by_industry"], lambda key: reference.division_label(key, lang)),
        "by_size": _breakdown(data["by_size"], lambda key: reference.size_class_label(key, lang)),
        "by_above": _breakdown(data["by_above_designated_size"], lambda key: _("Yes") if key else _("No")),
        "trend": _breakdown([{**row, "key": row["round"]} for row in data["trend"]], str),
    }


def render_summary_html(context: dict[str, Any]) -> str:
    """The summary context laid out as the HTML WeasyPrint renders."""
    lang = context["lang"]
    return pdf_template("summary.html").render(
        s=context, page_counter_css=page_counter_css(lang), levels=stats.LEVELS, **gettext_callables(lang)
    )


def render_summary_pdf(user: User, filters: stats.Filters, lang: str = "zh") -> bytes:
    """The summary PDF for `user` under effective filters (scope already applied by stats.effective_filters)."""
    return render_pdf(render_summary_html(summary_context(user, filters, lang)))


def file_name(filters: stats.Filters, lang: str = "zh") -> str:
    """Download name, e.g. "summary_华容区_2025.pdf" (city-wide: "summary_city_2025.pdf")."""
    scope = reference.district_label(filters.district, lang) if filters.district else "city"
    return "_".join(filter(None, ("summary", scope, str(filters.round_year or "")))) + ".pdf"
