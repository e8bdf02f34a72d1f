"""Auditor blueprint: browse and export the audit trail (read-only)."""

from flask import Blueprint

bp = Blueprint("auditlog", __name__, url_prefix="/audit")

from portal.auditlog import routes  # noqa: E402,F401
