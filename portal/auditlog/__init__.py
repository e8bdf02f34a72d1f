"""Auditor blueprint: browse and export the audit trail (read-only; auditor role only)."""

from flask import Blueprint

bp = Blueprint("auditlog", __name__, url_prefix="/audit", template_folder="templates")

from portal.auditlog import routes  # noqa: E402,F401
