"""Routes of the administration area (admins only; no queries here: everything goes through services)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

import questionnaires
from portal.access import access
from portal.admin import bp
from portal.admin.forms import (
    ActionForm,
    CreateUserForm,
    ImportForm,
    PublishForm,
    RecognisedListForm,
    RoundDatesForm,
    RoundForm,
    ScopeForm,
    TargetForm,
)
from portal.assessments.forms import build_section_form, section_questions
from portal.models import Round
from portal.services import accounts, admin, rounds, targets

TEXT_LANGUAGES = ("zh", "en")


def _actor() -> Any:
    return current_user._get_current_object()


def _user_or_404(user_id: int) -> Any:
    user = accounts.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _round_or_404(round_id: int) -> Round:
    round_ = rounds.get_round(round_id)
    if round_ is None:
        abort(404)
    return round_


def _checked(form: ActionForm) -> None:
    if not form.validate_on_submit():
        abort(400)


# --- start page ------------------------------------------------------------------------------------


@bp.route("/")
@access("admin")
def index() -> str:
    """Administration start page: what needs attention and where to go."""
    return render_template("admin/index.html", overview=admin.overview(), form=ActionForm())


# --- accounts --------------------------------------------------------------------------------------


@bp.route("/users")
@access("admin")
def users() -> str:
    """List and search accounts."""
    search = request.args.get("q", "")
    role = request.args.get("role", "")
    return render_template(
        "admin/users.html",
        users=admin.list_users(search, role),
        search=search,
        role=role,
        is_locked=admin.is_locked,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@access("admin")
def new_user() -> str | Response:
    """Create an official (explicit scope), an administrator or the auditor account."""
    form = CreateUserForm()
    if form.validate_on_submit():
        role = form.role.data or ""
        scope = form.scope.data or None
        if role == "official" and scope == "district" and not form.district.data:
            form.district.errors = [*form.district.errors, _("Choose the official's district.")]
        elif role == "official" and not scope:
            form.scope.errors = [*form.scope.errors, _("Choose a district or the whole city.")]
        else:
            try:
                user, password = admin.create_account(
                    _actor(),
                    form.username.data or "",
                    role,
                    scope=scope,
                    district=form.district.data or None,
                    display_name=form.display_name.data,
                    is_reviewer=bool(form.is_reviewer.data),
                )
            except admin.AdminError as error:
                form.username.errors = [*form.username.errors, str(error)]
            else:
                return render_template("admin/user_created.html", user=user, password=password)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>")
@access("admin")
def user(user_id: int) -> str:
    """One account: role, scope, state and the actions on it."""
    target = _user_or_404(user_id)
    scope_form = ScopeForm(scope=target.scope or "district", district=target.district or "")
    return render_template(
        "admin/user.html",
        target=target,
        form=ActionForm(),
        scope_form=scope_form,
        locked=admin.is_locked(target),
    )


def _user_action(user_id: int, action: str) -> Response:
    target = _user_or_404(user_id)
    _checked(ActionForm())
    actor = _actor()
    try:
        if action == "disable":
            admin.set_active(actor, target, False)
            flash(_("Account %(name)s disabled.", name=target.username), "success")
        elif action == "enable":
            admin.set_active(actor, target, True)
            flash(_("Account %(name)s enabled again.", name=target.username), "success")
        elif action == "unlock":
            admin.unlock(actor, target)
            flash(_("Account %(name)s unlocked.", name=target.username), "success")
        elif action == "grant":
            admin.set_reviewer(actor, target, True)
            flash(_("%(name)s may now verify assessments.", name=target.username), "success")
        elif action == "withdraw":
            admin.set_reviewer(actor, target, False)
            flash(_("%(name)s may no longer verify assessments.", name=target.username), "success")
    except admin.AdminError as error:
        flash(str(error), "error")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@access("admin")
def disable_user(user_id: int) -> Response:
    """Disable an account (its sessions end)."""
    return _user_action(user_id, "disable")


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@access("admin")
def enable_user(user_id: int) -> Response:
    """Re-enable an account."""
    return _user_action(user_id, "enable")


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@access("admin")
def unlock_user(user_id: int) -> Response:
    """End a failed-login lockout."""
    return _user_action(user_id, "unlock")


@bp.route("/users/<int:user_id>/reset-code", methods=["POST"])
@access("admin")
def reset_code(user_id: int) -> str:
    """Issue a one-time reset code (lifting a lockout: the admin has identified the user) and show it once."""
    target = _user_or_404(user_id)
    _checked(ActionForm())
    actor = _actor()
    if admin.is_locked(target):
        admin.unlock(actor, target)
    code = accounts.issue_reset_code(target, actor)
    return render_template(
        "auth/reset_code.html", target=target, code=code, minutes=current_app.config["RESET_CODE_MINUTES"]
    )


@bp.route("/users/<int:user_id>/reviewer/grant", methods=["POST"])
@access("admin")
def grant_reviewer(user_id: int) -> Response:
    """Let an official verify assessments."""
    return _user_action(user_id, "grant")


@bp.route("/users/<int:user_id>/reviewer/withdraw", methods=["POST"])
@access("admin")
def withdraw_reviewer(user_id: int) -> Response:
    """Withdraw an official's reviewer right."""
    return _user_action(user_id, "withdraw")


@bp.route("/users/<int:user_id>/scope", methods=["POST"])
@access("admin")
def change_scope(user_id: int) -> Response:
    """Change an official's scope."""
    target = _user_or_404(user_id)
    form = ScopeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        admin.set_scope(_actor(), target, form.scope.data or "", form.district.data or None)
    except admin.AdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Scope changed."), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/disable-inactive", methods=["POST"])
@access("admin")
def disable_inactive() -> Response:
    """Disable every account unused for ACCOUNT_INACTIVE_DAYS days now."""
    _checked(ActionForm())
    disabled = admin.disable_inactive(_actor())
    flash(_("%(n)d inactive account(s) disabled.", n=len(disabled)), "success")
    return redirect(url_for("admin.index"))


# --- rounds ----------------------------------------------------------------------------------------


@bp.route("/rounds", methods=["GET", "POST"])
@access("admin")
def rounds_page() -> str | Response:
    """Assessment rounds: create, open, close, change dates."""
    form = RoundForm()
    if form.validate_on_submit():
        try:
            admin.create_round(
                _actor(), form.year.data or 0, form.opens_on.data, form.closes_on.data, form.name.data or ""
            )
        except admin.AdminError as error:
            form.year.errors = [*form.year.errors, str(error)]
        else:
            flash(_("Round %(year)d created (closed until you open it).", year=form.year.data), "success")
            return redirect(url_for("admin.rounds_page"))
    return render_template(
        "admin/rounds.html",
        rounds=rounds.list_rounds(),
        counts=admin.round_counts(),
        form=form,
        action_form=ActionForm(),
    )


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@access("admin")
def open_round(round_id: int) -> Response:
    """Open a round for new assessments."""
    round_ = _round_or_404(round_id)
    _checked(ActionForm())
    try:
        admin.open_round(_actor(), round_)
    except admin.AdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Round %(name)s is open.", name=round_.name), "success")
    return redirect(url_for("admin.rounds_page"))


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@access("admin")
def close_round(round_id: int) -> Response:
    """Close a round (its submissions are frozen)."""
    round_ = _round_or_404(round_id)
    _checked(ActionForm())
    admin.close_round(_actor(), round_)
    flash(_("Round %(name)s is closed.", name=round_.name), "success")
    return redirect(url_for("admin.rounds_page"))


@bp.route("/rounds/<int:round_id>/dates", methods=["POST"])
@access("admin")
def round_dates(round_id: int) -> Response:
    """Change a round's dates."""
    round_ = _round_or_404(round_id)
    form = RoundDatesForm()
    if not form.validate_on_submit():
        flash(_("Enter both dates."), "error")
        return redirect(url_for("admin.rounds_page"))
    try:
        admin.update_round_dates(_actor(), round_, form.opens_on.data, form.closes_on.data)
    except admin.AdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Dates saved."), "success")
    return redirect(url_for("admin.rounds_page"))


# --- questionnaires and catalogues ------------------------------------------------------------------


@bp.route("/questionnaires")
@access("admin")
def versions() -> str:
    """Questionnaire and catalogue versions with validation status, publishing and the rescore job."""
    forms, catalogues = admin.definition_versions()
    return render_template(
        "admin/versions.html",
        forms=forms,
        catalogues=catalogues,
        publish_form=PublishForm,
        action_form=ActionForm(),
        job=admin.latest_rescore_job(),
    )


@bp.route("/questionnaires/publish", methods=["POST"])
@access("admin")
def publish_questionnaire() -> Response:
    """Publish a questionnaire version for new assessments."""
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        admin.publish_questionnaire(_actor(), form.questionnaire_id.data or "", form.version.data or "")
    except admin.AdminError as error:
        flash(str(error), "error")
    else:
        flash(
            _("Version %(version)s is published: new assessments use it.", version=form.version.data),
            "success",
        )
    return redirect(url_for("admin.versions"))


@bp.route("/catalogues/publish", methods=["POST"])
@access("admin")
def publish_catalogue() -> Response:
    """Publish a recommendation catalogue version."""
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        admin.publish_catalogue(_actor(), form.questionnaire_id.data or "", form.version.data or "")
    except admin.AdminError as error:
        flash(str(error), "error")
    else:
        flash(
            _(
                "Catalogue %(version)s is published. Stored results keep their recommendations until you "
                "re-score them.",
                version=form.version.data,
            ),
            "success",
        )
    return redirect(url_for("admin.versions"))


def _text_language() -> str:
    requested = request.args.get("text", "")
    if requested in TEXT_LANGUAGES:
        return requested
    return _current_locale()


def _current_locale() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


@bp.route("/questionnaires/<questionnaire_id>/<version>/preview")
@access("admin")
def preview_questionnaire(questionnaire_id: str, version: str) -> str:
    """The questionnaire as a respondent sees it, read-only, in Chinese or English."""
    if (questionnaire_id, version) not in questionnaires.available():
        abort(404)
    try:
        questionnaire = questionnaires.load(questionnaire_id, version)
    except questionnaires.DefinitionError:
        abort(404)
    lang = _text_language()
    sections = []
    for section in questionnaire.sections:
        questions = section_questions(section, questionnaire.questions_by_id)
        sections.append((section, questions, build_section_form(questions, {}, lang)))
    return render_template(
        "admin/preview.html",
        questionnaire=questionnaire,
        sections=sections,
        lang=lang,
        visible={q.id for q in questionnaire.questions_by_id.values()},
    )


@bp.route("/catalogues/<questionnaire_id>/<version>/preview")
@access("admin")
def preview_catalogue(questionnaire_id: str, version: str) -> str:
    """A catalogue's measures as the results page words them, in Chinese or English."""
    if version not in questionnaires.catalogue_versions(questionnaire_id):
        abort(404)
    try:
        catalogue = questionnaires.load_catalogue(questionnaire_id, version)
        questionnaire = questionnaires.current(questionnaire_id)
    except (questionnaires.DefinitionError, questionnaires.QuestionnaireNotFound):
        abort(404)
    dimensions = {dimension.id: dimension for dimension in questionnaire.dimensions}
    return render_template(
        "admin/catalogue_preview.html",
        catalogue=catalogue,
        dimensions=dimensions,
        lang=_text_language(),
    )


@bp.route("/rescore", methods=["POST"])
@access("admin")
def start_rescore() -> Response:
    """Start re-scoring stored results with the published catalogue (background job)."""
    _checked(ActionForm())
    job = admin.start_rescore(_actor())
    return redirect(url_for("admin.job", job_id=job.id))


@bp.route("/jobs/<job_id>")
@access("admin")
def job(job_id: str) -> str | Response:
    """Progress of a rescore job; `?format=json` for scripts."""
    from portal import jobs

    found = jobs.get_job(job_id, _actor())
    if found is None or found.kind != admin.RESCORE_JOB:
        abort(404)
    summary = admin.rescore_summary(found)
    if request.args.get("format") == "json":
        return jsonify(
            status=found.status,
            progress=found.progress,
            total=found.total,
            summary=summary,
            error=found.error,
        )
    return render_template("admin/job.html", job=found, summary=summary)


# --- targets ---------------------------------------------------------------------------------------


@bp.route("/targets")
@access("admin")
def targets_page() -> str:
    """Plan targets and the recognised-enterprise lists."""
    return render_template(
        "admin/targets.html",
        targets=targets.list_targets(active_only=False),
        rules=targets.RULES,
        lists=admin.recognised_lists(),
        form=RecognisedListForm(),
    )


@bp.route("/targets/<key>", methods=["GET", "POST"])
@access("admin")
def target(key: str) -> str | Response:
    """Edit one target: value, deadline, baseline and counting rule."""
    found = targets.get_target(key)
    if found is None:
        abort(404)
    form = TargetForm(obj=found)
    if form.validate_on_submit():
        try:
            admin.update_target(
                _actor(),
                found,
                value=form.value.data,
                deadline=form.deadline.data,
                baseline=form.baseline.data,
                rule=form.rule.data or "",
            )
        except admin.AdminError as error:
            form.rule.errors = [*form.rule.errors, str(error)]
        else:
            flash(_("Target saved."), "success")
            return redirect(url_for("admin.targets_page"))
    return render_template("admin/target.html", target=found, form=form)


@bp.route("/targets/recognised", methods=["POST"])
@access("admin")
def import_recognised() -> str | Response:
    """Import a list of officially recognised enterprises (CSV/XLSX)."""
    form = RecognisedListForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = admin.import_recognised(
                _actor(), form.list_id.data or "", upload.read(), upload.filename or "upload.csv"
            )
        except admin.AdminError as error:
            flash(_("Nothing was imported: %(reason)s", reason=str(error)), "error")
        else:
            flash(
                _("%(n)d enterprise(s) added to the list %(list)s.", n=created, list=form.list_id.data),
                "success",
            )
            return redirect(url_for("admin.targets_page"))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("admin.targets_page"))


# --- enterprise import -----------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@access("admin")
def import_enterprises() -> str:
    """Upload an enterprise list (CSV/XLSX) and see the rejected rows."""
    from portal.services import imports

    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = admin.import_enterprise_file(_actor(), upload.read(), upload.filename or "upload.csv")
        except admin.AdminError as error:
            flash(_("Nothing was imported: %(reason)s", reason=str(error)), "error")
    return render_template(
        "admin/import.html", form=form, report=report, headers=list(imports.header_names())
    )
