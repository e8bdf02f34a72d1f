"""Routes of the JSON API v1. Errors are always {"error": message} (plus documented extra keys)."""

from __future__ import annotations

import time
from typing import Any

from flask import jsonify, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

import questionnaires
from portal import http_error_headers
from portal.access import access
from portal.api import bp, schemas
from portal.api.openapi import openapi_document
from portal.services import accounts, discard_changes, results
from portal.services import assessments as service

JsonResponse = tuple[Response, int]


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return jsonify(error=message, **extra), status


@bp.before_request
def limit_body_size() -> JsonResponse | None:
    """Bodies over MAX_BODY_BYTES are refused with 413 before they are read."""
    request.max_content_length = schemas.MAX_BODY_BYTES
    if request.content_length is not None and request.content_length > schemas.MAX_BODY_BYTES:
        return _error("The request body is too large.", 413)
    return None


@bp.errorhandler(schemas.SchemaError)
def schema_error(error: schemas.SchemaError) -> JsonResponse:
    return _error(error.message, error.status)


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> JsonResponse:
    return _error("Missing or invalid CSRF token: get one from GET /api/v1/session.", 400)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> JsonResponse:
    return _error("The request body is too large.", 413)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> JsonResponse:
    code = error.code or 500
    messages = {404: "Not found.", 403: "Forbidden.", 405: "Method not allowed.", 400: "Bad request."}
    response, status = _error(messages.get(code, error.name), code)
    response.headers.extend(http_error_headers(error))  # e.g. Allow on a 405
    return response, status


@bp.errorhandler(Exception)
def unexpected_error(error: Exception) -> JsonResponse:
    discard_changes()
    from flask import current_app

    current_app.logger.exception("API error")
    return _error("Internal error.", 500)


def _json_body(required: bool = True) -> Any:
    """The parsed JSON body; 400 for malformed JSON."""
    if not request.data:
        if required:
            raise schemas.SchemaError("A JSON body is required.")
        return None
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise schemas.SchemaError("The request body is not valid JSON.")
    return body


def _user_dict() -> dict[str, Any] | None:
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "enterprises": [{"id": e.id, "name": e.name} for e in service.approved_enterprises(user)]
        if user.role == "enterprise"
        else [],
    }


def _owned(assessment_id: int, *, for_update: bool = False) -> Any:
    assessment = service.get_for_user(
        current_user._get_current_object(), assessment_id, for_update=for_update
    )
    if assessment is None:
        raise _NotFound()
    return assessment


class _NotFound(Exception):
    pass


@bp.errorhandler(_NotFound)
def not_found(error: _NotFound) -> JsonResponse:
    return _error("Not found.", 404)


# --- session -------------------------------------------------------------------------------------


@bp.route("/session", methods=["GET"])
@access("anonymous")
def get_session() -> Response:
    """The CSRF token for this session and the logged-in user (or null)."""
    return jsonify(csrf_token=generate_csrf(), user=_user_dict())


@bp.route("/session", methods=["POST"])
@access("anonymous")
def post_session() -> Response | JsonResponse:
    """Log in with {username, password}; returns a fresh CSRF token and the user."""
    username, password = schemas.session_login(_json_body())
    outcome = accounts.authenticate(username, password)
    if outcome.user is None:
        if outcome.reason == "locked":
            return _error("The account is locked for a while after too many failed attempts.", 403)
        return _error("Wrong user name or password.", 403)
    session.clear()
    login_user(outcome.user)
    session.permanent = True
    session["last_seen"] = time.time()
    session["remember"] = False
    return jsonify(csrf_token=generate_csrf(), user=_user_dict())


@bp.route("/session", methods=["DELETE"])
@access("authenticated")
def delete_session() -> Response:
    """Log out."""
    accounts.record_logout(current_user._get_current_object())
    logout_user()
    session.clear()
    return jsonify(user=None, csrf_token=generate_csrf())


# --- questionnaires ------------------------------------------------------------------------------


@bp.route("/questionnaires/current")
@access("authenticated")
def current_questionnaire() -> Response:
    """The published questionnaire version, both languages."""
    questionnaire_id, version, _ = results.published_versions()
    return jsonify(questionnaires.to_api_dict(questionnaires.load(questionnaire_id, version)))


@bp.route("/questionnaires/<questionnaire_id>/<version>")
@access("authenticated")
def questionnaire_version(questionnaire_id: str, version: str) -> Response | JsonResponse:
    """An older (or the current) questionnaire version."""
    if (questionnaire_id, version) not in set(questionnaires.available()):
        return _error("Not found.", 404)
    return jsonify(questionnaires.to_api_dict(questionnaires.load(questionnaire_id, version)))


# --- assessments ---------------------------------------------------------------------------------


def _assessment_dict(assessment: Any) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "status": assessment.status,
        "version": assessment.version,
        "round": {"id": assessment.round_id, "year": assessment.round.year},
        "enterprise_id": assessment.enterprise_id,
        "questionnaire": {"id": assessment.questionnaire_id, "version": assessment.questionnaire_version},
        "answers": dict(assessment.answers or {}),
        "carried_over": sorted(service.carried_over(assessment)),
        "return_comment": assessment.return_comment if assessment.status == "returned" else None,
    }


@bp.route("/assessments", methods=["POST"])
@access("enterprise")
def create_assessment() -> JsonResponse:
    """Create (or return) the open round's draft of the user's enterprise."""
    enterprise_id = schemas.create_assessment(_json_body(required=False))
    user = current_user._get_current_object()
    existing_ids = {e.id for e in service.approved_enterprises(user)}
    before = None
    if enterprise_id in existing_ids or (enterprise_id is None and len(existing_ids) == 1):
        # Only the user's own enterprises are looked up: any other id (even one past the INTEGER range) is a 404.
        before = service.open_assessment(enterprise_id or next(iter(existing_ids)))
    try:
        assessment = service.start_or_continue(user, enterprise_id)
    except service.AssessmentError as error:
        return _error(error.message, error.status)
    status = 200 if before is not None else 201
    return jsonify(id=assessment.id, version=assessment.version, status=assessment.status), status


@bp.route("/assessments/<int:assessment_id>")
@access("enterprise")
def get_assessment(assessment_id: int) -> Response:
    """An assessment with its answers."""
    return jsonify(_assessment_dict(_owned(assessment_id)))


@bp.route("/assessments/<int:assessment_id>/answers", methods=["PUT"])
@access("enterprise")
def put_answers(assessment_id: int) -> Response | JsonResponse:
    """Merge answers written on `version`: 200 {version}, 409 {version, answers}, 422 {errors}."""
    assessment = _owned(assessment_id, for_update=True)  # ownership check and row lock in one query
    version, answers = schemas.put_answers(_json_body())
    try:
        new_version = service.save_answers(
            assessment,
            version,
            answers,
            user=current_user._get_current_object(),
            confirm=tuple(answers),
            locked=True,
        )
    except service.InvalidAnswers as error:
        return _error("Some answers do not fit their questions.", 422, errors=error.errors)
    except service.StaleVersion as error:
        return _error(
            "Someone else changed these answers since your version.",
            409,
            version=error.version,
            answers=error.answers,
            conflicts=error.question_ids,
        )
    except service.AssessmentError as error:
        return _error(error.message, error.status)
    return jsonify(version=new_version)


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@access("enterprise")
def submit(assessment_id: int) -> Response | JsonResponse:
    """Submit (body {"pledge": true}; header Idempotency-Key): 200 {result}, 422 {missing}."""
    assessment = _owned(assessment_id)
    pledge = schemas.submit(_json_body(required=False))
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    try:
        result = service.submit(assessment, current_user._get_current_object(), key, pledge=pledge)
    except service.IncompleteSubmission as error:
        message = (
            "The truthfulness pledge is required." if error.pledge_missing else "Required answers missing."
        )
        return _error(message, 422, missing=error.missing, pledge_required=error.pledge_missing)
    except service.InvalidAnswers as error:
        return _error("Some answers do not fit their questions.", 422, errors=error.errors, missing=[])
    except service.AssessmentError as error:  # e.g. a draft whose round has closed
        return _error(error.message, error.status)
    return jsonify(result=result)


@bp.route("/assessments/<int:assessment_id>/result")
@access("enterprise")
def get_result(assessment_id: int) -> Response | JsonResponse:
    """The stored scored result (409 while the assessment has not been submitted)."""
    assessment = _owned(assessment_id)
    if not assessment.result or assessment.status not in service.SUBMITTED_STATUSES:
        return _error("The assessment has not been submitted yet.", 409)
    return jsonify(result=assessment.result)


@bp.route("/openapi.json")
@access("anonymous")
def openapi() -> Response:
    """The OpenAPI 3.0 document of this API."""
    return jsonify(openapi_document())
