"""GET /api/v1/stats: the dashboard aggregates as public JSON, scoped and filtered like the pages."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from portal.access import access
from portal.services import stats

bp = Blueprint("officials_api", __name__, url_prefix="/api/v1")


@bp.route("/stats")
@access("staff")
def stats_endpoint() -> Response:
    """Aggregates for district/industry/size/above_designated_size/round; echoes the effective filters."""
    try:
        filters = stats.effective_filters(current_user, request.args)
    except stats.ScopeError as error:  # another district, an unknown district or round
        return _error(f"Not found: {error}.", 404)
    except stats.FilterError as error:
        return _error(str(error), 400)
    body = stats.dashboard(filters)
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response
