"""Routes of the assessments blueprint (no queries here: everything goes through portal.services)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.access import access
from portal.assessments import bp
from portal.assessments.forms import (
    InviteForm,
    JoinForm,
    SubmitForm,
    build_section_form,
    posted_answers,
    section_questions,
)
from portal.assessments.presenters import answer_text, results_view
from portal.services import assessments as service
from portal.services import discard_changes
from questionnaires.conditions import visible_question_ids


def _lang() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def _user() -> Any:
    return current_user._get_current_object()


def _owned(assessment_id: int) -> Any:
    assessment = service.get_for_user(_user(), assessment_id)
    if assessment is None:
        abort(404)
    return assessment


@bp.record_once
def _install_stash_hook(state: Any) -> None:
    # Runs before the login, idle-timeout and CSRF checks so a section posted after the session
    # expired is kept instead of being lost.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _stash_expired_section_post)


def _session_expired() -> bool:
    if not current_user.is_authenticated:
        return True
    last_seen = session.get("last_seen")
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    remembered = session.get("remember") and current_user.role == "enterprise"
    return last_seen is not None and time.time() - float(last_seen) > idle_limit and not remembered


def _stash_expired_section_post() -> Response | None:
    """Keep a section form posted by a signed-out user; it is offered again after the next login."""
    if request.endpoint != "assessments.page" or request.method != "POST" or not _session_expired():
        return None
    # Only a known user's stash is kept (keyed by the user id of the expired session): an anonymous
    # client cannot create one and is sent to the login form by the access rule as usual.
    if not current_user.is_authenticated:
        return None
    assessment_id = (request.view_args or {}).get("assessment_id")
    section_id = request.args.get("section", "")
    if not isinstance(assessment_id, int) or (request.content_length or 0) > 64 * 1024:
        return None
    kept = service.stash_section(current_user.id, assessment_id, section_id, request.form.to_dict(flat=False))
    logout_user()
    session.pop("last_seen", None)
    if kept:
        flash(
            _("Your session had expired. Log in again: the answers you just sent are kept for you."), "info"
        )
    target = url_for("assessments.page", assessment_id=assessment_id, section=section_id or None)
    return redirect(url_for("auth.login", next=target))


# --- start, history ------------------------------------------------------------------------------


@bp.route("/assessments/start", methods=["POST"])
@access("enterprise")
def start() -> Response:
    """Start (or continue) the open round's assessment of the user's enterprise."""
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    enterprise_id = request.form.get("enterprise_id", type=int)
    try:
        assessment = service.start_or_continue(_user(), enterprise_id)
    except service.AssessmentError as error:
        flash(_(error.message), "error")
        return redirect(url_for("assessments.history"))
    return redirect(url_for("assessments.page", assessment_id=assessment.id))


@bp.route("/assessments")
@access("enterprise")
def history() -> str:
    """Every round of the user's enterprises, with the open round's start button and invites."""
    user = _user()
    enterprises = service.approved_enterprises(user)
    rows = [(enterprise, service.history(enterprise.id)) for enterprise in enterprises]
    return render_template(
        "assessments/history.html",
        rows=rows,
        open_round=service.rounds.open_round(),
        form=InviteForm(),
    )


# --- the wizard ----------------------------------------------------------------------------------


def _section_nav(questionnaire: Any, assessment: Any, lang: str) -> dict[str, Any]:
    context = service.display_context(questionnaire, assessment)
    sections, overall = service.progress(questionnaire, assessment.answers or {}, context)
    return {"sections": sections, "overall": overall, "context": context}


def _conditions_payload(questionnaire: Any, answers: dict[str, Any], context: dict[str, Any]) -> str:
    payload = {
        "order": [question.id for question in questionnaire.questions],
        "show_if": {q.id: q.show_if for q in questionnaire.questions if q.show_if is not None},
        "context": context,
        "answers": answers,
    }
    # Inside <script type="application/json">: "</" must not appear literally.
    return Markup(json.dumps(payload, ensure_ascii=False).replace("</", "<\\/"))


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
@access("enterprise")
def page(assessment_id: int) -> str | Response:
    """A draft's section page (saved with a normal POST, no JavaScript needed) or a submission's results."""
    assessment = _owned(assessment_id)
    if assessment.status not in service.EDITABLE_STATUSES:
        if request.method == "POST":
            flash(_("This assessment has been submitted and can no longer be changed."), "error")
        return _results(assessment)
    questionnaire = service.questionnaire_of(assessment)
    lang = _lang()
    section_ids = [section.id for section in questionnaire.sections]
    section_id = request.args.get("section") or section_ids[0]
    if section_id not in section_ids:
        abort(404)
    section = questionnaire.sections[section_ids.index(section_id)]
    questions = section_questions(section, questionnaire.questions_by_id)
    stored = dict(assessment.answers or {})
    stash_notice = False
    formdata = None
    if request.method == "GET":
        stash = service.take_stash(_user(), assessment.id, section_id)
        if stash is not None and stash.get("section") in ("", section_id):
            formdata = MultiDict([(key, value) for key, values in stash["form"].items() for value in values])
            stash_notice = True
    form = build_section_form(questions, stored, lang, formdata=formdata)
    if request.method == "GET" and not stash_notice:
        form.version.data = str(assessment.version)
    conflict = False
    if request.method == "POST" and form.validate_on_submit():
        answers, errors = posted_answers(form, questions)
        context = service.display_context(questionnaire, assessment)
        before = visible_question_ids(questionnaire, stored, context)
        after = visible_question_ids(questionnaire, {**stored, **answers}, context)
        # Hidden questions post nothing: keep their stored answers.
        relevant = {qid: value for qid, value in answers.items() if qid in before or qid in after}
        changes = {
            qid: value
            for qid, value in relevant.items()
            if qid not in errors and json.dumps(value) != json.dumps(stored.get(qid))
        }
        confirm = tuple(qid for qid in relevant if qid not in errors)
        try:
            client_version = int(form.version.data or 0)
        except ValueError:
            client_version = 0
        try:
            service.save_answers(assessment, client_version, changes, user=_user(), confirm=confirm)
        except service.InvalidAnswers as error:
            errors.update({qid: message[lang] for qid, message in error.errors.items()})
        except service.StaleVersion as error:
            conflict = True
            names = ", ".join(questionnaire.question(qid).title.get(lang) for qid in error.question_ids)
            flash(
                _(
                    "Someone else changed these answers in the meantime: %(names)s. "
                    "The latest answers are shown; check them and save again.",
                    names=names,
                ),
                "error",
            )
        except service.AssessmentError as error:
            flash(_(error.message), "error")
            return redirect(url_for("assessments.page", assessment_id=assessment.id))
        if errors:
            for qid, message in errors.items():
                form[qid].errors = [*form[qid].errors, message]
            flash(_("Some answers could not be saved: see the messages below."), "error")
        elif conflict:
            return redirect(url_for("assessments.page", assessment_id=assessment.id, section=section_id))
        else:
            flash(_("Section saved."), "success")
            target = request.form.get("next_section")
            if target == "__review":
                return redirect(url_for("assessments.review", assessment_id=assessment.id))
            if target in section_ids:
                return redirect(url_for("assessments.page", assessment_id=assessment.id, section=target))
            return redirect(url_for("assessments.page", assessment_id=assessment.id, section=section_id))
        form.version.data = str(service.get_for_user(_user(), assessment.id).version)
    nav = _section_nav(questionnaire, assessment, lang)
    answers_now = dict(assessment.answers or {})
    visible = visible_question_ids(questionnaire, answers_now, nav["context"])
    index = section_ids.index(section_id)
    return render_template(
        "assessments/section.html",
        assessment=assessment,
        questionnaire=questionnaire,
        section=section,
        questions=questions,
        form=form,
        lang=lang,
        nav=nav,
        visible=visible,
        carried=service.carried_over(assessment),
        previous_section=section_ids[index - 1] if index > 0 else None,
        next_section=section_ids[index + 1] if index + 1 < len(section_ids) else None,
        conditions_json=_conditions_payload(questionnaire, answers_now, nav["context"]),
        stash_notice=stash_notice,
    )


@bp.route("/assessments/<int:assessment_id>/review")
@access("enterprise")
def review(assessment_id: int) -> str | Response:
    """Unanswered required questions, plausibility warnings, carried-over answers; pledge and submit."""
    assessment = _owned(assessment_id)
    if assessment.status not in service.EDITABLE_STATUSES:
        return redirect(url_for("assessments.page", assessment_id=assessment.id))
    form = SubmitForm()
    form.idempotency_key.data = secrets.token_urlsafe(16)
    return _render_review(assessment, form)


def _render_review(assessment: Any, form: SubmitForm, missing_override: list[str] | None = None) -> str:
    questionnaire = service.questionnaire_of(assessment)
    lang = _lang()
    checks = service.review(assessment)
    if missing_override is not None:
        checks["missing"] = missing_override
    nav = _section_nav(questionnaire, assessment, lang)
    return render_template(
        "assessments/review.html",
        assessment=assessment,
        questionnaire=questionnaire,
        checks=checks,
        form=form,
        lang=lang,
        nav=nav,
        answer_text=answer_text,
    )


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@access("enterprise")
def submit(assessment_id: int) -> str | Response | tuple[str, int]:
    """Submit with the pledge and the data-use notice accepted (a repeated click submits once)."""
    assessment = _owned(assessment_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    if assessment.status not in service.EDITABLE_STATUSES:
        return redirect(url_for("assessments.page", assessment_id=assessment.id))
    if not form.pledge.data or not form.data_use.data:
        if not form.pledge.data:
            form.pledge.errors = [_("Confirm the pledge to submit.")]
        if not form.data_use.data:
            form.data_use.errors = [_("Accept the data-use notice to submit.")]
        return _render_review(assessment, form), 422
    try:
        service.submit(assessment, _user(), form.idempotency_key.data or None, pledge=True)
    except service.IncompleteSubmission as error:
        flash(_("Some required questions are still unanswered."), "error")
        return _render_review(assessment, form, missing_override=error.missing), 422
    except service.InvalidAnswers:
        flash(_("Some answers do not fit their questions any more: please check them."), "error")
        return _render_review(assessment, form), 422
    flash(_("Your self-assessment has been submitted."), "success")
    return redirect(url_for("assessments.page", assessment_id=assessment.id))


def _results(assessment: Any) -> str:
    lang = _lang()
    view = results_view(assessment, lang)
    return render_template("assessments/results.html", assessment=assessment, view=view, lang=lang)


# --- invites -------------------------------------------------------------------------------------


@bp.route("/enterprises/<int:enterprise_id>/invite", methods=["POST"])
@access("enterprise")
def invite(enterprise_id: int) -> str:
    """Issue a one-time invite code for a colleague and show it once."""
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        code, expires = service.create_invite(_user(), enterprise_id)
    except service.AssessmentError:
        abort(404)
    return render_template("assessments/invite.html", code=code, hours=service.INVITE_HOURS)


@bp.route("/join", methods=["GET", "POST"])
@access("anonymous")
def join() -> str | Response:
    """Join an enterprise with a colleague's invite code (a new account, or the logged-in enterprise user)."""
    from portal.services.accounts import AccountError

    form = JoinForm()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    confirm = request.form.get("confirm", "")
    error: str | None = None
    if request.method == "POST" and form.validate_on_submit():
        code = (form.code.data or "").strip()
        try:
            if current_user.is_authenticated:
                if current_user.role != "enterprise":
                    abort(403)
                service.redeem_invite(_user(), code)
            else:
                if password != confirm:
                    raise AccountError(_("The two passwords differ."))
                user = service.join_with_invite(code, username, password)
                login_user(user)
                session.permanent = True
                session["last_seen"] = time.time()
                session["remember"] = False
        except service.AssessmentError as problem:
            error = _(problem.message)
            discard_changes()
        except AccountError as problem:
            error = str(problem)
            discard_changes()
        else:
            flash(_("You have joined your colleague's enterprise."), "success")
            return redirect(url_for("assessments.history"))
    return render_template("assessments/join.html", form=form, error=error, username=username)
