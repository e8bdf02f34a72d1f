"""Background rendering of reports through portal.jobs, and the reconciler that renders what is missing.

Submission and verification commit `report_status = "pending"` in the same transaction as the result.
`install(app)` watches for that: when such a commit happens inside a request, one render job per
assessment is enqueued after the response is built (RQ worker with REDIS_URL, else a separate
process). A lost enqueue or a killed worker is repaired by `reconcile_reports()`, which renders
every submitted/verified assessment without a current cached report (`flask reconcile-reports`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import jobs
from portal.extensions import db
from portal.models import Assessment
from portal.models_officials import Job
from portal.reports import service

logger = logging.getLogger("portal.reports")

JOB_KIND = "report_pdf"
_SESSION_KEY = "reports_pending"
_G_KEY = "_reports_to_render"


@jobs.runner(JOB_KIND)
def run_render_job(job: Job, progress: Callable[[int], None]) -> tuple[Path, str, int]:
    """Job runner: render one assessment's report into the cache (nothing to do when it is there)."""
    assessment_id = int(job.params["assessment_id"])
    lang = service.normalize_lang(job.params.get("lang"))
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.status not in service.REPORTED_STATUSES or not assessment.result:
        raise LookupError(f"assessment {assessment_id} has no report to render")
    path = service.cached_report(assessment, lang)
    if path is None:
        try:
            path = service.render_and_store(assessment, lang)
        except service.RenderInProgress:
            path = service.wait_for_report(assessment, lang, service.LOCK_STALE_SECONDS)
            if path is None:
                raise
    return path, f"{service.number_of(assessment)}.pdf", 1


def schedule_render(assessment_ids: list[int], lang: str = "zh") -> list[Job]:
    """Enqueue one render job per assessment (system jobs: no user)."""
    return [
        jobs.enqueue(JOB_KIND, {"assessment_id": assessment_id, "lang": lang}, None)
        for assessment_id in assessment_ids
    ]


# --- reconciler ----------------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    """What a reconcile pass did."""

    checked: int = 0
    rendered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI."""
        return (
            f"{self.checked} reports checked, {len(self.rendered)} rendered, "
            f"{len(self.failed)} failed, {len(self.busy)} being rendered elsewhere"
        )


def missing_reports(limit: int | None = None) -> list[Assessment]:
    """Submitted/verified assessments whose current report is not cached (status not ready, or file gone)."""
    query = (
        sa.select(Assessment)
        .where(Assessment.status.in_(service.REPORTED_STATUSES), Assessment.result_hash.is_not(None))
        .order_by(Assessment.id)
    )
    missing = []
    for assessment in db.session.scalars(query):
        if assessment.report_status != "ready" or service.cached_report(assessment, "zh") is None:
            missing.append(assessment)
            if limit is not None and len(missing) >= limit:
                break
    return missing


def reconcile_reports(limit: int | None = None, echo: Callable[[str], None] | None = None) -> ReconcileReport:
    """Render (in this process) every submitted/verified report that has no current cached file."""
    report = ReconcileReport()
    for assessment in missing_reports(limit):
        report.checked += 1
        try:
            service.render_and_store(assessment, "zh")
        except service.RenderInProgress:
            report.busy.append(assessment.id)
            continue
        except service.RenderFailed:
            report.failed.append(assessment.id)
            continue
        report.rendered.append(assessment.id)
        if echo:
            echo(f"rendered report of assessment {assessment.id}")
    return report


# --- render after submission ---------------------------------------------------------------------


def _collect_pending(session: Session, flush_context: Any) -> None:
    """after_flush: remember assessments whose report_status was just set to "pending"."""
    for instance in list(session.dirty) + list(session.new):
        if not isinstance(instance, Assessment):
            continue
        history = sa.inspect(instance).attrs.report_status.history
        if "pending" in (history.added or ()):
            session.info.setdefault(_SESSION_KEY, set()).add(instance.id)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_SESSION_KEY, None)
    if pending and has_app_context():
        g.setdefault(_G_KEY, set()).update(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def _enqueue_after_request(response: Response) -> Response:
    """Enqueue the renders of the reports that became pending in this request (after its commit)."""
    pending = g.pop(_G_KEY, None)
    if not pending or not current_app.config.get("REPORTS_BACKGROUND", not current_app.testing):
        return response
    try:
        schedule_render(sorted(pending))
    except Exception:  # noqa: BLE001 - the reconciler renders it later; the user's request succeeded
        logger.exception("could not enqueue report renders for %s", sorted(pending))
        db.session.rollback()
    return response


_installed = False


def install(app: Flask) -> None:
    """Hook the session events (once per process) and the app's after-request enqueue."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _collect_pending)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
        _installed = True
    app.after_request(_enqueue_after_request)


def request_pending() -> set[int]:
    """Assessment ids whose render this request will enqueue (for tests and diagnostics)."""
    return set(g.get(_G_KEY, set())) if has_request_context() else set()
