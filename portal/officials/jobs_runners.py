"""Background job runners of the officials' workspace (exports of long lists, report PDFs as a ZIP)."""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from portal import reference
from portal.extensions import db
from portal.jobs import jobs_dir, runner
from portal.models import Assessment, Enterprise, User
from portal.models_officials import Job
from portal.reports import service
from portal.services import exports, stats


def _query(job: Job) -> tuple[User, stats.ListQuery]:
    user = db.session.get(User, job.created_by_id)
    if user is None:
        raise LookupError("the job's user no longer exists")
    args = dict(job.params.get("args") or {})
    filters = stats.effective_filters(user, args)  # the scope is applied again in this process
    return user, stats.list_query_from_args(filters, args)


@runner("export_xlsx")
def export_xlsx(job: Job, progress: Callable[[int], None]) -> tuple[Path, str, int]:
    """Write the filtered list as XLSX."""
    user, query = _query(job)
    job.total = stats.list_count(user, query)
    db.session.commit()
    path = jobs_dir() / f"{job.id}.xlsx"
    count = exports.write_xlsx(path, user, query, job.params.get("lang", "zh"), progress)
    return path, "enterprises.xlsx", count


@runner("export_csv")
def export_csv(job: Job, progress: Callable[[int], None]) -> tuple[Path, str, int]:
    """Write the filtered list as CSV."""
    user, query = _query(job)
    job.total = stats.list_count(user, query)
    db.session.commit()
    path = jobs_dir() / f"{job.id}.csv"
    count = exports.write_csv(path, user, query, job.params.get("lang", "zh"), progress)
    return path, "enterprises.csv", count


# --- bulk report PDFs ------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NAME_LIMIT = 120


def safe_name(text: str) -> str:
    """A file-name part without path separators, control or Windows-reserved characters."""
    cleaned = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", text or "")).strip(" ._")
    return cleaned[:_NAME_LIMIT] or "_"


def zip_member_name(district: str, enterprise: str, round_name: str, taken: set[str]) -> str:
    """ "<district>_<enterprise name>_<round>.pdf", made safe and unique within the ZIP."""
    stem = "_".join(safe_name(part) for part in (district, enterprise, round_name))
    name, number = f"{stem}.pdf", 1
    while name in taken:
        number += 1
        name = f"{stem}_{number}.pdf"
    taken.add(name)
    return name


def report_assessment_ids(user: User, query: stats.ListQuery) -> list[int]:
    """Current submitted/verified assessments of the list's round, in the user's scope (list order)."""
    stmt = (
        stats.list_select(user, query, [Assessment.id])
        .where(Assessment.is_current.is_(True), Assessment.status.in_(service.REPORTED_STATUSES))
        .order_by(Enterprise.district, Enterprise.name, Enterprise.id)
    )
    return list(db.session.scalars(stmt))


def _report_file(assessment: Assessment, lang: str) -> Path:
    """The cached report, rendered into the cache first when missing (another process may be at it)."""
    path = service.cached_report(assessment, lang)
    if path is not None:
        return path
    try:
        return service.render_and_store(assessment, lang)
    except service.RenderInProgress:
        path = service.wait_for_report(assessment, lang, service.LOCK_STALE_SECONDS)
        if path is None:
            raise
        return path


@runner("reports_zip")
def reports_zip(job: Job, progress: Callable[[int], None]) -> tuple[Path, str, int]:
    """Write the report PDFs of the filtered list into one ZIP (cached reports reused)."""
    user, query = _query(job)
    lang = service.normalize_lang(job.params.get("lang"))
    ids = report_assessment_ids(user, query)
    job.total = len(ids)
    db.session.commit()
    path = jobs_dir() / f"{job.id}.zip"
    temporary = path.with_name(f".{path.name}.tmp")
    taken: set[str] = set()
    count = 0
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for assessment_id in ids:
                assessment = service.report_for_user(user, assessment_id)  # scope checked once more
                if assessment is None:
                    continue
                name = zip_member_name(
                    reference.district_label(assessment.district or assessment.enterprise.district, lang),
                    assessment.enterprise.name,
                    assessment.round.name,
                    taken,
                )
                archive.write(_report_file(assessment, lang), arcname=name)  # copied from disk in chunks
                count += 1
                progress(count)
    except BaseException:
        temporary.unlink(missing_ok=True)  # never leave half a ZIP behind
        raise
    os.replace(temporary, path)
    stamp = f"{query.filters.district or 'city'}_{query.filters.round_year or ''}".strip("_")
    return path, f"reports_{safe_name(stamp)}.zip", count
