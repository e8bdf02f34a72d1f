"""Routes of the auditor blueprint: GET only; nothing here changes an audit event."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from portal.access import access
from portal.auditlog import bp, service
from portal.services import audit


@bp.before_request
def auditor_only() -> None:
    """Separation of duties (等保 三权分立): the audit trail is for the auditor, not for administrators (404)."""
    if current_user.is_authenticated and current_user.role != "auditor":
        abort(404)


@bp.route("/")
@access("auditor")
def index() -> str:
    """Audit events, newest first, filtered by user, action, date range (China time) and result."""
    flt = service.parse_filter(request.args)
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    total = service.count_events(flt)
    events = service.find_events(flt, page_number)
    pages = max(1, -(-total // service.PAGE_SIZE))
    return render_template(
        "auditlog/index.html",
        events=events,
        total=total,
        page=page_number,
        pages=pages,
        flt=flt,
        args=flt.as_args(),
        actions=service.known_actions(),
        results=service.RESULTS,
        to_local=service.to_local,
    )


@bp.route("/export.csv")
@access("auditor")
def export() -> Response:
    """The filtered events as CSV (UTF-8 with BOM); the export itself is audited."""
    flt = service.parse_filter(request.args)
    audit.record(
        "audit_export",
        user=current_user._get_current_object(),
        object_type="audit_events",
        detail={"filter": flt.as_args(), "rows": service.count_events(flt)},
        commit=True,
    )
    stamp = datetime.now(service.LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(service.export_rows(flt)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-events-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
