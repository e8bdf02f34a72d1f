"""Assessments blueprint: the questionnaire wizard, review and submit, results, history, invites."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from portal.assessments import routes  # noqa: E402,F401
