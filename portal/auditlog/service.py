"""Read-only queries over the audit trail, CSV export, retention, and the no-edit guard."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import AuditEvent, utcnow

# Auditors read times in China Standard Time; the database keeps naive UTC.
LOCAL_TZ = timezone(timedelta(hours=8), "CST")
RESULTS = ("success", "failure")
PAGE_SIZE = 50
EXPORT_COLUMNS = (
    "id",
    "time_cst",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "ip",
    "result",
    "detail",
)


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or delete a stored audit event through the ORM."""


@dataclass(frozen=True)
class AuditFilter:
    """Browse/export filters: user name fragment, exact action, local date range (inclusive), result."""

    user: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    result: str = ""

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (empty ones left out)."""
        args = {
            "user": self.user,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "result": self.result,
        }
        return {key: value for key, value in args.items() if value}


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value and value.strip() else None
    except ValueError:
        return None


def parse_filter(args: Mapping[str, str]) -> AuditFilter:
    """Build a filter from query arguments; malformed values are ignored, not errors."""
    result = (args.get("result") or "").strip()
    return AuditFilter(
        user=(args.get("user") or "").strip()[:64],
        action=(args.get("action") or "").strip()[:64],
        date_from=_parse_date(args.get("from")),
        date_to=_parse_date(args.get("to")),
        result=result if result in RESULTS else "",
    )


def local_midnight_utc(day: date) -> datetime:
    """Naive UTC time of 00:00 China time on `day`."""
    local = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A stored naive-UTC time as China time (naive, for display)."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).replace(tzinfo=None)


def _filtered(query: sa.Select[Any], flt: AuditFilter) -> sa.Select[Any]:
    if flt.user:
        escaped = flt.user.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(AuditEvent.username).like(f"%{escaped}%", escape="\\"))
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.result:
        query = query.where(AuditEvent.result == flt.result)
    if flt.date_from:
        query = query.where(AuditEvent.at >= local_midnight_utc(flt.date_from))
    if flt.date_to:
        query = query.where(AuditEvent.at < local_midnight_utc(flt.date_to + timedelta(days=1)))
    return query


def count_events(flt: AuditFilter) -> int:
    """How many events match."""
    return int(db.session.scalar(_filtered(select(sa.func.count(AuditEvent.id)), flt)) or 0)


def find_events(flt: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE) -> list[AuditEvent]:
    """One page of matching events, newest first."""
    page = max(1, page)
    query = _filtered(select(AuditEvent), flt).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))


def known_actions() -> list[str]:
    """Every action name present in the trail (for the filter menu)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Neutralise spreadsheet formulas (CSV injection) in user-controlled text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export_rows(flt: AuditFilter, batch: int = 1000) -> Iterator[str]:
    """The matching events as CSV lines (UTF-8 BOM first, for spreadsheet programs), oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    last_id = 0
    while True:
        query = _filtered(select(AuditEvent), flt).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
        events = list(db.session.scalars(query.limit(batch)))
        if not events:
            return
        buffer.seek(0)
        buffer.truncate()
        for item in events:
            writer.writerow(
                [
                    item.id,
                    to_local(item.at).isoformat(sep=" ", timespec="seconds"),
                    item.user_id if item.user_id is not None else "",
                    _csv_cell(item.username),
                    _csv_cell(item.action),
                    _csv_cell(item.object_type),
                    _csv_cell(item.object_id),
                    _csv_cell(item.ip),
                    _csv_cell(item.result),
                    _csv_cell(
                        json.dumps(item.detail, ensure_ascii=False, sort_keys=True) if item.detail else ""
                    ),
                ]
            )
        last_id = events[-1].id
        yield buffer.getvalue()


# --- retention -----------------------------------------------------------------------------------


def prune(retention_days: int, now: datetime | None = None) -> int:
    """Delete events older than `retention_days` (never fewer than 180) and record the pruning; returns the count."""
    if retention_days < 180:
        raise ValueError("Audit events must be kept at least 180 days.")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    deleted = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount or 0
    from portal.services import audit

    audit.record(
        "audit_prune",
        username="system",
        detail={"deleted": int(deleted), "before": cutoff.isoformat(), "retention_days": retention_days},
    )
    db.session.commit()
    return int(deleted)


# --- immutability ---------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """Stored audit events are append-only: the ORM may add them, never change or delete them."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("Audit events cannot be changed or deleted.")
