"""Background job runners of the officials' workspace (exports of long lists)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from portal.extensions import db
from portal.jobs import jobs_dir, runner
from portal.models import User
from portal.models_officials import Job
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
