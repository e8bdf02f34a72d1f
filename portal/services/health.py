"""Health checks."""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db


def database_status() -> tuple[bool, str]:
    """(True, "ok") when the database answers a trivial query, else (False, reason)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "unhealthy"; the reason is reported
        db.session.rollback()
        return False, f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return True, "ok"
