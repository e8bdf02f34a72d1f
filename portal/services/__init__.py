"""Every database query and write lives in this package; routes call these functions only."""

from portal.extensions import db


def discard_changes() -> None:
    """Roll back the request's unit of work (after an error, before answering)."""
    db.session.rollback()
