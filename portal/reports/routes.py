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
from flask_login import current_user

from portal.access import access
from portal.models import Assessment
from portal.reports import service

bp = Blueprint("reports", __name__)

RETRY_SECONDS = 3
DEFAULT_WAIT_SECONDS = 10.0
TEXT: dict[str, dict[str, str]] = {
    "generating_title": {"zh": "报告正在生成", "en": "The report is being generated"},
    "generating_body": {
        "zh": "诊断报告正在生成，本页面每 {seconds} 秒自动刷新一次，完成后即可下载。",
        "en": "Your diagnostic report is being generated. This page reloads every {seconds} seconds "
        "and the download starts once it is ready.",
    },
    "generating_link": {"zh": "立即刷新", "en": "Reload now"},
    "failed_title": {"zh": "报告生成失败", "en": "The report could not be generated"},
    "failed_body": {
        "zh": "生成诊断报告时出现错误，已记录。请稍后重试；如多次失败，请联系管理员。",
        "en": "An error occurred while generating the report; it has been logged. Please try again; "
        "if it keeps failing, contact the administrator.",
    },
    "retry": {"zh": "重新生成", "en": "Try again"},
    "back": {"zh": "返回评估结果", "en": "Back to the results"},
    "verify_title": {"zh": "报告编号查验", "en": "Check a report number"},
    "verify_intro": {
        "zh": "输入诊断报告封面或末页上的报告编号，查验报告是否由本平台出具。",
        "en": "Enter the number printed on the report to check that this portal issued it.",
    },
    "number": {"zh": "报告编号", "en": "Report number"},
    "check": {"zh": "查验", "en": "Check"},
    "valid": {"zh": "有效", "en": "Valid"},
    "invalid": {"zh": "无效", "en": "Invalid"},
    "invalid_body": {
        "zh": "该报告编号无效：本平台没有出具过此编号的报告。",
        "en": "This report number is not valid: this portal issued no report with this number.",
    },
    "enterprise": {"zh": "企业名称", "en": "Enterprise"},
    "round": {"zh": "评估轮次", "en": "Round"},
    "level": {"zh": "成熟度等级", "en": "Maturity level"},
    "verification": {"zh": "核验状态", "en": "Verification"},
    "verified": {"zh": "已核验", "en": "Verified"},
    "unverified": {"zh": "自评结果，未经核验", "en": "Self-assessment, not verified"},
    "result": {"zh": "查验结果", "en": "Result"},
}


def _lang() -> str:
    return service.normalize_lang(request.args.get("lang") or request.form.get("lang"))


def _text(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in TEXT.items()}


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
        render_template(
            "reports/generating.html",
            t=_text(lang),
            seconds=RETRY_SECONDS,
            pdf_url=_pdf_url(assessment, lang),
            status_url=url_for("reports.status", assessment_id=assessment.id, lang=lang),
        ),
        202,
    )


def _failed(assessment: Assessment, lang: str) -> tuple[str, int]:
    return (
        render_template(
            "reports/failed.html",
            t=_text(lang),
            lang=lang,
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
    """The report PDF: from the cache when current, else rendered now; a failed render shows an error page."""
    assessment = _readable(assessment_id)
    lang = _lang()
    path = service.cached_report(assessment, lang)
    if path is not None:
        return _send(assessment, path)
    if assessment.report_status == "failed" and not service.is_rendering(assessment, lang):
        return _failed(assessment, lang)
    return _render_now(assessment, lang)


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
    return render_template(
        "reports/verify.html", t=_text(lang), number=number, facts=facts, level_name=level_name, lang=lang
    )


def _session_lang() -> str | None:
    from flask import session

    return session.get("lang")
