"""Report downloads (cached PDF, render on demand, "正在生成" and error pages) and the public verify page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user

from portal.access import access
from portal.models import Assessment
from portal.reports import service
from portal.services import audit

bp = Blueprint("reports", __name__)

RETRY_SECONDS = 3
DEFAULT_WAIT_SECONDS = 10.0


def _lang() -> str:
    return service.normalize_lang(request.args.get("lang") or request.form.get("lang"))


def _render(template: str, lang: str, **context: Any) -> str:
    """Render a page in the report's language (the PDF's `lang`, not necessarily the session's)."""
    with force_locale(lang):
        return render_template(template, lang=lang, **context)


def _readable(assessment_id: int) -> Assessment:
    assessment = service.report_for_user(current_user, assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def _send(assessment: Assessment, path: Any) -> Response:
    response = send_file(
        path,
        mimetype="application/pdf",
        download_name=f"{service.number_of(assessment)}.pdf",
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _pdf_url(assessment: Assessment, lang: str) -> str:
    params = {"lang": "en"} if lang == "en" else {}
    return url_for("reports.download", assessment_id=assessment.id, **params)


def _generating(assessment: Assessment, lang: str) -> tuple[str, int]:
    return (
        _render(
            "reports/generating.html",
            lang,
            seconds=RETRY_SECONDS,
            pdf_url=_pdf_url(assessment, lang),
            status_url=url_for("reports.status", assessment_id=assessment.id, lang=lang),
        ),
        202,
    )


def _failed(assessment: Assessment, lang: str) -> tuple[str, int]:
    return (
        _render(
            "reports/failed.html",
            lang,
            retry_url=url_for("reports.retry", assessment_id=assessment.id),
            results_url=url_for("assessments.page", assessment_id=assessment.id),
        ),
        500,
    )


def _render_now(assessment: Assessment, lang: str) -> Response | tuple[str, int]:
    """Render synchronously unless another process already is (then wait briefly, else "正在生成")."""
    try:
        path = service.render_and_store(assessment, lang)
    except service.RenderInProgress:
        wait = float(current_app.config.get("REPORTS_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))
        path = service.wait_for_report(assessment, lang, wait)
        if path is None:
            return _generating(assessment, lang)
    except service.RenderFailed:
        return _failed(assessment, lang)
    return _send(assessment, path)


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@access("authenticated")
def download(assessment_id: int) -> Response | tuple[str, int]:
    """The report PDF: from the cache when current, else rendered now; a failed render shows an error page.

    Every answer that sends a PDF, refuses one or shows the error page is audited ("report.download");
    the "正在生成" page is not (its refresh comes back here).
    """
    lang = _lang()
    assessment = service.report_for_user(current_user, assessment_id)
    if assessment is None:
        _audit_download(assessment_id, lang, "failure", reason="not found or not allowed")
        abort(404)
    path = service.cached_report(assessment, lang)
    if path is not None:
        outcome: Response | tuple[str, int] = _send(assessment, path)
    elif assessment.report_status == "failed" and not service.is_rendering(assessment, lang):
        outcome = _failed(assessment, lang)
    else:
        outcome = _render_now(assessment, lang)
    status_code = outcome[1] if isinstance(outcome, tuple) else outcome.status_code
    if status_code != 202:
        _audit_download(
            assessment_id,
            lang,
            "success" if status_code < 400 else "failure",
            number=service.number_of(assessment),
            enterprise_id=assessment.enterprise_id,
            **({} if status_code < 400 else {"reason": "render failed"}),
        )
    return outcome


def _audit_download(assessment_id: int, lang: str, result: str, **detail: Any) -> None:
    audit.record_now(
        "report.download",
        user=current_user._get_current_object(),
        result=result,
        object_type="assessment",
        object_id=assessment_id,
        detail={"lang": lang, **detail},
    )


@bp.post("/assessments/<int:assessment_id>/report/retry")
@access("authenticated")
def retry(assessment_id: int) -> Response | tuple[str, int]:
    """Retry a failed render (POST with CSRF token), then send the user to the download."""
    assessment = _readable(assessment_id)
    lang = _lang()
    if service.cached_report(assessment, lang) is None:
        outcome = _render_now(assessment, lang)
        if isinstance(outcome, tuple):
            return outcome
    return redirect(_pdf_url(assessment, lang), code=303)


@bp.get("/assessments/<int:assessment_id>/report/status")
@access("authenticated")
def status(assessment_id: int) -> Response:
    """JSON state of the report for the "正在生成" page: ready, rendering, failed or pending."""
    assessment = _readable(assessment_id)
    lang = _lang()
    if service.cached_report(assessment, lang) is not None:
        state = "ready"
    elif service.is_rendering(assessment, lang):
        state = "rendering"
    elif assessment.report_status == "failed":
        state = "failed"
    else:
        state = "pending"
    return jsonify({"status": state, "url": _pdf_url(assessment, lang)})


@bp.get("/reports/verify")
@access("anonymous")
def verify() -> str:
    """Public check of a report number: valid or not, enterprise, round, level, verified — nothing more."""
    lang = service.normalize_lang(request.args.get("lang") or _session_lang())
    number = (request.args.get("number") or "").strip()[:40]
    facts = service.verify_number(number) if number else None
    level_name = ""
    if facts and facts["level_name"]:
        level_name = facts["level_name"].get(lang) or facts["level_name"].get("zh") or ""
    return _render("reports/verify.html", lang, number=number, facts=facts, level_name=level_name)


def _session_lang() -> str | None:
    from flask import session

    return session.get("lang")
