"""Officials' pages: dashboard, enterprise list, drill-down, review actions, exports and job progress."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

import questionnaires
from portal import jobs, reference
from portal.access import access
from portal.models import Assessment
from portal.officials import bp, jobs_runners  # noqa: F401  (registers the job runners)
from portal.officials.forms import CorrectionForm, ReturnForm, VerifyForm, VisitForm
from portal.reports import charts, summary
from portal.services import assessments, audit, exports, review, rounds, stats
from portal.services.enterprises import visible_enterprise
from portal.services.results import DEFAULT_QUESTIONNAIRE_ID

PER_PAGE = 50


def _locale() -> str:
    return str(get_locale() or "zh").split("_")[0]


# Status words of the officials' pages (assessment statuses, list filters, target series, jobs).
ASSESSMENT_STATUS = {
    "draft": _l("In progress"),
    "submitted": _l("Submitted (unverified)"),
    "returned": _l("Returned"),
    "verified": _l("Verified"),
}
LIST_STATUS = {
    "registered": _l("Registered enterprises"),
    "draft": _l("In progress / returned"),
    "assessed": _l("Assessed"),
    "submitted": _l("Submitted (unverified)"),
    "verified": _l("Verified"),
}
TARGET_SERIES = {
    "candidates": _l("Self-reported candidates"),
    "verified": _l("Verified"),
    "recognised": _l("Officially recognised"),
}
JOB_STATUS = {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed")}
JOB_KIND = {
    "export_xlsx": _l("Export XLSX"),
    "export_csv": _l("Export CSV"),
    "reports_zip": _l("Report PDFs (ZIP)"),
}
OWNER_ONLY_DOWNLOADS = ("reports_zip",)  # enterprise-level PDFs: only the official who asked downloads them


def _label_of(table: dict[str, Any]) -> Any:
    return lambda key: str(table[key]) if key in table else key


@bp.context_processor
def _officials_helpers() -> dict[str, Any]:
    return {
        "status_label": _label_of(ASSESSMENT_STATUS),
        "list_status_label": _label_of(LIST_STATUS),
        "series_label": _label_of(TARGET_SERIES),
        "job_status_label": _label_of(JOB_STATUS),
        "job_kind_label": _label_of(JOB_KIND),
    }


def _filters(audited_action: str | None = None) -> stats.Filters:
    """The effective filters; 404 outside the scope, 400 for a malformed one (audited as a failure if asked)."""
    try:
        return stats.effective_filters(current_user, request.args)
    except (stats.ScopeError, stats.FilterError) as error:
        if audited_action:
            _audit(audited_action, result="failure", reason=str(error))
        abort(404 if isinstance(error, stats.ScopeError) else 400)


def _audit(
    action: str,
    *,
    result: str = "success",
    object_type: str = "enterprise_list",
    object_id: Any = None,
    **detail: Any,
) -> None:
    """Record a download or export (who, when, IP, object, result) with the request's filters; commits."""
    audit.record_now(
        action,
        user=current_user._get_current_object(),
        result=result,
        object_type=object_type,
        object_id=object_id,
        detail={"filters": request.args.to_dict(), **detail},
    )


def _dimension_names(locale: str) -> dict[str, str]:
    try:
        questionnaire = questionnaires.current(DEFAULT_QUESTIONNAIRE_ID)
    except Exception:  # noqa: BLE001 - labels fall back to ids
        return {}
    return {d.id: d.name.get(locale) for d in questionnaire.dimensions}


def _filter_options(filters: stats.Filters) -> dict[str, Any]:
    locale = _locale()
    districts = reference.DISTRICT_VALUES if current_user.is_city_wide else (current_user.district,)
    return {
        "districts": [(d, reference.district_label(d, locale)) for d in districts],
        "industries": [(c, reference.division_label(c, locale)) for c in reference.INDUSTRY_DIVISIONS],
        "sizes": [(s, reference.size_class_label(s, locale)) for s in reference.SIZE_CLASSES],
        "rounds": [r.year for r in rounds.list_rounds()],
        "city_wide": current_user.is_city_wide,
    }


def _list_url(filters: stats.Filters, **extra: Any) -> str:
    params = filters.as_params()
    params.update({key: str(value) for key, value in extra.items() if value is not None})
    return url_for("officials.enterprises", **params)


@bp.route("/")
@access("staff")
def dashboard() -> str:
    """The dashboard: counts, levels, means, breakdowns, trend and plan targets under the filters."""
    filters = _filters()
    data = stats.dashboard(filters)
    locale = _locale()
    dimension_names = _dimension_names(locale)
    level_bins = [{"label": _("Level %(n)s", n=level), "count": n} for level, n in data["levels"].items()]
    chart_levels = Markup(charts.distribution_bars(level_bins, title=_("Maturity level distribution")))
    dims = [
        {"label": dimension_names.get(dim_id, dim_id), "value": mean}
        for dim_id, mean in data["dimension_means"].items()
    ]
    chart_dims = Markup(charts.bar_chart(dims, title=_("Mean score per dimension"), digits=1)) if dims else ""
    gauges = {}
    for target in data["targets"]:
        value, goal = target["candidates"], target["value"]
        if target["unit"] == "percent":
            gauges[target["key"]] = Markup(
                charts.target_gauge(value, goal, label="", target_name=_("Target"))
            )
        else:
            top = max(goal or 0, value or 0, target["recognised"] or 0, 1)
            gauges[target["key"]] = Markup(
                charts.target_gauge(value, goal, max_value=top, unit="", digits=0, target_name=_("Target"))
            )
    return render_template(
        "officials/dashboard.html",
        data=data,
        filters=filters,
        options=_filter_options(filters),
        list_url=lambda **extra: _list_url(filters, **extra),
        breakdown_url=lambda **changes: _list_url(stats.with_filters(filters, **changes), status="assessed"),
        dimension_names=dimension_names,
        chart_levels=chart_levels,
        chart_dims=chart_dims,
        gauges=gauges,
    )


@bp.route("/enterprises")
@access("staff")
def enterprises() -> str:
    """The enterprise list behind every dashboard number: search, filters, sort, pagination."""
    filters = _filters()
    try:
        query = stats.list_query_from_args(filters, request.args)
        total = stats.list_count(current_user, query)
    except stats.FilterError:
        abort(400)
    except stats.ScopeError:
        abort(404)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items = stats.list_page(current_user, query, page, PER_PAGE)
    params = query.as_params()
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template(
        "officials/enterprises.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        query=query,
        params=params,
        options=_filter_options(filters),
        filters=filters,
        targets=stats_targets(),
    )


def stats_targets() -> list[Any]:
    """Active plan targets (for the candidate-list selector)."""
    from portal.services import targets

    return targets.list_targets()


@bp.route("/enterprises/<int:enterprise_id>")
@access("staff")
def enterprise(enterprise_id: int) -> str:
    """An enterprise: results, history across rounds, answers with corrections, review tools."""
    found = visible_enterprise(current_user, enterprise_id)
    if found is None:
        abort(404)
    history = assessments.history(found.id)
    selected_id = request.args.get("assessment", type=int)
    selected = next((a for a in history if a.id == selected_id), history[0] if history else None)
    locale = _locale()
    context: dict[str, Any] = {"enterprise": found, "history": history, "assessment": selected}
    if selected is not None:
        questionnaire = questionnaires.load(selected.questionnaire_id, selected.questionnaire_version)
        corrections = {c.question_id: c for c in review.corrections(selected)}
        answered = [
            {
                "id": q.id,
                "title": q.title.get(locale),
                "answer": (selected.answers or {}).get(q.id),
                "correction": corrections.get(q.id),
            }
            for q in questionnaire.questions
            if q.id in (selected.answers or {}) or q.id in corrections
        ]
        dimension_names = _dimension_names(locale)
        dims = [
            {"label": dimension_names.get(d.dimension_id, d.dimension_id), "value": d.score}
            for d in selected.dimension_scores
        ]
        context.update(
            answers=answered,
            warnings=review.plausibility_warnings(selected),
            visits=review.visits(selected),
            reviews=review.reviews(selected),
            can_review=review.can_review(current_user),
            verify_form=VerifyForm(),
            return_form=ReturnForm(),
            visit_form=VisitForm(),
            correction_form=CorrectionForm(),
            chart_radar=Markup(charts.radar_chart(dims, title=_("Assessment results")))
            if len(dims) >= 3
            else "",
            dims=dims,
        )
    return render_template("officials/enterprise.html", **context)


def _reviewable(assessment_id: int) -> Assessment:
    assessment = review.visible_assessment(current_user, assessment_id)
    if assessment is None:
        abort(404)
    if not review.can_review(current_user):
        abort(403)
    return assessment


def _back(assessment: Assessment) -> Response:
    return redirect(
        url_for("officials.enterprise", enterprise_id=assessment.enterprise_id, assessment=assessment.id)
    )


@bp.route("/assessments/<int:assessment_id>/verify", methods=["POST"])
@access("staff")
def verify(assessment_id: int) -> Response:
    """submitted -> verified."""
    assessment = _reviewable(assessment_id)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            review.verify(assessment, current_user, form.comment.data or "")
            flash(_("Verified"), "success")
        except review.ReviewError as error:
            flash(str(error), "error")
    return _back(assessment)


@bp.route("/assessments/<int:assessment_id>/return", methods=["POST"])
@access("staff")
def return_assessment(assessment_id: int) -> Response:
    """submitted -> returned with a comment."""
    assessment = _reviewable(assessment_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            review.return_to_enterprise(assessment, current_user, form.comment.data)
            flash(_("Returned to the enterprise."), "success")
        except review.ReviewError as error:
            flash(str(error), "error")
    else:
        flash(_("Please write a comment for the enterprise."), "error")
    return _back(assessment)


@bp.route("/assessments/<int:assessment_id>/visit", methods=["POST"])
@access("staff")
def visit(assessment_id: int) -> Response:
    """Record an on-site visit."""
    assessment = _reviewable(assessment_id)
    form = VisitForm()
    if form.validate_on_submit():
        try:
            review.record_visit(
                assessment, current_user, form.visited_on.data, form.people.data, form.findings.data
            )
        except review.ReviewError as error:
            flash(str(error), "error")
    return _back(assessment)


@bp.route("/assessments/<int:assessment_id>/correct", methods=["POST"])
@access("staff")
def correct(assessment_id: int) -> Response:
    """Correct one answer beside the self-reported one."""
    assessment = _reviewable(assessment_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            value = review.parse_answer(assessment, form.question_id.data, form.value.data or "")
            review.correct_answer(assessment, current_user, form.question_id.data, value, form.reason.data)
        except review.ReviewError as error:
            flash(str(error), "error")
    return _back(assessment)


def _export(kind: str) -> Response:
    filters = _filters(audited_action="officials.export")
    try:
        query = stats.list_query_from_args(filters, request.args)
        total = stats.list_count(current_user, query)
    except (stats.ScopeError, stats.FilterError) as error:
        _audit("officials.export", result="failure", format=kind, reason=str(error))
        abort(404 if isinstance(error, stats.ScopeError) else 400)
    lang = "en" if request.args.get("lang") == "en" else "zh"
    if total > current_app.config["EXPORT_INLINE_ROWS"]:
        args = {key: value for key, value in request.args.items() if key not in ("page", "lang")}
        job = jobs.enqueue(f"export_{kind}", {"args": args, "lang": lang}, current_user)
        _audit("officials.export", format=kind, rows=total, job=job.id)  # the file itself: job_download
        return redirect(url_for("officials.job", job_id=job.id))
    _audit("officials.export", format=kind, rows=total)
    if kind == "csv":
        response = Response(
            stream_with_context(exports.iter_csv(current_user, query, lang)),
            mimetype="text/csv",  # Flask adds "; charset=utf-8"
        )
        response.headers["Content-Disposition"] = "attachment; filename=enterprises.csv"
        return response
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, current_user, query, lang)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="enterprises.xlsx",
    )


@bp.route("/export.xlsx")
@access("staff")
def export_xlsx() -> Response:
    """The filtered list as XLSX (a background job above 5,000 rows)."""
    return _export("xlsx")


@bp.route("/export.csv")
@access("staff")
def export_csv() -> Response:
    """The filtered list as CSV (a background job above 5,000 rows)."""
    return _export("csv")


@bp.route("/jobs/<job_id>")
@access("staff")
def job(job_id: str) -> str:
    """Progress of a background job, with the download link once done."""
    found = jobs.get_job(job_id, current_user)
    if found is None:
        abort(404)
    return render_template("officials/job.html", job=found)


@bp.route("/jobs/<job_id>/download")
@access("staff")
def job_download(job_id: str) -> Response:
    """The file a finished job produced."""
    found = jobs.get_job(job_id, current_user)
    refused = (
        found is None
        or found.status != "done"
        or not found.result_path
        or (found.kind in OWNER_ONLY_DOWNLOADS and found.created_by_id != current_user.id)
    )
    detail = {"kind": found.kind, "file": found.result_name} if found is not None else {}
    _audit(
        "officials.job_download",
        result="failure" if refused else "success",
        object_type="job",
        object_id=job_id,
        **detail,
    )
    if refused:
        abort(404)
    return send_file(found.result_path, as_attachment=True, download_name=found.result_name)


@bp.route("/reports.zip", methods=["POST"])
@access("staff")
def reports_zip() -> Response:
    """Start a job that puts the report PDFs of the filtered list into one ZIP; show its progress page."""
    filters = _filters(audited_action="officials.reports_zip")
    try:
        total = stats.list_count(current_user, stats.list_query_from_args(filters, request.args))
    except (stats.ScopeError, stats.FilterError) as error:
        _audit("officials.reports_zip", result="failure", reason=str(error))
        abort(404 if isinstance(error, stats.ScopeError) else 400)
    args = {key: value for key, value in request.args.items() if key not in ("page", "lang", "sort")}
    lang = "en" if request.args.get("lang") == "en" else "zh"
    job = jobs.enqueue("reports_zip", {"args": args, "lang": lang}, current_user)
    _audit("officials.reports_zip", rows=total, job=job.id)  # the ZIP itself: job_download
    return redirect(url_for("officials.job", job_id=job.id))


@bp.route("/summary.pdf")
@access("staff")
def summary_pdf() -> Response:
    """The district/city summary PDF for the dashboard's filters (Chinese; English with ?lang=en)."""
    filters = _filters(audited_action="officials.summary_pdf")
    lang = "en" if request.args.get("lang") == "en" else "zh"
    pdf = summary.render_summary_pdf(current_user, filters, lang)
    _audit("officials.summary_pdf", object_type="summary", lang=lang)
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name=summary.file_name(filters, lang),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
