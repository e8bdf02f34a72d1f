"""Officials' workspace: dashboard, enterprise lists, drill-down, review, exports, /api/v1/stats."""

from flask import Blueprint

bp = Blueprint("officials", __name__, url_prefix="/officials")

from portal.officials import routes  # noqa: E402,F401
