"""JSON API v1 (session cookie + X-CSRFToken header): session, questionnaires, assessments."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from portal.api import routes  # noqa: E402,F401
