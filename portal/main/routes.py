"""Routes of the main blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import access
from portal.extensions import csrf
from portal.main import bp
from portal.services import health


@bp.route("/")
@access("anonymous")
def index() -> Response:
    """Send each visitor to their starting page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    start = {
        "enterprise": "enterprises.home",
        "official": "officials.dashboard",
        "admin": "admin.index",
        "auditor": "auditlog.index",
    }.get(current_user.role, "auth.change_password")
    return redirect(url_for(start))


@bp.route("/lang/<code>")
@access("anonymous")
def set_language(code: str) -> Response:
    """Switch the UI language (kept in the session) and go back to the page the user came from."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer or ""
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        target = ""
    return redirect(target or url_for("main.index"))


@bp.route("/healthz")
@access("anonymous")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    """Liveness and database check for monitoring."""
    ok, reason = health.database_status()
    if ok:
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="error", database=reason), 503
