"""Audit trail: record who did what, when, from which IP, with which result."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, User


def client_ip() -> str | None:
    """The client's IP address of the current request (None outside a request)."""
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    action: str,
    *,
    user: User | None = None,
    username: str | None = None,
    result: str = "success",
    object_type: str | None = None,
    object_id: Any = None,
    detail: dict[str, Any] | None = None,
    commit: bool = False,
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction unless commit=True)."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        username=username or (user.username if user is not None else None),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        ip=client_ip(),
        result=result,
        detail=detail,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def record_now(action: str, *, user: User, **fields: Any) -> AuditEvent:
    """Record and commit at once, leaving `user` loaded for the rest of the request.

    A streamed download reads the user after the request's session is gone, so its attributes must not
    stay expired by this commit.
    """
    event = record(action, user=user, commit=True, **fields)
    db.session.refresh(user)
    return event


def recent_events(action: str | None = None, limit: int = 100) -> list[AuditEvent]:
    """The most recent audit events, newest first, optionally for one action."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))
